package dev.spur.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code spur async}: the asynchronous path at a glance. Named after {@code /spur/v1/async} and
 * {@code invoke --async} rather than "queue", because it reports what happened to events (succeeded,
 * retried, throttled, expired, dead-lettered), not only what waits in the queue.
 */
@Command(
        name = "async",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Show the asynchronous queue: events waiting, the oldest one's age, retries, expirations "
                    + "and dead letters.",
            "Covers every account on the server; counts are since it started."
        })
final class AsyncCommand implements Callable<Integer> {
    /** Label and wire field, in the order printed after the queue's current state. */
    private static final List<Map.Entry<String, String>> COUNTS = List.of(
            Map.entry("enqueued", "enqueued"),
            Map.entry("completed", "completed"),
            Map.entry("succeeded", "succeeded"),
            Map.entry("function errors", "functionErrors"),
            Map.entry("retried", "retried"),
            Map.entry("throttled", "throttled"),
            Map.entry("expired by age", "expiredByAge"),
            Map.entry("dead-lettered", "deadLettered"),
            Map.entry("to failure destination", "sentToFailureDestination"));

    @Spec
    CommandSpec spec;

    @Mixin
    EndpointOption endpoint;

    @Option(names = "--json", description = "Print the statistics as JSON.")
    boolean json;

    /** Reads only. */
    @Override
    public Integer call() {
        Map<String, Object> stats = endpoint.client().asyncStats();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Output.json(stats));
        } else {
            String format = "%-24s %s%n";
            out.printf(
                    format,
                    "queued events",
                    number(stats, "depth") + " (" + number(stats, "running") + " running, " + number(stats, "delayed")
                            + " waiting to retry)");
            Object oldest = stats.get("oldestEventAgeMillis");
            out.printf(format, "oldest event age", oldest instanceof Number n ? age(n.longValue()) : "-");
            out.printf(format, "dead letters stored", number(stats, "deadLetters"));
            out.println();
            out.println("since the server started:");
            for (Map.Entry<String, String> count : COUNTS) {
                out.printf(format, count.getKey(), number(stats, count.getValue()));
            }
        }
        out.flush();
        return 0;
    }

    private static String number(Map<String, Object> stats, String field) {
        return Output.text(stats.get(field));
    }

    /** {@code 850 ms}, {@code 12.3 s}, {@code 4 min 5 s}, {@code 3 h 20 min}. */
    static String age(long millis) {
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        long seconds = millis / 1000;
        if (seconds < 3600) {
            return seconds / 60 + " min " + seconds % 60 + " s";
        }
        return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
    }
}
