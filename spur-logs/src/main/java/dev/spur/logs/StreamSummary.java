package dev.spur.logs;

/** A log stream's events: first and last event time (epoch ms) and bytes stored. */
public record StreamSummary(long first, long last, long bytes) {
    StreamSummary plus(StreamSummary other) {
        return new StreamSummary(Math.min(first, other.first), Math.max(last, other.last), bytes + other.bytes);
    }
}
