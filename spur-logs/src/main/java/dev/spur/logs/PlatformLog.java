package dev.spur.logs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Locale;

/**
 * Every line the platform itself writes to a function's log, Lambda's platform lines character for
 * character, and the only place they are written: tab-separated fields, durations with two
 * decimals, billed duration in whole milliseconds. Each is written where its event happens:
 *
 * <pre>
 *   INIT_START Runtime Version: spur:&lt;runtime&gt;            an environment starts (Environment.start)
 *   INIT_REPORT Init Duration: … Status: error …          its init failed, before START (Lease.invoke)
 *   START RequestId: … Version: …                         an invocation is dispatched (Lease.invoke)
 *   &lt;time&gt; &lt;request id&gt; Task timed out after N.NN seconds  its deadline passed (Lease.invoke)
 *   END RequestId: …  then  REPORT RequestId: … Duration: …  it is recorded (Invoker.record)
 * </pre>
 *
 * <p>With the JSON log format ({@code LoggingConfig}), the same events are Lambda's JSON system
 * records — {@code platform.initStart}, {@code platform.initReport}, {@code platform.start},
 * {@code platform.runtimeDone}, {@code platform.report} — and INFO ones are dropped when the system
 * log level is WARN; a timeout is an ERROR record with Lambda's words.
 *
 * <p>What the runtime prints goes between them, through the same {@link InvocationLog}.
 */
public final class PlatformLog {
    private static final ObjectMapper JSON = Json.MAPPER;

    private PlatformLog() {}

    /** An environment's init begins. */
    public static void initStart(InvocationLog log, String runtimeId) {
        if (log.logging().json()) {
            ObjectNode r = JSON.createObjectNode()
                    .put("initializationType", "on-demand")
                    .put("phase", "init")
                    .put("runtimeVersion", "spur:" + runtimeId);
            system(log, "platform.initStart", r);
        } else {
            log.line(initStartLine(runtimeId));
        }
    }

    /** The environment an invocation waited for failed to initialise with {@code errorType}. */
    public static void initError(InvocationLog log, long initNanos, String errorType) {
        if (log.logging().json()) {
            ObjectNode r = JSON.createObjectNode()
                    .put("initializationType", "on-demand")
                    .put("phase", "init")
                    .put("status", "error")
                    .put("errorType", errorType);
            r.putObject("metrics").put("durationMs", new BigDecimal(millis(Math.max(0, initNanos))));
            log.line(record("platform.initReport", r)); // an error: shown at every system log level
        } else {
            log.line(initErrorLine(initNanos, errorType));
        }
    }

    /** An invocation begins. */
    public static void start(InvocationLog log, String requestId, String version) {
        if (log.logging().json()) {
            system(
                    log,
                    "platform.start",
                    JSON.createObjectNode().put("requestId", requestId).put("version", version));
        } else {
            log.line(startLine(requestId, version));
        }
    }

    /** An invocation's deadline passed at {@code at}; its environment has been stopped. */
    public static void timedOut(InvocationLog log, Instant at, String requestId, long timeoutNanos) {
        if (log.logging().json()) {
            ObjectNode r = JSON.createObjectNode()
                    .put("timestamp", at.toString())
                    .put("level", "ERROR")
                    .put("requestId", requestId)
                    .put("message", taskTimedOut(timeoutNanos));
            log.line(r.toString());
        } else {
            log.line(timedOutLine(at, requestId, timeoutNanos));
        }
    }

    /**
     * An invocation is over: END, then REPORT with its duration, billed duration, memory size, peak
     * memory and, on a cold start, the init duration. With the JSON format: {@code platform.runtimeDone}
     * and {@code platform.report} records, dropped below the system log level (they are INFO).
     *
     * @param initNanos negative when the invocation was not a cold start
     */
    public static void endAndReport(
            InvocationLog log,
            String requestId,
            long durationNanos,
            int memorySizeMb,
            long maxMemoryUsedMb,
            long initNanos) {
        long billed = billedMillis(durationNanos, initNanos);
        if (log.logging().json()) {
            system(log, "platform.runtimeDone", JSON.createObjectNode().put("requestId", requestId));
            ObjectNode r = JSON.createObjectNode().put("requestId", requestId);
            ObjectNode metrics = r.putObject("metrics")
                    .put("durationMs", new BigDecimal(millis(durationNanos)))
                    .put("billedDurationMs", billed)
                    .put("memorySizeMB", memorySizeMb)
                    .put("maxMemoryUsedMB", maxMemoryUsedMb);
            if (initNanos >= 0) {
                metrics.put("initDurationMs", new BigDecimal(millis(initNanos)));
            }
            system(log, "platform.report", r);
            return;
        }
        log.line(endLine(requestId));
        log.line(reportLine(requestId, durationNanos, billed, memorySizeMb, maxMemoryUsedMb, initNanos));
    }

    /** A platform record at INFO, unless the system log level is above it. */
    private static void system(InvocationLog log, String type, ObjectNode record) {
        if (log.logging().passesSystem("INFO")) {
            log.line(record(type, record));
        }
    }

    /** {@code {"time":"…","type":"platform.start","record":{…}}}, as Lambda writes system logs in JSON. */
    static String record(String type, ObjectNode record) {
        ObjectNode node = JSON.createObjectNode();
        node.put("time", Instant.ofEpochMilli(System.currentTimeMillis()).toString());
        node.put("type", type);
        node.set("record", record);
        return node.toString();
    }

    /** Lambda's words for a timeout, in the line and in the error the caller gets: {@code Task timed out after 3.00 seconds}. */
    public static String taskTimedOut(long timeoutNanos) {
        return "Task timed out after " + seconds(timeoutNanos) + " seconds";
    }

    static String initStartLine(String runtimeId) {
        return "INIT_START Runtime Version: spur:" + runtimeId;
    }

    /** {@code INIT_REPORT Init Duration: 12.34 ms	Phase: init	Status: error	Error Type: Runtime.ExitError}. */
    static String initErrorLine(long initNanos, String errorType) {
        return "INIT_REPORT Init Duration: " + millis(Math.max(0, initNanos))
                + " ms\tPhase: init\tStatus: error\tError Type: " + errorType;
    }

    static String startLine(String requestId, String version) {
        return "START RequestId: " + requestId + " Version: " + version;
    }

    /** {@code 2026-01-01T00:00:03.001Z <request id> Task timed out after 3.00 seconds}. */
    static String timedOutLine(Instant at, String requestId, long timeoutNanos) {
        return at + " " + requestId + " " + taskTimedOut(timeoutNanos);
    }

    static String endLine(String requestId) {
        return "END RequestId: " + requestId;
    }

    /**
     * {@code REPORT RequestId: … Duration: 38.66 ms Billed Duration: 39 ms Memory Size: 128 MB
     * Max Memory Used: 54 MB [Init Duration: 203.69 ms]}, tab-separated.
     *
     * @param initNanos negative when the invocation was not a cold start
     */
    static String reportLine(
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
