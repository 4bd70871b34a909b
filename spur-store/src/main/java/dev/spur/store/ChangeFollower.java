package dev.spur.store;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Follows a {@link ChangeFeed} on one thread ({@code spur-changes}) and hands each batch of changes to a
 * {@link Listener}, in order: woken by the feed's wake-ups (PostgreSQL {@code NOTIFY}) and polling every
 * {@code poll} as the fallback, so a change is seen within {@code poll} even when a wake-up is lost.
 *
 * <p>Wake-ups release a semaphore; the thread drains it before reading, so a wake-up that arrives while a
 * batch is being read makes it read once more, and none is lost. A failed read (the database away) is
 * logged and retried at the next wake-up or poll; the position does not move, so nothing is skipped.
 */
public final class ChangeFollower implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChangeFollower.class.getName());
    private static final int PAGE = 500;

    /** What a follower tells; called on the follower's thread, one call at a time. */
    public interface Listener {
        /** Changes committed after the previous batch, oldest first. */
        void changed(List<ChangeFeed.Change> changes);

        /** Changes were pruned before they were read: re-read everything. */
        void reload();
    }

    private final ChangeFeed feed;
    private final Duration poll;
    private final Listener listener;
    private final Semaphore wake = new Semaphore(0);
    private final AutoCloseable registration;
    private final Thread thread;
    private volatile long position;
    private volatile boolean closed;

    private ChangeFollower(ChangeFeed feed, long from, Duration poll, Listener listener) {
        this.feed = feed;
        this.poll = poll;
        this.listener = listener;
        this.position = from;
        this.registration = feed.onWakeUp(wake::release);
        this.thread = Thread.ofPlatform().name("spur-changes").daemon().start(this::run);
    }

    /**
     * Starts following the changes committed after {@code fromSeq} (usually {@link ChangeFeed#latestChange()}
     * read before the caller loaded what it keeps in memory).
     */
    public static ChangeFollower start(ChangeFeed feed, long fromSeq, Duration poll, Listener listener) {
        if (poll.isNegative() || poll.isZero()) {
            throw new IllegalArgumentException("poll must be positive: " + poll);
        }
        return new ChangeFollower(feed, fromSeq, poll, listener);
    }

    /** The last sequence number handed to the listener (or skipped by a reload). */
    public long position() {
        return position;
    }

    private void run() {
        while (!closed) {
            try {
                wake.tryAcquire(poll.toNanos(), TimeUnit.NANOSECONDS);
                wake.drainPermits();
                if (!closed) {
                    readAll();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "could not read the change feed; trying again", e);
                }
            }
        }
    }

    private void readAll() {
        while (!closed) {
            ChangeFeed.Changes page = feed.changesSince(position, PAGE);
            if (page.gap()) {
                position = feed.latestChange();
                listener.reload();
                return;
            }
            if (page.changes().isEmpty()) {
                return;
            }
            listener.changed(page.changes());
            position = page.changes().getLast().seq();
            if (page.changes().size() < PAGE) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            registration.close();
        } catch (Exception e) {
            LOG.log(Level.DEBUG, "unregistering a change wake-up failed", e);
        }
        wake.release();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
