package dev.spur.runtimes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a test driver against an installed runtime client and returns what it printed. */
final class ClientProcess {
    private ClientProcess() {}

    /** Copies a driver from the test resources into {@code dir}. */
    static Path driver(Path dir, String name) throws IOException {
        Path driver = dir.resolve(name);
        try (InputStream in = ClientProcess.class.getResourceAsStream("/clients/" + name)) {
            Files.copy(in, driver);
        }
        return driver;
    }

    static String run(List<String> command, Map<String, String> environment) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
