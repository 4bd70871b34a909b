package dev.spur.invoke;

import java.util.Optional;

/**
 * The origin an asynchronous event is stored with, carrying its trace header: {@code "<origin>"} or
 * {@code "<origin> <X-Amzn-Trace-Id>"} (origins are {@code invoke}, {@code destination},
 * {@code schedule:<name>}: no spaces). The queue keeps the field as it is, so every retry, its
 * destination record and a replay from the dead letters run under the trace the event was accepted with.
 */
public final class EventOrigin {
    private EventOrigin() {}

    /** {@code origin} with {@code traceHeader} attached. */
    public static String of(String origin, String traceHeader) {
        return origin + " " + traceHeader;
    }

    /** The origin without its trace header. */
    public static String origin(String stored) {
        int space = stored.indexOf(' ');
        return space < 0 ? stored : stored.substring(0, space);
    }

    /** The trace header stored with the event, if any. */
    public static Optional<String> traceHeader(String stored) {
        int space = stored.indexOf(' ');
        return space < 0 ? Optional.empty() : Optional.of(stored.substring(space + 1));
    }
}
