package dev.spur.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * wrk, the HTTP load generator (Debian's package, at {@value #BINARY}), driven by {@code peers.lua}: the same
 * requests against every system of {@link PeerComparison}. wrk keeps one connection per client open and sends
 * the next request as soon as the answer arrives (a closed loop); its latencies are per request as the client
 * sees them, and the script prints them, with the counts of what failed, on one {@code WRK-RESULT} line.
 */
final class Wrk {
    static final String BINARY = "/usr/bin/wrk";
    private static final String MARKER = "WRK-RESULT ";

    /**
     * One run.
     *
     * @param requests       every answer, whatever its status
     * @param non2xx         answers with a status outside 200–299
     * @param functionErrors 2xx answers that carry {@code X-Amz-Function-Error} (the handler failed)
     * @param socketErrors   connect, read and write errors; {@code timeouts}: no answer within wrk's timeout
     * @param non2xxByStatus {@code non2xx} by status code
     */
    record Result(
            long requests,
            double seconds,
            long non2xx,
            long functionErrors,
            long socketErrors,
            long timeouts,
            double p50Millis,
            double p90Millis,
            double p99Millis,
            SortedMap<Integer, Long> non2xxByStatus) {
        double requestsPerSecond() {
            return requests / seconds;
        }

        /** Answers per second that were a success: 2xx and no function error. */
        double successesPerSecond() {
            return (requests - non2xx - functionErrors) / seconds;
        }
    }

    private final Path script;

    private Wrk(Path script) {
        this.script = script;
    }

    /** Writes the script into {@code dir}; fails if wrk is not installed. */
    static Wrk in(Path dir) throws IOException {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new IllegalStateException("wrk is not installed at " + BINARY + " (apt-get install wrk)");
        }
        Path script = dir.resolve("peers.lua");
        try (InputStream in = Wrk.class.getResourceAsStream("peers.lua")) {
            Files.write(script, in.readAllBytes());
        }
        return new Wrk(script);
    }

    /**
     * {@code clients} connections on as many wrk threads as there are cores (at most one per client), for
     * {@code seconds} (whole seconds, at least one).
     *
     * @throws IOException if wrk fails or prints no result line (its output is in the message)
     */
    Result run(URI url, int clients, int seconds) throws IOException, InterruptedException {
        int threads = Math.min(clients, Runtime.getRuntime().availableProcessors());
        Process wrk = new ProcessBuilder(
                        BINARY,
                        "-t",
                        String.valueOf(threads),
                        "-c",
                        String.valueOf(clients),
                        "-d",
                        Math.max(1, seconds) + "s",
                        "--timeout",
                        "5s",
                        "-s",
                        script.toString(),
                        url.toString())
                .redirectErrorStream(true)
                .start();
        String output;
        try (InputStream in = wrk.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!wrk.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
            wrk.destroyForcibly();
            throw new IOException("wrk did not finish: " + output);
        }
        if (wrk.exitValue() != 0) {
            throw new IOException("wrk exited " + wrk.exitValue() + ": " + output);
        }
        return parse(output);
    }

    /** The {@code WRK-RESULT} line {@code peers.lua} prints at the end of a run. */
    static Result parse(String output) throws IOException {
        List<String> lines = output.lines().filter(l -> l.startsWith(MARKER)).toList();
        if (lines.size() != 1) {
            throw new IOException(
                    "expected one " + MARKER.strip() + " line from wrk, got " + lines.size() + ": " + output);
        }
        JsonNode r = Json.MAPPER.readTree(lines.getFirst().substring(MARKER.length()));
        SortedMap<Integer, Long> byStatus = new TreeMap<>();
        r.path("non2xxByStatus")
                .properties()
                .forEach(e ->
                        byStatus.put(Integer.valueOf(e.getKey()), e.getValue().asLong()));
        return new Result(
                r.path("requests").asLong(),
                r.path("durationMicros").asLong() / 1e6,
                r.path("non2xx").asLong(),
                r.path("functionErrors").asLong(),
                r.path("socketErrors").asLong(),
                r.path("timeouts").asLong(),
                r.path("p50Micros").asLong() / 1e3,
                r.path("p90Micros").asLong() / 1e3,
                r.path("p99Micros").asLong() / 1e3,
                byStatus);
    }

    /** The installed wrk's version line, e.g. {@code wrk debian/4.1.0-3+b2}. */
    static String version() {
        try {
            Process p = new ProcessBuilder(BINARY, "--version")
                    .redirectErrorStream(true)
                    .start();
            String first;
            try (InputStream in = p.getInputStream()) {
                first = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .findFirst()
                        .orElse("wrk");
            }
            p.waitFor(5, TimeUnit.SECONDS);
            int end = first.indexOf(" [");
            return (end > 0 ? first.substring(0, end) : first).strip().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return "wrk";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "wrk";
        }
    }
}
