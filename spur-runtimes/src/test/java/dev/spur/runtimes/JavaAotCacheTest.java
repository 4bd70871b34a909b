package dev.spur.runtimes;

import static dev.spur.runtimes.Functions.function;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real training run on this JVM (a few seconds): the cache it makes is one Java launches can use. */
class JavaAotCacheTest {
    @TempDir
    Path tmp;

    @Test
    void trainingBuildsACacheThatPlannedJavaLaunchesLoadClassesFrom() throws IOException, InterruptedException {
        Interpreters thisJvm = new Interpreters(List.of(), List.of(), Path.of(System.getProperty("java.home")));
        Runtimes runtimes = Runtimes.install(tmp, thisJvm, Runnable::run); // trains before returning

        List<String> command = new ArrayList<>(runtimes.find("java21")
                .orElseThrow()
                .plan(function("java21", "x.Y", 256), tmp)
                .command());
        assertThat(command).anyMatch(flag -> flag.startsWith("-XX:AOTCache=")).doesNotContain("-Xshare:auto");

        // The planned JVM, running the training workload instead of Main (which needs a Runtime API).
        command.set(command.size() - 1, JavaRuntime.TRAINING_CLASS);
        command.add(1, "-Xlog:class+load:stdout");
        Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(jvm.exitValue()).as(output).isZero();
        assertThat(output).contains("dev.spur.runtime.java.HandlerLoader source: shared objects file");

        try (Stream<Path> java = Files.list(runtimes.directory().resolve("java"))) {
            assertThat(java.map(p -> p.getFileName().toString()))
                    .as("only the jars and the cache: no partial file or training log left")
                    .allMatch(name -> name.endsWith(".jar") || name.matches("client-[0-9a-f]{8}\\.aot"));
        }
    }
}
