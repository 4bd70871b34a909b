package dev.spur.queue;

import dev.spur.common.FunctionKey;
import java.time.Instant;
import java.util.Objects;

/**
 * One asynchronous invocation waiting in the {@link EventQueue}.
 *
 * <p>The queue keeps times to the millisecond: what {@link EventQueue#take} hands back has
 * {@code enqueuedAt} and {@code visibleAt} truncated to milliseconds. The payload array is neither
 * copied nor changed by the queue; do not modify it after {@link EventQueue#enqueue}.
 *
 * @param id         the request id the function sees, the same on every attempt; unique in the queue
 * @param function   the function to invoke
 * @param qualifier  the version or alias invoked; {@code ""} = unqualified
 * @param payload    the event document
 * @param enqueuedAt when the event was accepted, for the maximum event age
 * @param attempts   function-error attempts made so far, 0 at first
 * @param visibleAt  not run before this instant
 * @param origin     where the event came from, e.g. {@code "invoke"}, {@code "destination"},
 *                   {@code "schedule:<name>"}; opaque to the queue
 */
public record QueuedEvent(
        String id,
        FunctionKey function,
        String qualifier,
        byte[] payload,
        Instant enqueuedAt,
        int attempts,
        Instant visibleAt,
        String origin) {
    public QueuedEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(qualifier, "qualifier");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(enqueuedAt, "enqueuedAt");
        Objects.requireNonNull(visibleAt, "visibleAt");
        Objects.requireNonNull(origin, "origin");
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must not be negative: " + attempts);
        }
    }
}
