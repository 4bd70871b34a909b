package dev.spur.queue;

import dev.spur.common.FunctionKey;
import dev.spur.store.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The durable queue behind asynchronous invocation ({@code X-Amz-Invocation-Type: Event}). The edge
 * answers 202 once {@link #enqueue} returns; dispatchers {@link #take} due events, run them, and
 * record the outcome with {@link #complete}, {@link #retry} or {@link #deadLetter}.
 *
 * <p>Delivery is <b>at least once</b>. An event leaves the queue only when its outcome is recorded.
 * On the embedded queue, holds (who is running what) are kept in memory only: after a restart or a
 * crash every event without a recorded outcome is available again. On the shared queue a hold is a
 * lease in the database, renewed by its node while it runs the event: when the node dies, its events
 * are claimed by another node once their leases expire. Either way an event runs again with the attempt
 * count last recorded, even if it had already run to the end before the crash; functions must tolerate
 * a repeat of the same request id.
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
     * The queue a fleet shares, on a PostgreSQL database {@link Database#postgres} opened (and migrated).
     * Holds become leases in the database: {@code node} names this node as their owner, they last
     * {@link #DEFAULT_LEASE} from the database's clock and are renewed while held, and another node claims
     * an event whose lease expired (its node died). {@code clock} decides when an event is due and stamps
     * dead letters and replays, as on SQLite. Closing the queue does not close the database.
     */
    static EventQueue postgres(Database database, String node, InstantSource clock) {
        return PostgresEventQueue.open(database, node, clock, DEFAULT_LEASE);
    }

    /** How long a held event stays claimed on a shared queue without a renewal from its node. */
    Duration DEFAULT_LEASE = Duration.ofSeconds(30);

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
     * Durably stores the event, as {@link #enqueue}, unless {@code claim} was claimed before (by this node
     * or any other of a fleet): the claim and the event are committed in one transaction, so of all the
     * callers naming one claim exactly one enqueues, and a claim is never taken without its event. Claims
     * are kept {@link #CLAIMS_KEPT}. Schedules use this: every node that finds a fire due calls it with
     * the fire's claim (the schedule and the scheduled time), and the fire runs once.
     *
     * @return true if this call stored the event; false if the claim was taken (nothing stored)
     * @throws dev.spur.common.LambdaException 500 ({@code internal}) if it could not be stored: then
     *                                         neither the claim nor the event was
     */
    boolean enqueueClaimed(QueuedEvent event, String claim);

    /** How long a claim of {@link #enqueueClaimed} is remembered. */
    Duration CLAIMS_KEPT = Duration.ofDays(1);

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
     * As {@link #take(Duration)}, preferring due events of the functions in {@code warm} (those this node
     * has environments for): on a shared queue they are claimed first, and other nodes take the rest. The
     * embedded queue has one node and ignores the preference.
     */
    default Optional<QueuedEvent> take(Duration wait, Set<FunctionKey> warm) throws InterruptedException {
        return take(wait);
    }

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
     * @param attempts how many times the function was run for this event in all (recorded with the letter)
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
