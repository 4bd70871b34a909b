package dev.spur.sqs;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes whoever waits for a queue (a long poll, a mapping's poller) the moment a send to it commits:
 * a counter per queue that a send bumps and waiters watch. No polling tick: a waiter sleeps until the
 * counter moves or its own deadline (the next message coming due) passes.
 */
final class Arrivals {
    private final ConcurrentMap<String, Signal> signals = new ConcurrentHashMap<>();

    long seen(String queue) {
        return signal(queue).version();
    }

    void arrived(String queue) {
        signal(queue).bump();
    }

    /** Waits until a send after {@code seen} or for {@code max}; true if something arrived. */
    boolean await(String queue, long seen, Duration max) throws InterruptedException {
        return signal(queue).await(seen, max.toNanos());
    }

    private Signal signal(String queue) {
        return signals.computeIfAbsent(queue, q -> new Signal());
    }

    private static final class Signal {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition moved = lock.newCondition();
        private long version; // guarded by lock

        long version() {
            lock.lock();
            try {
                return version;
            } finally {
                lock.unlock();
            }
        }

        void bump() {
            lock.lock();
            try {
                version++;
                moved.signalAll();
            } finally {
                lock.unlock();
            }
        }

        boolean await(long seen, long nanos) throws InterruptedException {
            lock.lock();
            try {
                long left = nanos;
                while (version == seen && left > 0) {
                    left = moved.awaitNanos(left);
                }
                return version != seen;
            } finally {
                lock.unlock();
            }
        }
    }
}
