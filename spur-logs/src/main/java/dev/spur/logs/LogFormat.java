package dev.spur.logs;

import java.util.Locale;

/**
 * Lambda's platform log lines, character for character: tab-separated fields, durations with two
 * decimals, billed duration in whole milliseconds.
 */
public final class LogFormat {
    private LogFormat() {}

    public static String initStart(String runtimeId) {
        return "INIT_START Runtime Version: spur:" + runtimeId;
    }

    public static String start(String requestId, String version) {
        return "START RequestId: " + requestId + " Version: " + version;
    }

    public static String end(String requestId) {
        return "END RequestId: " + requestId;
    }

    /**
     * {@code REPORT RequestId: … Duration: 38.66 ms Billed Duration: 39 ms Memory Size: 128 MB
     * Max Memory Used: 54 MB [Init Duration: 203.69 ms]}, tab-separated.
     *
     * @param initNanos negative when the invocation was not a cold start
     */
    public static String report(
            String requestId,
            long durationNanos,
            long billedMillis,
            int memorySizeMb,
            long maxMemoryUsedMb,
            long initNanos) {
        StringBuilder sb = new StringBuilder(200)
                .append("REPORT RequestId: ")
                .append(requestId)
                .append("\tDuration: ")
                .append(millis(durationNanos))
                .append(" ms")
                .append("\tBilled Duration: ")
                .append(billedMillis)
                .append(" ms")
                .append("\tMemory Size: ")
                .append(memorySizeMb)
                .append(" MB")
                .append("\tMax Memory Used: ")
                .append(maxMemoryUsedMb)
                .append(" MB");
        if (initNanos >= 0) {
            sb.append("\tInit Duration: ").append(millis(initNanos)).append(" ms");
        }
        return sb.append('\t').toString();
    }

    /**
     * Billed duration: every started millisecond of the invocation, plus the init phase on a cold
     * start (Lambda bills the init phase of on-demand environments).
     */
    public static long billedMillis(long durationNanos, long initNanos) {
        long total = durationNanos + Math.max(0, initNanos);
        return Math.max(1, (total + 999_999) / 1_000_000);
    }

    /** {@code 1.00}, as in {@code Task timed out after 1.00 seconds}. */
    public static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e9);
    }

    public static String millis(long nanos) {
        long hundredths = Math.round(nanos / 10_000.0);
        long whole = hundredths / 100;
        long frac = hundredths % 100;
        return whole + (frac < 10 ? ".0" : ".") + frac;
    }
}
