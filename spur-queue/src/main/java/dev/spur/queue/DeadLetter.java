package dev.spur.queue;

import dev.spur.common.FunctionKey;
import java.time.Instant;
import java.util.Objects;

/**
 * An event that left the queue without success, kept until it is replayed or purged.
 *
 * @param attempts the invocation attempts made before it was given up (the failed last one included)
 * @param failedAt when it was dead-lettered
 */
public record DeadLetter(
        String id,
        FunctionKey function,
        String qualifier,
        byte[] payload,
        Instant enqueuedAt,
        Instant failedAt,
        int attempts,
        String origin,
        DeadLetterReason reason) {
    public DeadLetter {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(qualifier, "qualifier");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(enqueuedAt, "enqueuedAt");
        Objects.requireNonNull(failedAt, "failedAt");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(reason, "reason");
    }
}
