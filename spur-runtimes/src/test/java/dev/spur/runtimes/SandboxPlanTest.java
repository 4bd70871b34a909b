package dev.spur.runtimes;

import static dev.spur.runtimes.Functions.function;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.runtimes.LambdaRuntime.LaunchPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plans naming the paths a sandboxed process sees: code at /var/task, the client at /var/runtime. */
class SandboxPlanTest {
    private static final Path TASK = Path.of("/var/task");
    private static final Path RUNTIME = Path.of("/var/runtime");

    @TempDir
    Path tmp;

    private Runtimes install() throws IOException {
        Path bin = tmp.resolve("bin");
        for (Path file : List.of(bin.resolve("python3.12"), bin.resolve("node"), tmp.resolve("jdk/bin/java"))) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, "#!/bin/sh\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return Runtimes.install(
                tmp.resolve("runtimes"), new Interpreters(List.of(bin), List.of(), tmp.resolve("jdk")), task -> {});
    }

    @Test
    void pythonAndNodeNameTheClientAtVarRuntimeAndTheirClientDirectoryIsTheHostOne() throws IOException {
        Runtimes runtimes = install();
        LambdaRuntime python = runtimes.find("python3.12").orElseThrow();
        LaunchPlan plan = python.plan(function("python3.12", "app.handler", 128), TASK, RUNTIME);
        assertThat(plan.command())
                .containsExactly(tmp.resolve("bin/python3.12").toString(), "-S", "/var/runtime/bootstrap.py");
        assertThat(plan.environment()).containsEntry("LAMBDA_RUNTIME_DIR", "/var/runtime");
        assertThat(python.clientDirectory()).contains(runtimes.directory().resolve("python"));

        LambdaRuntime node = runtimes.find("nodejs20.x").orElseThrow();
        LaunchPlan nodePlan = node.plan(function("nodejs20.x", "index.handler", 128), TASK, RUNTIME);
        assertThat(nodePlan.command())
                .containsExactly(tmp.resolve("bin/node").toString(), "/var/runtime/bootstrap.mjs");
        assertThat(nodePlan.environment())
                .containsEntry("NODE_PATH", "/var/task")
                .containsEntry("LAMBDA_RUNTIME_DIR", "/var/runtime");
    }

    @Test
    void javaNamesTheClientJarsAtTheirHostPathSoTheAotCacheAppliesAndNeedsThemMountedThereWithItsJdk()
            throws IOException {
        Runtimes runtimes = install();
        LambdaRuntime java = runtimes.find("java21").orElseThrow();
        LaunchPlan plan = java.plan(function("java21", "example.Handler", 1024), TASK, RUNTIME);
        Path client = runtimes.directory().resolve("java");
        assertThat(plan.command())
                .contains(client.resolve("spur-runtime-java.jar") + ":" + client.resolve("aws-lambda-java-core.jar")
                        + ":" + client.resolve("aws-lambda-java-serialization.jar"));
        // the same class path as the process sandbox's: a cache trained there is valid here
        assertThat(plan.command())
                .isEqualTo(java.plan(function("java21", "example.Handler", 1024), TASK)
                        .command());
        assertThat(plan.environment()).containsEntry("LAMBDA_RUNTIME_DIR", "/var/runtime");
        assertThat(java.clientDirectory()).contains(client);
        assertThat(java.interpreterDirectories()).containsExactly(tmp.resolve("jdk"), client);
    }

    @Test
    void customRuntimesHaveNoClientAndExecTheBootstrapInVarTask() throws IOException {
        LambdaRuntime provided = install().find("provided.al2023").orElseThrow();
        assertThat(provided.plan(function("provided.al2023", "", 128), TASK, RUNTIME)
                        .command())
                .containsExactly("/var/task/bootstrap");
        assertThat(provided.clientDirectory()).isEmpty();
        assertThat(provided.interpreterDirectories()).isEmpty();
    }
}
