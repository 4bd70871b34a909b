package dev.spur.logs;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * What a forward read of a log wants: events of the streams {@code stream} accepts, timed within
 * {@code [startTime, endTime]} (both inclusive), matching {@code pattern}, from log position
 * {@code from}, at most {@code limit} events and about {@code maxBytes} of messages.
 */
public record LogFilter(
        Predicate<String> stream,
        long startTime,
        long endTime,
        FilterPattern pattern,
        long from,
        int limit,
        int maxBytes) {
    public LogFilter {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(pattern, "pattern");
        if (limit < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("limit and maxBytes must be positive");
        }
    }

    /** Every event of every stream from the start of the log. */
    public static LogFilter all() {
        return new LogFilter(s -> true, Long.MIN_VALUE, Long.MAX_VALUE, FilterPattern.any(), 0, 10_000, 1 << 20);
    }
}
