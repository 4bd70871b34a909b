package dev.spur.edge;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failed console sign-ins per source address: once an address has {@link #MAX_FAILURES} failures within
 * {@link #WINDOW}, its further attempts are refused (429) without checking the key, until the oldest of those
 * failures is older than the window. A successful sign-in clears the address. Kept in memory on this node (each
 * node of a fleet counts its own) and bounded: past {@link #MAX_ADDRESSES} addresses the least recently failed
 * is forgotten. Time comes from the clock given, so tests move it instead of sleeping.
 */
final class SignInLimiter {
    static final int MAX_FAILURES = 5;
    static final Duration WINDOW = Duration.ofMinutes(5);
    static final int MAX_ADDRESSES = 10_000;

    private final InstantSource clock;
    private final Map<String, ArrayDeque<Long>> failures = new LinkedHashMap<>(16, 0.75f, true);

    SignInLimiter(InstantSource clock) {
        this.clock = clock;
    }

    /** Whether an attempt from {@code address} may be checked now. */
    synchronized boolean allowed(String address) {
        ArrayDeque<Long> times = recent(address);
        return times == null || times.size() < MAX_FAILURES;
    }

    synchronized void failed(String address) {
        ArrayDeque<Long> times = recent(address);
        if (times == null) {
            times = new ArrayDeque<>();
            failures.put(address, times);
        }
        times.addLast(clock.millis());
        if (failures.size() > MAX_ADDRESSES) {
            Iterator<String> eldest = failures.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    synchronized void succeeded(String address) {
        failures.remove(address);
    }

    /** The address's failures within the window (older ones dropped), or null when it has none. */
    private ArrayDeque<Long> recent(String address) {
        ArrayDeque<Long> times = failures.get(address);
        if (times == null) {
            return null;
        }
        long since = clock.millis() - WINDOW.toMillis();
        while (!times.isEmpty() && times.peekFirst() <= since) {
            times.removeFirst();
        }
        if (times.isEmpty()) {
            failures.remove(address);
            return null;
        }
        return times;
    }
}
