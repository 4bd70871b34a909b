package dev.spur.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one way Spur's tests wait for something another thread or process does: poll a condition
 * with a short, growing sleep (1 ms doubling to {@link #MAX_POLL}) until it holds, and fail with an
 * {@link AssertionError} naming what was awaited — and the last value seen — once the timeout has
 * passed. Never a loop without a deadline.
 *
 * <p>The timeout is how long a failure takes to be reported, not a promise of speed: choose it
 * generously (a loaded CI machine is slow), and check speed in benchmarks. An exception thrown by the
 * condition ends the wait at once and propagates.
 */
public final class Await {
    /** The longest pause between two polls. */
    public static final Duration MAX_POLL = Duration.ofMillis(50);

    private Await() {}

    /** Waits until {@code condition} holds; fails naming {@code what} after {@code timeout}. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        await(what, timeout, condition::getAsBoolean, Boolean::booleanValue);
    }

    /**
     * Reads {@code value} until {@code done} accepts it and returns that value; fails after
     * {@code timeout} with a message naming {@code what} and the last value read.
     */
    public static <T> T await(String what, Duration timeout, Supplier<T> value, Predicate<? super T> done) {
        Objects.requireNonNull(what, "what");
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 1_000_000L;
        while (true) {
            T seen = value.get();
            if (done.test(seen)) {
                return seen;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("gave up after " + timeout + " waiting for " + what + lastSeen(seen));
            }
            sleep(Math.min(Math.min(pause, MAX_POLL.toNanos()), left), what);
            pause *= 2;
        }
    }

    /** Waits until {@code value} is present and returns it; fails naming {@code what} after {@code timeout}. */
    public static <T> T awaitPresent(String what, Duration timeout, Supplier<Optional<T>> value) {
        return await(what, timeout, value, Optional::isPresent).orElseThrow();
    }

    /** The last value read, unless it is the bare boolean of {@link #await(String, Duration, BooleanSupplier)}. */
    private static String lastSeen(Object seen) {
        return seen instanceof Boolean ? "" : "; last seen: " + seen;
    }

    private static void sleep(long nanos, String what) {
        LockSupport.parkNanos(nanos);
        if (Thread.currentThread().isInterrupted()) {
            throw new AssertionError("interrupted while waiting for " + what);
        }
    }
}
