package dev.spur.runtime.java;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * {@code context.getLogger()}: writes to standard output, which Spur collects as the function's log.
 * AWS frames every call as one log event; on a plain stream the same is achieved by ending each
 * message with a newline when it lacks one. Leveled messages get AWS's text prefix {@code [LEVEL] }.
 *
 * <p>With {@code AWS_LAMBDA_LOG_FORMAT=JSON} every call is one JSON record, as Lambda's Java runtime
 * writes it: {@code {"timestamp":…,"level":…,"message":…,"AWSRequestId":…}}, and leveled messages
 * below {@code AWS_LAMBDA_LOG_LEVEL} are dropped (unleveled ones always pass).
 */
final class StdoutLogger implements LambdaLogger {
    static final StdoutLogger INSTANCE = new StdoutLogger(null);

    private final String requestId;

    private StdoutLogger(String requestId) {
        this.requestId = requestId;
    }

    /** The logger of one invocation: its JSON records carry the request id. */
    static StdoutLogger forRequest(String requestId) {
        return new StdoutLogger(requestId);
    }

    private static boolean json() {
        return "JSON".equals(System.getenv("AWS_LAMBDA_LOG_FORMAT"));
    }

    private static boolean passes(LogLevel level) {
        if (level == LogLevel.UNDEFINED) {
            return true;
        }
        String threshold = System.getenv("AWS_LAMBDA_LOG_LEVEL");
        if (threshold == null || threshold.isEmpty()) {
            return true;
        }
        try {
            return level.ordinal()
                    >= LogLevel.valueOf(threshold.toUpperCase(Locale.ROOT)).ordinal();
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    @Override
    public void log(String message) {
        log(message, LogLevel.UNDEFINED);
    }

    @Override
    public void log(byte[] message) {
        log(message, LogLevel.UNDEFINED);
    }

    @Override
    public void log(String message, LogLevel level) {
        if (json()) {
            if (!passes(level)) {
                return;
            }
            StringBuilder record =
                    new StringBuilder(64 + String.valueOf(message).length());
            record.append("{\"timestamp\":");
            Json.quote(record, Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
            if (level != LogLevel.UNDEFINED) {
                record.append(",\"level\":");
                Json.quote(record, level.name());
            }
            record.append(",\"message\":");
            Json.quote(record, String.valueOf(message));
            if (requestId != null) {
                record.append(",\"AWSRequestId\":");
                Json.quote(record, requestId);
            }
            write(record.append('}').toString().getBytes(StandardCharsets.UTF_8));
            return;
        }
        String text = level == LogLevel.UNDEFINED ? String.valueOf(message) : "[" + level + "] " + message;
        write(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void log(byte[] message, LogLevel level) {
        if (json()) {
            log(new String(message, StandardCharsets.UTF_8), level);
            return;
        }
        write(message);
    }

    private static void write(byte[] message) {
        PrintStream out = System.out;
        synchronized (out) {
            out.write(message, 0, message.length);
            if (message.length == 0 || message[message.length - 1] != '\n') {
                out.write('\n');
            }
            out.flush();
        }
    }
}
