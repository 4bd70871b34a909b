package dev.spur.queue;

import java.util.Objects;

/**
 * Why an event left the queue without success.
 *
 * @param condition       e.g. {@code "RetriesExhausted"}, {@code "EventAgeExceeded"}, {@code "Throttled"}; opaque
 *                        to the queue
 * @param errorType       the function's error type, or {@code null}
 * @param errorMessage    the function's error message, or {@code null}
 * @param responsePayload the function's error document, or {@code null}
 */
public record DeadLetterReason(String condition, String errorType, String errorMessage, byte[] responsePayload) {
    public DeadLetterReason {
        Objects.requireNonNull(condition, "condition");
    }
}
