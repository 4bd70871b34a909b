package dev.spur.queue;

import java.time.Duration;
import java.util.Optional;

/**
 * A snapshot of the queue, for metrics and the control plane.
 *
 * @param depth        events in the queue, held ones included
 * @param held         events being run now
 * @param delayed      events not held whose {@code visibleAt} is in the future
 * @param oldestAge    now minus the earliest {@code enqueuedAt}; empty when the queue is empty
 * @param deadLetters  dead letters stored, all accounts
 * @param enqueued     {@link EventQueue#enqueue} calls that stored an event, since open
 * @param completed    events completed since open
 * @param retried      retries recorded since open
 * @param deadLettered events dead-lettered since open
 */
public record QueueStats(
        long depth,
        long held,
        long delayed,
        Optional<Duration> oldestAge,
        long deadLetters,
        long enqueued,
        long completed,
        long retried,
        long deadLettered) {}
