package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One request with curl, which resolves {@code *.localhost} to the loopback itself (no resolver set-up):
 * how the tests reach function URLs and HTTP APIs by host name.
 *
 * @param headerLines the response's header lines, without the status line
 */
record Curl(int status, List<String> headerLines, String body) {
    /** curl {@code options… target}; the headers and body go to files in {@code dir}. Fails unless curl exits 0. */
    static Curl run(Path dir, String target, String... options) throws IOException, InterruptedException {
        Path headers = Files.createTempFile(dir, "headers", ".txt");
        Path body = Files.createTempFile(dir, "body", ".txt");
        List<String> command = new ArrayList<>(List.of(
                Tools.curl().toString(), "-sS", "--max-time", "30", "-D", headers.toString(), "-o", body.toString()));
        command.addAll(List.of(options));
        command.add(target);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("curl finished").isTrue();
        assertThat(p.exitValue()).as("curl " + target + ": " + output).isZero();
        List<String> lines = Files.readAllLines(headers, StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(lines.getFirst().split(" ")[1]);
        return new Curl(status, lines.subList(1, lines.size()), Files.readString(body, StandardCharsets.UTF_8));
    }

    /** The first value of header {@code name}, which must be there. */
    String header(String name) {
        List<String> values = headers(name);
        assertThat(values).as("header " + name).isNotEmpty();
        return values.getFirst();
    }

    /** Every value of header {@code name}, in order. */
    List<String> headers(String name) {
        List<String> values = new ArrayList<>();
        for (String line : headerLines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                values.add(line.substring(colon + 1).strip());
            }
        }
        return values;
    }
}
