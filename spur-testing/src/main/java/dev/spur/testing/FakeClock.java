package dev.spur.testing;

import dev.spur.common.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one fake clock of Spur's tests: wall-clock time ({@link InstantSource}) and monotonic time
 * ({@link Ticker}) that stand still until the test moves them, so keep-alive, retries, schedules,
 * token buckets and due times are checked exactly and without sleeping.
 *
 * <p>Both readings move together: {@link #advance} moves both by the same amount. {@link #set} moves
 * the wall clock to any instant, as an operator or NTP may; the ticker follows it forward but never
 * back, as a machine's monotonic clock does when its wall clock is stepped backwards. Thread-safe:
 * the two readings are one immutable value swapped atomically, so no reader sees one moved without
 * the other.
 */
public final class FakeClock implements InstantSource, Ticker {
    /** Where {@link #nanos()} starts: not zero, so that code treating 0 as "never" is caught. */
    public static final long START_NANOS = 1_000_000_000L;

    private record Reading(Instant wall, long nanos) {}

    private final AtomicReference<Reading> now;

    private FakeClock(Instant start) {
        now = new AtomicReference<>(new Reading(Objects.requireNonNull(start, "start"), START_NANOS));
    }

    /** A clock standing at {@code start}, its ticker at {@link #START_NANOS}. */
    public static FakeClock at(Instant start) {
        return new FakeClock(start);
    }

    /** A clock standing at {@code start} (ISO-8601, e.g. {@code 2026-03-07T12:00:00Z}). */
    public static FakeClock at(String start) {
        return new FakeClock(Instant.parse(start));
    }

    @Override
    public Instant instant() {
        return now.get().wall();
    }

    @Override
    public long nanos() {
        return now.get().nanos();
    }

    /** Moves both readings forward by {@code amount}; returns the new instant. */
    public Instant advance(Duration amount) {
        if (amount.isNegative()) {
            throw new IllegalArgumentException("a clock advances by a positive amount, not " + amount);
        }
        long delta = amount.toNanos();
        return now.updateAndGet(r -> new Reading(r.wall().plus(amount), r.nanos() + delta))
                .wall();
    }

    /** {@link #advance(Duration)} by {@code millis} milliseconds. */
    public Instant advanceMillis(long millis) {
        return advance(Duration.ofMillis(millis));
    }

    /** Sets the wall clock to {@code instant}; the ticker moves forward by as much, or stays if it went back. */
    public void set(Instant instant) {
        Objects.requireNonNull(instant, "instant");
        now.updateAndGet(r -> {
            long delta = Duration.between(r.wall(), instant).toNanos();
            return new Reading(instant, r.nanos() + Math.max(0, delta));
        });
    }

    @Override
    public String toString() {
        Reading r = now.get();
        return "FakeClock[" + r.wall() + ", nanos=" + r.nanos() + "]";
    }
}
