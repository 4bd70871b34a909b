package dev.spur.pools;

import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where an environment's invocation waits for its runtime's {@code GET next}: the invoking thread
 * {@linkplain #offer offers} it, a Runtime API connection's virtual thread {@linkplain #take takes} it.
 *
 * <p>A runtime asks for one event at a time, so a {@code next} arriving while another waits means
 * the runtime gave up on the older one (its connection dropped, say, unseen by Spur while nothing is
 * written to it): the newest wait wins and the older one is interrupted and ends without an event,
 * which would otherwise be written to a dead connection and lost until the invocation's timeout. An
 * older wait that took the event as it was superseded puts it back first, for the newer one.
 *
 * <p>{@link #close()} ends every wait, present and future, with no event. Lock-free: a blocking
 * deque and the waiting thread in an atomic.
 */
final class EventHandover {
    private static final Invocation CLOSED = new Invocation("", new byte[0], null, null, null, null, 0);

    private final LinkedBlockingDeque<Invocation> events = new LinkedBlockingDeque<>();
    /** The thread waiting in {@link #take()}, if one is. */
    private final AtomicReference<Thread> waiter = new AtomicReference<>();

    /** Hands {@code invocation} to the current or next {@link #take()}. */
    void offer(Invocation invocation) {
        events.add(invocation);
    }

    /**
     * Waits for the invocation to run.
     *
     * @return it, or null once the handover is closed
     * @throws InterruptedException if interrupted, also by a newer {@code take} superseding this one
     */
    Invocation take() throws InterruptedException {
        Thread me = Thread.currentThread();
        Thread older = waiter.getAndSet(me);
        if (older != null && older != me) {
            older.interrupt();
        }
        Invocation inv;
        try {
            inv = events.take();
            if (waiter.get() != me && inv != CLOSED) {
                events.putFirst(inv); // superseded as it took the event: the newer wait gets it
                throw new InterruptedException("a newer next superseded this one");
            }
        } finally {
            waiter.compareAndSet(me, null);
        }
        if (inv == CLOSED) {
            events.add(CLOSED); // for the next one
            return null;
        }
        return inv;
    }

    /** Ends every {@link #take()}, waiting or to come, with no invocation. */
    void close() {
        events.add(CLOSED);
    }
}
