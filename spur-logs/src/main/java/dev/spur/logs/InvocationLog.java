package dev.spur.logs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.common.LoggingConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;

/**
 * The log of one phase of an environment (its init, or one invocation): every line goes to the
 * function's log file, stamped with time and log stream, and the last lines are kept for
 * {@code X-Amz-Log-Result} (the last 4 KB of this invocation's log).
 *
 * <p>Lines arrive from the environment's stdout and stderr readers and from the pools; methods
 * are synchronized (uncontended in the common case). Lines are buffered and written to the file in
 * one append at {@link #flush()}, or earlier when the buffer grows past {@value #FLUSH_AT} bytes.
 */
public final class InvocationLog {
    /** Lambda returns the last 4 KB of the log in {@code X-Amz-Log-Result}. */
    public static final int TAIL_BYTES = 4096;

    private static final int FLUSH_AT = 64 * 1024;

    private final FunctionLog file;
    private final String stream;
    private final LoggingConfig logging;
    private final StringBuilder pending = new StringBuilder(256);
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private int tailBytes;

    public InvocationLog(FunctionLog file, String stream) {
        this(file, stream, LoggingConfig.DEFAULT);
    }

    /** A log whose records follow the function's {@code LoggingConfig} (format and levels). */
    public InvocationLog(FunctionLog file, String stream, LoggingConfig logging) {
        this.file = file;
        this.stream = stream;
        this.logging = logging;
    }

    LoggingConfig logging() {
        return logging;
    }

    /**
     * A line the runtime printed. With the JSON format, a JSON record whose {@code level} is below the
     * application log level is dropped, as Lambda drops it; every other line is kept as printed.
     */
    public void output(String text) {
        if (logging.json() && !logging.applicationLogLevel().isEmpty() && !logging.passesApplication(level(text))) {
            return;
        }
        line(text);
    }

    /** The {@code level} of a JSON record, or null for anything else. */
    private static String level(String text) {
        if (!text.startsWith("{") || !text.contains("\"level\"")) {
            return null;
        }
        try {
            JsonNode level = Json.MAPPER.readTree(text).get("level");
            return level != null && level.isTextual() ? level.textValue() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    public synchronized void line(String text) {
        LogLines.appendTime(pending, System.currentTimeMillis())
                .append(' ')
                .append(stream)
                .append(' ')
                .append(text)
                .append('\n');
        tail.addLast(text);
        tailBytes += text.length() + 1;
        while (tailBytes - tail.peekFirst().length() - 1 >= TAIL_BYTES) {
            tailBytes -= tail.removeFirst().length() + 1;
        }
        if (pending.length() >= FLUSH_AT) {
            flush();
        }
    }

    /** Writes buffered lines to the function's log file (one append). */
    public synchronized void flush() {
        if (!pending.isEmpty()) {
            file.append(pending.toString().getBytes(StandardCharsets.UTF_8));
            pending.setLength(0);
        }
    }

    /** Base64 of the last {@value #TAIL_BYTES} bytes of this log, as {@code X-Amz-Log-Result} carries it. */
    public synchronized String tailBase64() {
        StringBuilder sb = new StringBuilder(tailBytes);
        for (String line : tail) {
            sb.append(line).append('\n');
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        int from = Math.max(0, bytes.length - TAIL_BYTES);
        return Base64.getEncoder().encodeToString(Arrays.copyOfRange(bytes, from, bytes.length));
    }

    /** Keeps this log's tail lines ahead of another's (a cold start's init output before its invocation). */
    public synchronized void prependTailOf(InvocationLog earlier) {
        synchronized (earlier) {
            var lines = new ArrayDeque<>(earlier.tail);
            while (!lines.isEmpty()) {
                String l = lines.removeLast();
                tail.addFirst(l);
                tailBytes += l.length() + 1;
            }
        }
    }
}
