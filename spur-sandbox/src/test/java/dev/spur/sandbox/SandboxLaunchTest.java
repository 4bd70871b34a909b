package dev.spur.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.sandbox.LinuxSandboxNetworkTest.OneEvent;
import dev.spur.sandbox.Sandbox.LaunchSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Sandbox#launch}: the sandbox opens the environment's Runtime API where its runtime can reach
 * it, tells the runtime where, serves it, and closing takes everything away again. A real runtime
 * (Python's {@code http.client}, as runtime clients talk) takes one event and answers it.
 */
class SandboxLaunchTest {
    /** One {@code next}, one response, over {@code AWS_LAMBDA_RUNTIME_API}; prints where it was. */
    private static final String RUNTIME = """
            import http.client, json, os
            api = os.environ['AWS_LAMBDA_RUNTIME_API']
            host, port = api.split(':')
            c = http.client.HTTPConnection(host, int(port), timeout=10)
            c.request('GET', '/2018-06-01/runtime/invocation/next')
            r = c.getresponse()
            rid, event = r.getheader('Lambda-Runtime-Aws-Request-Id'), json.loads(r.read())
            c.request('POST', '/2018-06-01/runtime/invocation/' + rid + '/response', json.dumps({'n': event['n'] + 1}))
            r = c.getresponse()
            print('api', api, 'posted', r.status)
            """;

    @TempDir
    Path root;

    @AfterAll
    static void removeTheTestsParentCgroups() throws Exception {
        Jail.removeParentCgroups();
    }

    @Test
    void theProcessSandboxServesTheRuntimeApiOnALoopbackPortOfItsOwn() throws Exception {
        Path output = Files.createFile(root.resolve("out"));
        LaunchSpec runtime = new LaunchSpec(
                List.of("/usr/bin/python3", "-c", RUNTIME), root, Map.of("PATH", "/usr/bin"), output, 128);
        OneEvent api = new OneEvent("req-1", "{\"n\":1}");
        Path directory = root.resolve("env");
        try (SandboxedEnvironment env =
                Sandbox.process().launch(new EnvironmentSpec("env", runtime, false, directory), api)) {
            assertThat(env.process().onExit().get(60, TimeUnit.SECONDS).code())
                    .as(Files.readString(output))
                    .isZero();
            env.startUpEnded(); // nothing to apply: no quota here
        }
        assertThat(Files.readString(output)).containsPattern("api 127\\.0\\.0\\.1:\\d+ posted 202");
        assertThat(api.responses).containsExactly("req-1 {\"n\": 2}");
        assertThat(directory).as("a loopback port needs no directory").doesNotExist();
    }

    @Test
    void theProcessSandboxRefusesAnOfflineEnvironmentAndLeavesNothing() throws Exception {
        LaunchSpec runtime = new LaunchSpec(List.of("/usr/bin/true"), root, Map.of(), root.resolve("out"), 128);
        Path directory = root.resolve("env");
        assertThatThrownBy(() -> Sandbox.process()
                        .launch(new EnvironmentSpec("env", runtime, true, directory), new OneEvent("r", "{}")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("network none");
        assertThat(directory).doesNotExist();
    }

    @Test
    void offlineTheRuntimeReachesASocketInTheEnvironmentsOwnDirectoryBridgedInAndCloseRemovesIt() throws Exception {
        Jail jail = new Jail(root);
        Jail.requireNetworkNone();
        LaunchSpec runtime = jail.spec(128, "/usr/bin/python3", "-c", RUNTIME);
        OneEvent api = new OneEvent("req-2", "{\"n\":41}");
        Path directory = root.resolve("env-offline");
        try (SandboxedEnvironment env =
                jail.sandbox.launch(new EnvironmentSpec("env", runtime, true, directory), api)) {
            assertThat(Files.getPosixFilePermissions(directory))
                    .as("others may pass, nobody else may list")
                    .isEqualTo(PosixFilePermissions.fromString("rwx--x--x"));
            assertThat(directory.resolve("runtime-api.sock")).exists();
            assertThat(env.process().onExit().get(60, TimeUnit.SECONDS).code())
                    .as(Files.readString(runtime.output()))
                    .isZero();
        }
        assertThat(Files.readString(runtime.output())).contains("api 127.0.0.1:9001 posted 202");
        assertThat(api.responses).containsExactly("req-2 {\"n\": 42}");
        assertThat(directory).doesNotExist();
    }

    @Test
    void aLinuxEnvironmentRunsWithoutItsCpuQuotaUntilItsStartUpEnds() throws Exception {
        Jail jail = new Jail(root);
        LaunchSpec runtime = jail.spec(128, "/usr/bin/sleep", "60");
        try (SandboxedEnvironment env = jail.sandbox.launch(
                new EnvironmentSpec("env", runtime, false, root.resolve("env")), new OneEvent("r", "{}"))) {
            Jailed jailed = (Jailed) env.process();
            CpuLimit share = CpuLimit.forMemory(128, Runtime.getRuntime().availableProcessors());
            assertThat(cpuQuota(jailed))
                    .isIn("-1 " + share.periodMicros(), "max " + share.periodMicros()); // v1, v2: none
            env.startUpEnded();
            assertThat(cpuQuota(jailed)).isEqualTo(share.quotaMicros() + " " + share.periodMicros());
        }
    }

    @Test
    void aLaunchTheSandboxCannotStartLeavesNoEndpointAndNoDirectory() throws Exception {
        Jail jail = new Jail(root);
        Jail.requireNetworkNone();
        LaunchSpec runtime = jail.spec(128, "/usr/bin/true");
        LaunchSpec unusable = new LaunchSpec(
                runtime.command(),
                runtime.workingDirectory(),
                runtime.environment(),
                root.resolve("a\nnewline"),
                128,
                512,
                runtime.mounts());
        Path directory = root.resolve("env-failed");
        assertThatThrownBy(() -> jail.sandbox.launch(
                        new EnvironmentSpec("env", unusable, true, directory), new OneEvent("r", "{}")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("newline");
        assertThat(directory).doesNotExist();
    }

    /** The quota the environment's cgroup has now, as {@code <quota> <period>}: v1's files or v2's. */
    private static String cpuQuota(Jailed jailed) throws IOException {
        for (Path dir : jailed.cgroupDirs()) {
            if (Files.exists(dir.resolve("cpu.max"))) {
                return Files.readString(dir.resolve("cpu.max")).strip();
            }
            if (Files.exists(dir.resolve("cpu.cfs_quota_us"))) {
                return Files.readString(dir.resolve("cpu.cfs_quota_us")).strip() + " "
                        + Files.readString(dir.resolve("cpu.cfs_period_us")).strip();
            }
        }
        throw new IOException("no cpu controller in " + jailed.cgroupDirs());
    }
}
