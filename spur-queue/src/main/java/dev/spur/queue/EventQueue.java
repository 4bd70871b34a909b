package dev.spur.queue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/**
 * The durable queue behind asynchronous invocation ({@code X-Amz-Invocation-Type: Event}). The edge
 * answers 202 once {@link #enqueue} returns; dispatchers {@link #take} due events, run them, and
 * record the outcome with {@link #complete}, {@link #retry} or {@link #deadLetter}.
 *
 * <p>Delivery is <b>at least once</b>. An event leaves the queue only when its outcome is recorded.
 * Holds (who is running what) are kept in memory only: after a restart or a crash every event
 * without a recorded outcome is available again, with the attempt count last recorded, and runs
 * again even if it had already run to the end before the crash. Functions must tolerate a repeat of
 * the same request id.
 *
 * <p>Durability: every mutating call returns only after its change is committed and fsynced, so it
 * survives a process crash ({@code kill -9}) and a power loss. When a mutating call throws, nothing
 * of it was written. A change made by a call that was still running when the process died may or
 * may not have been stored; its caller never saw it succeed.
 *
 * <p>All methods are safe to call from many threads, virtual threads included. Mutating calls of
 * concurrent callers share one commit (group commit), so a call may wait for others' changes.
 * After {@link #close} every call throws {@link dev.spur.common.LambdaException#internal}.
 */
public interface EventQueue extends AutoCloseable {

    /**
     * Opens (creating if needed) the SQLite queue at {@code file}, migrates its schema and loads
     * every pending event, none held. {@code clock} decides when an event is due and stamps
     * dead letters and replays.
     *
     * @throws IllegalStateException if the file cannot be opened as a database, was written by a
     *                               newer Spur, or a migration fails
     */
    static EventQueue sqlite(Path file, InstantSource clock) {
        return SqliteEventQueue.open(file, clock);
    }

    /**
     * Durably stores the event: fsynced before this returns, and from then on {@link #take} can
     * hand it out. Concurrent callers share one commit.
     *
     * @throws dev.spur.common.LambdaException 409 if an event or dead letter with this id exists;
     *                                         500 ({@code internal}) if it could not be stored. In
     *                                         both cases nothing was stored.
     */
    void enqueue(QueuedEvent event);

    /**
     * Waits up to {@code wait} for an event whose {@code visibleAt} has come and that no one holds,
     * earliest {@code visibleAt} first (then enqueue order). The caller now holds it until it calls
     * {@link #complete}, {@link #retry} or {@link #deadLetter}. The hold is in memory only: after a
     * restart the event is available again.
     *
     * @return the event, or empty if none came due within {@code wait}
     */
    Optional<QueuedEvent> take(Duration wait) throws InterruptedException;

    /**
     * Records the final outcome: the event leaves the queue, durably. Completing an id that is not
     * in the queue does nothing.
     */
    void complete(String id);

    /**
     * Puts the event back in the queue, durably, with the new attempt count, not to run before
     * {@code visibleAt}; the hold is released.
     *
     * @throws dev.spur.common.LambdaException 404 if the id is not in the queue
     */
    void retry(String id, int attempts, Instant visibleAt);

    /**
     * Moves the event into the dead-letter store in one transaction: afterwards it is in exactly one
     * of the two, whatever crashes.
     *
     * @param attempts the invocation attempts made in all, the failed one included (the queue's own
     *                 count is that of the attempts before the last one)
     * @throws dev.spur.common.LambdaException 404 if the id is not in the queue
     */
    void deadLetter(String id, int attempts, DeadLetterReason reason);

    /**
     * An account's dead letters, optionally one function's (by name, any region), ordered by
     * {@code failedAt} then id, starting after {@code afterId} (the last id of the previous page).
     *
     * @throws dev.spur.common.LambdaException 400 if {@code afterId} is not a dead letter of the
     *                                         account, or {@code max} is not positive
     */
    List<DeadLetter> deadLetters(String account, Optional<String> functionName, Optional<String> afterId, int max);

    Optional<DeadLetter> deadLetter(String account, String id);

    /**
     * Moves a dead letter back into the queue in one transaction, same id, attempts 0, enqueued and
     * visible now (a fresh maximum age).
     *
     * @return false if the account has no dead letter with this id
     */
    boolean replay(String account, String id);

    /** Deletes an account's dead letters, or only one function's (by name); returns how many. */
    int purge(String account, Optional<String> functionName);

    QueueStats stats();

    /**
     * Stores the changes already submitted, wakes waiting takers (they throw), and closes the
     * database. Events held at that moment stay in the queue and run again after the next open.
     */
    @Override
    void close();
}
