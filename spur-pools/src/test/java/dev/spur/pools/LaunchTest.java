package dev.spur.pools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.sandbox.Sandbox.LaunchSpec;
import dev.spur.sandbox.Sandbox.Mount;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an environment is started with, on the host ({@code process}) and in a sandbox that isolates files. */
class LaunchTest {
    @TempDir
    Path tmp;

    @Test
    void onTheHostEverythingNamesTheHostsPathsAndNothingIsMounted() throws Exception {
        Deployment d = TestDeployments.deployment(tmp, "fn", 256, 3, Map.of());
        LaunchSpec spec = Launch.spec(d, false, "stream", tmp.resolve("out"), "on-demand", Map.of());
        assertThat(spec.command())
                .containsExactly(d.taskRoot().resolve("bootstrap").toString());
        assertThat(spec.workingDirectory()).isEqualTo(d.taskRoot());
        assertThat(spec.environment())
                .containsEntry("LAMBDA_TASK_ROOT", d.taskRoot().toString())
                .containsEntry(
                        "LD_LIBRARY_PATH",
                        "/usr/local/lib:/usr/lib:/lib:" + d.taskRoot() + ":" + d.taskRoot() + "/lib");
        assertThat(spec.mounts()).isEmpty();
        assertThat(spec.memoryMb()).isEqualTo(256);
        assertThat(spec.environment())
                .as("the sandbox tells the runtime where its Runtime API is")
                .doesNotContainKey("AWS_LAMBDA_RUNTIME_API");
    }

    @Test
    void inASandboxTheCodeIsMountedReadOnlyAtVarTaskAndNamedThere() throws Exception {
        Deployment d = TestDeployments.deployment(tmp, "fn", 256, 3, Map.of());
        LaunchSpec spec = Launch.spec(d, true, "stream", tmp.resolve("out"), "on-demand", Map.of());
        assertThat(spec.command()).containsExactly("/var/task/bootstrap");
        assertThat(spec.workingDirectory()).isEqualTo(Path.of("/var/task"));
        assertThat(spec.environment())
                .containsEntry("LAMBDA_TASK_ROOT", "/var/task")
                .containsEntry("LD_LIBRARY_PATH", "/usr/local/lib:/usr/lib:/lib:/var/task:/var/task/lib");
        assertThat(spec.environment().toString()).doesNotContain(d.taskRoot().toString());
        assertThat(spec.mounts()).containsExactly(Mount.readOnly(d.taskRoot(), "/var/task")); // no client: provided
        assertThat(spec.ephemeralMb()).isEqualTo(512);
    }
}
