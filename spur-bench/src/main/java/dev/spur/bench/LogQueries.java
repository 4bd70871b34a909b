package dev.spur.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.management.OperatingSystemMXBean;
import dev.spur.common.Caller;
import dev.spur.common.Json;
import dev.spur.logs.FilterPattern;
import dev.spur.logs.FunctionLog;
import dev.spur.logs.LogFilter;
import dev.spur.logs.LogStore;
import dev.spur.server.SpurServer;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;

/**
 * {@code FilterLogEvents} over one function's log of a million lines, through the real API on a real
 * Spur: the lines are appended to the function's log group as invocations append them (100 lines per
 * append, 50 log streams, one line every 36 ms of log time, so ten hours of log), then a time-bounded
 * query (one minute in the middle, with and without a filter pattern) is asked over HTTP, first after a
 * restart (the index by time is rebuilt by the first query) and then warm; a query over the whole log
 * with a pattern is measured for comparison. Latency is the client's, with the load average beside it.
 */
public final class LogQueries {
    static final int LINES = 1_000_000;
    private static final long STEP_MILLIS = 36;
    private static final int PER_APPEND = 100;
    private static final int STREAMS = 50;
    private static final int WARM_RUNS = 20;

    private LogQueries() {}

    /** The figures, in milliseconds. */
    public record Result(
            long bytes,
            double writeSeconds,
            double coldMs,
            double rebuildMs,
            double warmP50Ms,
            double warmMaxMs,
            int eventsInWindow,
            double patternP50Ms,
            double wholeLogMs,
            double loadAverage) {}

    public static Result measure(PrintStream log) throws Exception {
        Path data = Files.createTempDirectory("spur-bench-logs-");
        SpurServer.Options options = SpurServer.Options.defaults(data).withPort(0);
        String function = "bench-logs";
        String group = "/aws/lambda/" + function;
        long start = System.currentTimeMillis() - LINES * STEP_MILLIS;
        long bytes;
        double writeSeconds;
        try (SpurServer server = SpurServer.start(options)) {
            FunctionLog fl = server.logs().group(Caller.DEFAULT_ACCOUNT, "us-east-1", group);
            long t0 = System.nanoTime();
            StringBuilder batch = new StringBuilder(PER_APPEND * 120);
            for (int i = 0; i < LINES; i++) {
                long at = start + i * STEP_MILLIS;
                batch.append(Instant.ofEpochMilli(at))
                        .append(' ')
                        .append("2026/12/06/[$LATEST]")
                        .append(String.format(Locale.ROOT, "%032x", i / PER_APPEND % STREAMS))
                        .append(' ')
                        .append(i % 50 == 0 ? "ERROR request failed: " : "INFO handled request ")
                        .append(i)
                        .append(" in ")
                        .append(i % 97)
                        .append(" ms\n");
                if ((i + 1) % PER_APPEND == 0) {
                    fl.append(batch.toString().getBytes(StandardCharsets.UTF_8));
                    batch.setLength(0);
                }
            }
            writeSeconds = (System.nanoTime() - t0) / 1e9;
            bytes = fl.storedBytes();
            log.printf("wrote %,d lines (%,d bytes) in %.1f s%n", LINES, bytes, writeSeconds);
        }
        long s0 = System.nanoTime();
        long c0 = cpuNanos();
        try (SpurServer server = SpurServer.start(options)) {
            double startMs = (System.nanoTime() - s0) / 1e6;
            double startCpuMs = (cpuNanos() - c0) / 1e6;
            log.printf("restart: %.1f ms (process CPU %.1f ms)%n", startMs, startCpuMs);
            URI endpoint = URI.create(server.endpoint());
            HttpClient http = HttpClient.newHttpClient();
            long middle = start + LINES / 2 * STEP_MILLIS;
            String window =
                    "\"logGroupName\":\"%s\",\"startTime\":%d,\"endTime\":%d".formatted(group, middle, middle + 60_000);
            long t0 = System.nanoTime();
            long tc = cpuNanos();
            JsonNode first = filter(http, endpoint, "{" + window + "}");
            double cold = (System.nanoTime() - t0) / 1e6;
            double coldCpu = (cpuNanos() - tc) / 1e6;
            int events = first.get("events").size();
            log.printf(
                    "first query after the restart: %.1f ms (process CPU %.1f ms), %d events%n", cold, coldCpu, events);
            double[] warm = new double[WARM_RUNS];
            double[] pattern = new double[WARM_RUNS];
            for (int i = 0; i < WARM_RUNS; i++) {
                long s = System.nanoTime();
                filter(http, endpoint, "{" + window + "}");
                warm[i] = (System.nanoTime() - s) / 1e6;
                s = System.nanoTime();
                filter(http, endpoint, "{" + window + ",\"filterPattern\":\"ERROR\"}");
                pattern[i] = (System.nanoTime() - s) / 1e6;
            }
            Arrays.sort(warm);
            Arrays.sort(pattern);
            long s = System.nanoTime();
            filter(
                    http,
                    endpoint,
                    "{\"logGroupName\":\"" + group + "\",\"filterPattern\":\"\\\"request 999999 \\\"\"}");
            double whole = (System.nanoTime() - s) / 1e6;
            // The index rebuild alone, on a warm JVM: a fresh store over the same directory, as after a restart.
            LogStore fresh = LogStore.open(data.resolve("logs"));
            long r0 = System.nanoTime();
            int rebuilt = fresh.group(Caller.DEFAULT_ACCOUNT, "us-east-1", group)
                    .filter(new LogFilter(x -> true, middle, middle + 60_000, FilterPattern.any(), 0, 10_000, 1 << 20))
                    .events()
                    .size();
            double rebuildMs = (System.nanoTime() - r0) / 1e6;
            log.printf("in-process, fresh store: %.1f ms, %d events%n", rebuildMs, rebuilt);
            double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            log.printf("load average %.2f%n", load);
            return new Result(
                    bytes,
                    writeSeconds,
                    cold,
                    rebuildMs,
                    warm[WARM_RUNS / 2],
                    warm[WARM_RUNS - 1],
                    events,
                    pattern[WARM_RUNS / 2],
                    whole,
                    load);
        } finally {
            try (var files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** CPU time of this whole process (every thread: the server's, the JIT compiler's, the collector's). */
    private static long cpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static JsonNode filter(HttpClient http, URI endpoint, String body) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(endpoint.resolve("/"))
                        .header("Content-Type", "application/x-amz-json-1.1")
                        .header("X-Amz-Target", "Logs_20140328.FilterLogEvents")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(
                    "FilterLogEvents answered " + response.statusCode() + ": " + response.body());
        }
        return Json.MAPPER.readTree(response.body());
    }

    public static String markdown(Result r) {
        return String.format(
                Locale.ROOT,
                """
                FilterLogEvents over one function's log of %,d lines (%.0f MB, 50 streams, ten hours), through the API \
                on a real Spur; a one-minute window in the middle (%d events).

                | query | latency |
                |---|---:|
                | time-bounded, first after a restart (index rebuilt; cold JVM) | %.0f ms |
                | the same in-process on a warm JVM (fresh store: index files + the open segment scanned) | %.0f ms |
                | time-bounded, warm p50 / max of %d | %.1f / %.1f ms |
                | time-bounded + pattern `ERROR`, warm p50 | %.1f ms |
                | whole log, phrase pattern (no time bound) | %.0f ms |

                Appending the lines (100 per append): %.1f s. Load average during the queries: %.2f.
                %s
                """,
                LINES,
                r.bytes() / 1e6,
                r.eventsInWindow(),
                r.coldMs(),
                r.rebuildMs(),
                WARM_RUNS,
                r.warmP50Ms(),
                r.warmMaxMs(),
                r.patternP50Ms(),
                r.wholeLogMs(),
                r.writeSeconds(),
                r.loadAverage(),
                Machine.describe());
    }
}
