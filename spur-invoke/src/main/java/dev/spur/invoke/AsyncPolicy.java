package dev.spur.invoke;

import java.time.Duration;
import java.util.List;

/**
 * How the asynchronous path paces itself.
 *
 * @param dispatchers      asynchronous invocations run at once on this node (each a virtual thread);
 *                         the rest of the account's concurrency stays free for synchronous calls
 * @param retryDelays      the wait before the 1st, 2nd, … retry after a function error (Lambda waits
 *                         about one, then two minutes); the last repeats if more are needed
 * @param throttleBackoff  the first wait after a throttle or a capacity shortage; doubles each time
 * @param throttleBackoffMax the longest such wait
 */
public record AsyncPolicy(
        int dispatchers, List<Duration> retryDelays, Duration throttleBackoff, Duration throttleBackoffMax) {
    public AsyncPolicy {
        if (dispatchers < 1) {
            throw new IllegalArgumentException("dispatchers must be at least 1");
        }
        retryDelays = List.copyOf(retryDelays);
        if (retryDelays.isEmpty()) {
            throw new IllegalArgumentException("retryDelays must not be empty");
        }
    }

    public static AsyncPolicy defaults() {
        return new AsyncPolicy(
                32,
                List.of(Duration.ofMinutes(1), Duration.ofMinutes(2)),
                Duration.ofSeconds(1),
                Duration.ofMinutes(5));
    }

    /** Short delays for tests and demos: retries after {@code delay}, throttles back off from {@code delay}. */
    public static AsyncPolicy quick(Duration delay) {
        return new AsyncPolicy(8, List.of(delay, delay.multipliedBy(2)), delay, delay.multipliedBy(8));
    }

    public AsyncPolicy withDispatchers(int n) {
        return new AsyncPolicy(n, retryDelays, throttleBackoff, throttleBackoffMax);
    }

    Duration retryDelay(int retry) {
        return retryDelays.get(Math.min(retry, retryDelays.size()) - 1);
    }

    Duration throttleDelay(int throttles) {
        long millis = throttleBackoff.toMillis() << Math.min(Math.max(throttles - 1, 0), 20);
        return Duration.ofMillis(Math.min(millis, throttleBackoffMax.toMillis()));
    }
}
