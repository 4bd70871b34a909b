package dev.spur.runtimes;

import static dev.spur.runtimes.Functions.function;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.runtimes.LambdaRuntime.LaunchPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimesTest {
    private static final Path TASK_ROOT = Path.of("/var/task");

    @TempDir
    Path tmp;

    /** Interpreters at fake paths, and no AOT training (see {@link JavaAotCacheTest}). */
    private Runtimes install(boolean withPythonAndNode) throws IOException {
        Path bin = tmp.resolve("bin");
        Files.createDirectories(bin);
        Path jdk = tmp.resolve("jdk");
        executable(jdk.resolve("bin/java"));
        if (withPythonAndNode) {
            executable(bin.resolve("python3"));
            executable(bin.resolve("python3.12"));
            executable(bin.resolve("node"));
        }
        return Runtimes.install(tmp.resolve("runtimes"), new Interpreters(List.of(bin), List.of(), jdk), task -> {});
    }

    private static void executable(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void installExtractsEveryClientIntoAVersionDirectoryReadableByAll() throws IOException {
        Runtimes runtimes = install(true);
        Path dir = runtimes.directory();
        assertThat(dir.getParent()).isEqualTo(tmp.resolve("runtimes"));
        assertThat(dir.getFileName().toString()).matches("[0-9a-f]{16}");
        for (String file : List.of(
                "python/bootstrap.py",
                "node/bootstrap.mjs",
                "java/spur-runtime-java.jar",
                "java/aws-lambda-java-core.jar",
                "java/aws-lambda-java-serialization.jar")) {
            assertThat(dir.resolve(file)).isNotEmptyFile();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(file))))
                    .isEqualTo("rw-r--r--");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("java"))))
                .isEqualTo("rwxr-xr-x");
    }

    @Test
    void secondInstallReusesTheExtractedVersionWithoutRewritingIt() throws IOException {
        Path first = install(true).directory();
        Path bootstrap = first.resolve("python/bootstrap.py");
        Files.setLastModifiedTime(bootstrap, FileTime.fromMillis(0));
        assertThat(install(true).directory()).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(bootstrap).toMillis()).isZero();
    }

    @Test
    void serversInstallingAtOnceAgreeOnOneCompleteDirectory() throws Exception {
        install(true); // creates the fake interpreters
        Interpreters interpreters = new Interpreters(List.of(tmp.resolve("bin")), List.of(), tmp.resolve("jdk"));
        Path shared = tmp.resolve("shared");
        int servers = 4;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(servers);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < servers; i++) {
                Callable<Path> server = () -> {
                    start.await();
                    return Runtimes.install(shared, interpreters, task -> {}).directory();
                };
                results.add(pool.submit(server));
            }
            start.countDown();
            Path expected = results.get(0).get();
            for (Future<Path> result : results) {
                assertThat(result.get()).isEqualTo(expected);
            }
            try (Stream<Path> entries = Files.list(shared)) {
                assertThat(entries.toList()).containsExactly(expected); // no staging directory left behind
            }
            assertThat(expected.resolve("java/spur-runtime-java.jar")).isNotEmptyFile();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void idsAreSortedAndListOnlyRuntimesWhoseInterpreterExists() throws IOException {
        Runtimes withoutPythonOrNode = install(false);
        assertThat(withoutPythonOrNode.ids())
                .containsExactly("java17", "java21", "java25", "provided", "provided.al2", "provided.al2023");
        assertThat(withoutPythonOrNode.find("python3.12")).isEmpty();
        Runtimes all = install(true);
        assertThat(all.ids())
                .containsExactly(
                        "java17",
                        "java21",
                        "java25",
                        "nodejs18.x",
                        "nodejs20.x",
                        "nodejs22.x",
                        "provided",
                        "provided.al2",
                        "provided.al2023",
                        "python3.10",
                        "python3.11",
                        "python3.12",
                        "python3.13",
                        "python3.14",
                        "python3.9");
        assertThat(all.find("python2.7")).isEmpty();
    }

    @Test
    void pythonRunsTheBootstrapWithoutSiteHooksUnbufferedAndWithoutBytecode() throws IOException {
        Runtimes runtimes = install(true);
        LaunchPlan plan =
                runtimes.find("python3.12").orElseThrow().plan(function("python3.12", "app.handler", 128), TASK_ROOT);
        Path runtimeDir = runtimes.directory().resolve("python");
        assertThat(plan.command())
                .containsExactly(
                        tmp.resolve("bin/python3.12").toString(),
                        "-S",
                        runtimeDir.resolve("bootstrap.py").toString());
        assertThat(plan.environment())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "AWS_EXECUTION_ENV", "AWS_Lambda_python3.12",
                        "LAMBDA_RUNTIME_DIR", runtimeDir.toString(),
                        "PYTHONUNBUFFERED", "1",
                        "PYTHONDONTWRITEBYTECODE", "1"));
        assertThat(runtimes.find("python3.9")
                        .orElseThrow()
                        .plan(function("python3.9", "app.handler", 128), TASK_ROOT)
                        .command())
                .startsWith(tmp.resolve("bin/python3").toString());
    }

    @Test
    void nodeRunsTheBootstrapWithTheTaskRootOnNodePath() throws IOException {
        Runtimes runtimes = install(true);
        LaunchPlan plan =
                runtimes.find("nodejs20.x").orElseThrow().plan(function("nodejs20.x", "index.handler", 128), TASK_ROOT);
        Path runtimeDir = runtimes.directory().resolve("node");
        assertThat(plan.command())
                .containsExactly(
                        tmp.resolve("bin/node").toString(),
                        runtimeDir.resolve("bootstrap.mjs").toString());
        assertThat(plan.environment())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "AWS_EXECUTION_ENV", "AWS_Lambda_nodejs20.x",
                        "LAMBDA_RUNTIME_DIR", runtimeDir.toString(),
                        "NODE_PATH", "/var/task"));
    }

    @Test
    void javaRunsTheClientWithColdStartFlagsAndAHeapSizedFromMemory() throws IOException {
        Runtimes runtimes = install(false);
        LaunchPlan plan =
                runtimes.find("java21").orElseThrow().plan(function("java21", "example.Handler", 1024), TASK_ROOT);
        Path java = runtimes.directory().resolve("java");
        assertThat(plan.command())
                .containsExactly(
                        tmp.resolve("jdk/bin/java").toString(),
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-XX:-UsePerfData",
                        "-Xmx870m",
                        "-Xshare:auto",
                        "-cp",
                        java.resolve("spur-runtime-java.jar") + ":" + java.resolve("aws-lambda-java-core.jar") + ":"
                                + java.resolve("aws-lambda-java-serialization.jar"),
                        "dev.spur.runtime.java.Main");
        assertThat(plan.environment())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("AWS_EXECUTION_ENV", "AWS_Lambda_java21", "LAMBDA_RUNTIME_DIR", java.toString()));
        assertThat(runtimes.find("java17")
                        .orElseThrow()
                        .plan(function("java17", "x.Y", 0), TASK_ROOT)
                        .command())
                .contains("-Xmx108m");
    }

    @Test
    void customRuntimesExecTheFunctionsBootstrapWithNoExecutionEnv() throws IOException {
        Runtimes runtimes = install(false);
        for (String id : List.of("provided", "provided.al2", "provided.al2023")) {
            LaunchPlan plan = runtimes.find(id).orElseThrow().plan(function(id, "", 128), TASK_ROOT);
            assertThat(plan.command()).containsExactly("/var/task/bootstrap");
            assertThat(plan.environment()).isEmpty();
        }
    }
}
