package dev.spur.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.sandbox.Sandbox.LaunchSpec;
import dev.spur.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process sandbox's memory figure, read after every invocation from files it keeps open. */
class ProcessSandboxTest {
    @TempDir
    Path root;

    @Test
    void peakMemoryCountsTheMainProcessAndItsChildrenReadAgainAndAgain() throws Exception {
        Path output = Files.createFile(root.resolve("out.log"));
        SandboxedProcess p = Sandbox.process()
                .start(new LaunchSpec(
                        List.of("/usr/bin/python3", "-c", """
                                import os, sys, time
                                a = bytearray(b"\\x01") * (60 << 20)
                                if os.fork() == 0:
                                    b = bytearray(b"\\x01") * (30 << 20)
                                    print("child ready", flush=True)
                                    time.sleep(60)
                                    os._exit(0)
                                time.sleep(60)
                                """), root, Map.of("PATH", "/usr/bin:/bin"), output, 512));
        try {
            Await.await(
                    "the child's allocation",
                    Duration.ofSeconds(20),
                    () -> read(output).contains("child ready"));
            long first = p.peakMemoryBytes();
            // the parent's 60 MB, the child's own 30 MB and the pages it shares with the parent
            assertThat(first).isGreaterThan(130L << 20);
            for (int i = 0; i < 100; i++) {
                assertThat(p.peakMemoryBytes()).as("read %d", i).isGreaterThanOrEqualTo(first);
            }
        } finally {
            p.kill();
        }
        assertThat(p.onExit().get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(p.peakMemoryBytes()).as("once it has exited").isZero();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
