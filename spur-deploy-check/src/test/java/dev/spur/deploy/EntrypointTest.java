package dev.spur.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/container/entrypoint.sh, run for real: under cgroup v1 it only execs Spur; under cgroup v2 it
 * must empty its cgroup into {@code init/} before it enables controllers for the cgroup's children,
 * because the kernel refuses (EBUSY) while the cgroup holds a process. The v2 cases run against this
 * machine's real cgroup v2 hierarchy ({@link CgroupV2}), so that rule is the kernel's, not a stand-in.
 * Not tested here: the same inside a real pod (cgroup namespace, a runtime's delegation).
 */
class EntrypointTest {
    @TempDir
    Path work;

    @Test
    void withoutCgroupV2ItChangesNothingAndBecomesTheCommand() throws Exception {
        Run run = Run.of(Map.of("SPUR_CGROUP_MOUNT", work.toString()), "sh", "-c", "echo $$");

        assertThat(run.exit).isZero();
        assertThat(run.out.strip())
                .as("the command has the entrypoint's pid: exec'd")
                .isEqualTo(Long.toString(run.pid));
        assertThat(run.err).contains("nothing to delegate");
        try (var left = Files.list(work)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void withoutACommandItSaysHowToCallIt() throws Exception {
        Run run = Run.of(Map.of("SPUR_CGROUP_MOUNT", work.toString()));

        assertThat(run.exit).isEqualTo(2);
        assertThat(run.err).contains("usage: entrypoint.sh COMMAND");
    }

    @Test
    void theKernelRefusesControllersForChildrenOfACgroupThatHoldsAProcess() throws Exception {
        CgroupV2 v2 = CgroupV2.require();
        Path cgroup = v2.create();
        Process sleeper = new ProcessBuilder("sleep", "600").start();
        try {
            CgroupV2.move(sleeper.pid(), cgroup);

            assertThatThrownBy(() -> Files.writeString(cgroup.resolve("cgroup.subtree_control"), "+" + v2.controller()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("busy");
        } finally {
            stop(sleeper);
            CgroupV2.remove(cgroup);
        }
    }

    @Test
    void underCgroupV2ItMovesEveryProcessIntoInitThenEnablesTheControllers() throws Exception {
        CgroupV2 v2 = CgroupV2.require();
        Path cgroup = v2.create();
        // another process of the "container", as tini is beside the entrypoint in the image
        Process sleeper = new ProcessBuilder("sleep", "600").start();
        try {
            CgroupV2.move(sleeper.pid(), cgroup);

            Run run = Run.inCgroup(
                    cgroup,
                    Map.of("SPUR_CGROUP_MOUNT", v2.mount().toString(), "SPUR_CGROUP_CONTROLLERS", v2.controller()));

            String relative = "/" + v2.mount().relativize(cgroup);
            assertThat(run.exit).as(run.err).isZero();
            assertThat(run.out).as("the command runs in init/").contains("0::" + relative + "/init\n");
            assertThat(CgroupV2.processes(cgroup)).isEmpty();
            assertThat(CgroupV2.processes(cgroup.resolve("init"))).containsExactly(sleeper.pid());
            assertThat(CgroupV2.words(cgroup.resolve("cgroup.subtree_control"))).containsExactly(v2.controller());
            assertThat(run.err).contains("enabled +" + v2.controller());
        } finally {
            stop(sleeper);
            CgroupV2.remove(cgroup);
        }
    }

    @Test
    void aControllerTheCgroupCannotHaveIsNamedAndSpurStartsAnyway() throws Exception {
        CgroupV2 v2 = CgroupV2.require();
        Path cgroup = v2.create();
        try {
            Run run = Run.inCgroup(
                    cgroup, Map.of("SPUR_CGROUP_MOUNT", v2.mount().toString(), "SPUR_CGROUP_CONTROLLERS", "nosuch"));

            assertThat(run.exit).isZero();
            assertThat(run.err).contains("controller nosuch is not available in " + cgroup);
            assertThat(run.out).contains("/init\n");
            assertThat(CgroupV2.words(cgroup.resolve("cgroup.subtree_control"))).isEmpty();
        } finally {
            CgroupV2.remove(cgroup);
        }
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    /** One run of the entrypoint to its end: exit status, output, and the pid it ran as. */
    private record Run(int exit, String out, String err, long pid) {
        /** {@code entrypoint.sh command…} with {@code env} added. */
        static Run of(Map<String, String> env, String... command) throws Exception {
            List<String> argv = new ArrayList<>(List.of("sh", Repo.ENTRYPOINT.toString()));
            argv.addAll(List.of(command));
            return run(env, argv);
        }

        /** The entrypoint started in {@code cgroup} (as a container's first process is), running {@code cat /proc/self/cgroup}. */
        static Run inCgroup(Path cgroup, Map<String, String> env) throws Exception {
            return run(
                    env,
                    List.of(
                            "sh",
                            "-c",
                            "echo $$ > \"$1/cgroup.procs\" && exec sh \"$2\" cat /proc/self/cgroup",
                            "sh",
                            cgroup.toString(),
                            Repo.ENTRYPOINT.toString()));
        }

        private static Run run(Map<String, String> env, List<String> argv) throws Exception {
            ProcessBuilder builder = new ProcessBuilder(argv);
            builder.environment().remove("SPUR_CGROUP_ROOT");
            builder.environment().putAll(env);
            Path err = Files.createTempFile("spur-entrypoint", ".err");
            try {
                Process p = builder.redirectError(err.toFile()).start();
                p.getOutputStream().close();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("the entrypoint did not finish");
                }
                return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), Files.readString(err), p.pid());
            } finally {
                Files.delete(err);
            }
        }
    }
}
