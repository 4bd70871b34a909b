package dev.spur.queue;

import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory index of the events table: which events exist, which are held, and which is due next.
 *
 * <p>State: {@link #byId} has every event in the queue; {@link #available} has those not held, ordered
 * by {@code visibleAt} then {@link Entry#seq} (enqueue order); {@link #held} has the rest. So
 * {@code byId = available ∪ held}, disjoint. Entries are immutable; a retry replaces one.
 *
 * <p>Who changes what: only the writer thread adds, requeues and removes, each right after the commit
 * that made the change durable and in commit order, so the index never shows an event the database
 * lacks and never lags behind a change a caller has seen return. Takers only move entries from
 * {@code available} to {@code held}.
 *
 * <p>Concurrency: one {@link ReentrantLock} (parks virtual threads without pinning) guards all of it;
 * nothing blocking runs under it. Takers wait on {@link #changed} until the first available entry is due
 * or the wait ends. Each add or release signals one waiter; a taker that leaves another due entry behind
 * passes the signal on, so a burst of arrivals wakes as many takers as it needs, not all of them.
 *
 * <p>Memory: payloads are kept while their total stays within {@link #payloadBudget}; beyond it an entry
 * keeps only metadata ({@code payload == null}) and the queue reads the payload from the database on take.
 * Events loaded at open keep no payload.
 */
final class PendingEvents {
    private static final Comparator<Entry> DUE_ORDER =
            Comparator.comparing(Entry::visibleAt).thenComparingLong(Entry::seq);

    /** One queued event; {@code payload} is null when it is only in the database. */
    record Entry(
            String id,
            FunctionKey function,
            String qualifier,
            byte[] payload,
            Instant enqueuedAt,
            int attempts,
            Instant visibleAt,
            String origin,
            long seq) {

        QueuedEvent toEvent(byte[] payload) {
            return new QueuedEvent(id, function, qualifier, payload, enqueuedAt, attempts, visibleAt, origin);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, Entry> byId = new HashMap<>();
    private final NavigableSet<Entry> available = new TreeSet<>(DUE_ORDER);
    private final Set<String> held = new HashSet<>();
    private final InstantSource clock;
    private final long payloadBudget;
    private long payloadBytes;
    private long nextSeq;
    private boolean closed;

    PendingEvents(InstantSource clock, long payloadBudget) {
        this.clock = clock;
        this.payloadBudget = payloadBudget;
    }

    /** Adds a stored event, available (not held); keeps its payload if the budget allows. */
    void add(QueuedEvent event, boolean keepPayload) {
        lock.lock();
        try {
            removeLocked(event.id()); // ids are unique in the database; this only keeps the index sane
            byte[] payload = null;
            if (keepPayload && payloadBytes + event.payload().length <= payloadBudget) {
                payload = event.payload();
                payloadBytes += payload.length;
            }
            Entry entry = new Entry(
                    event.id(),
                    event.function(),
                    event.qualifier(),
                    payload,
                    event.enqueuedAt(),
                    event.attempts(),
                    event.visibleAt(),
                    event.origin(),
                    nextSeq++);
            byId.put(entry.id(), entry);
            available.add(entry);
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** A retry was stored: the event is available again from {@code visibleAt}, no longer held. */
    void requeue(String id, int attempts, Instant visibleAt) {
        lock.lock();
        try {
            Entry old = byId.get(id);
            if (old == null) {
                return;
            }
            if (!held.remove(id)) {
                available.remove(old);
            }
            Entry entry = new Entry(
                    id,
                    old.function(),
                    old.qualifier(),
                    old.payload(),
                    old.enqueuedAt(),
                    attempts,
                    visibleAt,
                    old.origin(),
                    old.seq());
            byId.put(id, entry);
            available.add(entry);
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The event left the queue (completed or dead-lettered). */
    void remove(String id) {
        lock.lock();
        try {
            removeLocked(id);
        } finally {
            lock.unlock();
        }
    }

    private void removeLocked(String id) {
        Entry old = byId.remove(id);
        if (old == null) {
            return;
        }
        if (!held.remove(id)) {
            available.remove(old);
        }
        if (old.payload() != null) {
            payloadBytes -= old.payload().length;
        }
    }

    /**
     * Waits up to {@code wait} (real time) for the first available entry to come due by the clock, and
     * holds it. An entry due in the future is waited for until it is due; with a clock that does not
     * move with real time, call {@link #wakeTakers()} after moving it.
     */
    Optional<Entry> take(Duration wait) throws InterruptedException {
        long remaining = wait.toNanos();
        lock.lockInterruptibly();
        try {
            while (true) {
                requireOpen();
                long untilDue = Long.MAX_VALUE;
                if (!available.isEmpty()) {
                    Entry first = available.first();
                    untilDue = nanosUntil(first.visibleAt());
                    if (untilDue <= 0) {
                        available.pollFirst();
                        held.add(first.id());
                        if (!available.isEmpty() && nanosUntil(available.first().visibleAt()) <= 0) {
                            changed.signal(); // pass it on: more is due
                        }
                        return Optional.of(first);
                    }
                }
                if (remaining <= 0) {
                    return Optional.empty();
                }
                long sleep = Math.min(remaining, untilDue);
                long left = changed.awaitNanos(sleep);
                remaining -= sleep - Math.max(left, 0);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Lets go of a hold without a recorded outcome (the payload could not be read). */
    void release(String id) {
        lock.lock();
        try {
            Entry entry = byId.get(id);
            if (entry != null && held.remove(id)) {
                available.add(entry);
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Makes every waiting taker look again, e.g. after a test moved its clock. */
    void wakeTakers() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waiting and later takers throw. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Depth, held, delayed and oldest age; O(n) in the queue's depth. */
    QueueStats stats(long deadLetters, long enqueued, long completed, long retried, long deadLettered) {
        lock.lock();
        try {
            Instant now = clock.instant();
            long delayed = 0;
            for (Entry entry : available.descendingSet()) {
                if (!entry.visibleAt().isAfter(now)) {
                    break;
                }
                delayed++;
            }
            Optional<Duration> oldestAge = byId.values().stream()
                    .map(Entry::enqueuedAt)
                    .min(Comparator.naturalOrder())
                    .map(oldest -> Duration.between(oldest, now));
            return new QueueStats(
                    byId.size(),
                    held.size(),
                    delayed,
                    oldestAge,
                    deadLetters,
                    enqueued,
                    completed,
                    retried,
                    deadLettered);
        } finally {
            lock.unlock();
        }
    }

    private long nanosUntil(Instant instant) {
        long millis = instant.toEpochMilli() - clock.millis();
        return millis <= 0
                ? 0
                : millis >= Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private void requireOpen() {
        if (closed) {
            throw LambdaException.internal("The event queue is closed", null);
        }
    }
}
