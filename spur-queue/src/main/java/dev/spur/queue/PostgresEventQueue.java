package dev.spur.queue;

import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import dev.spur.store.Database;
import dev.spur.store.SqlWork;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The event queue a fleet shares, on PostgreSQL: the same contract as {@link SqliteEventQueue}, with
 * holds kept as leases in the database so that many nodes take from one queue.
 *
 * <p>Design. The {@code events} table is the queue; there is no in-memory mirror of it (other nodes change
 * it). Writes go through a {@link GroupCommitWriter} (one thread; each batch one transaction on a pooled
 * connection, committed with PostgreSQL's default {@code synchronous_commit = on}, so one WAL flush covers
 * every 202 of the batch; the batch's inserts, and its completions, each go as one JDBC batch, one round
 * trip). Takers share a small local buffer of claimed events: when it is empty, one of
 * them claims as many events as there are takers waiting ({@link Leases#claim}, at most
 * {@value #MAX_CLAIM}), the others wait. When nothing was due, the next claim waits {@value #IDLE_POLL_MILLIS}
 * ms unless this node enqueues meanwhile: an idle node asks the database about ten times a second, and an
 * event enqueued on another node, or coming due after a retry delay, is taken within that.
 *
 * <p>Clocks: leases expire by the database's clock ({@code now()}), never a node's, so nodes whose clocks
 * disagree still agree on who holds what. Due times ({@code visible_at}) are the queue's {@code clock}, as
 * on SQLite (they are set by that clock too: retry delays of a minute or more are not hurt by clock skew).
 *
 * <p>Failure semantics across nodes (at least once, never lost): an enqueue that returned is committed; an
 * event leaves the table only when its outcome is committed (complete, dead letter — the move in one
 * transaction — or retry with a new due time and no owner). A node that dies holding events stops renewing
 * their leases; after at most one lease another node claims and runs them again (attempt count as last
 * recorded). A node that was only slow may record an outcome after its lease moved on: the last recorded
 * outcome wins, and the event may run twice. A clean {@link #close} releases this node's leases at once,
 * and so does opening the queue again under the same node name (a restart): node names must be unique
 * among live nodes, or two of them free each other's events (run twice, never lost).
 *
 * <p>Statistics: depth, held (by any node), delayed, oldest age and dead letters are counted in the
 * database, fleet-wide; the rates since open are this node's.
 */
final class PostgresEventQueue implements EventQueue {
    static final int MAX_CLAIM = 32;
    static final long IDLE_POLL_MILLIS = 100;

    private final Database database;
    private final InstantSource clock;
    private final Leases leases;
    private final GroupCommitWriter writer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<QueuedEvent> buffer = new ArrayDeque<>(); // guarded by lock
    private int waiting; // guarded by lock
    private boolean claiming; // guarded by lock
    private long nextClaimNanos; // guarded by lock: no claim before, unless woken by an enqueue
    private boolean closed; // guarded by lock
    private final AtomicLong enqueued = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();

    private PostgresEventQueue(Database database, String node, InstantSource clock, Duration lease) {
        this.database = database;
        this.clock = clock;
        this.leases = new Leases(database, node, lease);
        this.writer = new GroupCommitWriter(work -> database.transaction(work), () -> {}, true);
    }

    /** As {@link SqliteEventQueue#eventsCommitted}: takers look again at once. */
    void eventsCommitted(List<QueuedEvent> events) {
        enqueued.addAndGet(events.size());
        wakeTakers(true);
    }

    /** The writer every durable change to this queue's database goes through (shared by {@link MessageStore}). */
    GroupCommitWriter writer() {
        return writer;
    }

    static PostgresEventQueue open(Database database, String node, InstantSource clock, Duration lease) {
        if (node == null || node.isBlank()) {
            throw new IllegalArgumentException("a node name is needed to own leases");
        }
        if (lease.toMillis() < 100) {
            throw new IllegalArgumentException("a lease must be at least 100 ms: " + lease);
        }
        PostgresEventQueue queue = new PostgresEventQueue(database, node, clock, lease);
        try {
            queue.leases.releaseAll(); // what this node held before it restarted runs again now, not after expiry
        } catch (SQLException e) {
            queue.abandon();
            throw new IllegalStateException("Cannot open the event queue: " + e.getMessage(), e);
        }
        return queue;
    }

    @Override
    public void enqueue(QueuedEvent event) {
        QueuedEvent stored = new QueuedEvent(
                event.id(),
                event.function(),
                event.qualifier(),
                event.payload(),
                SqliteEventQueue.millis(event.enqueuedAt()),
                event.attempts(),
                SqliteEventQueue.millis(event.visibleAt()),
                event.origin());
        writer.submit(new GroupCommitWriter.Statement<Void>() {
            @Override
            public String sql() {
                return SqliteEventQueue.INSERT_EVENT;
            }

            @Override
            public void bind(PreparedStatement insert) throws SQLException {
                SqliteEventQueue.bindEvent(insert, stored);
                insert.setString(11, stored.id());
            }

            @Override
            public Void result(int inserted) {
                if (inserted == 0) {
                    throw LambdaException.conflict("An event with id %s is already queued", stored.id());
                }
                return null;
            }

            @Override
            public void committed(Void result) {
                enqueued.incrementAndGet();
            }
        });
        wakeTakers(true);
    }

    /** For {@link PubSubStore#deliver}: inserts within the writer's transaction; false if the id is taken. */
    boolean insertEvent(Connection c, QueuedEvent event) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(SqliteEventQueue.INSERT_EVENT)) {
            SqliteEventQueue.bindEvent(insert, event);
            insert.setString(11, event.id());
            return insert.executeUpdate() > 0;
        }
    }

    /** After the transaction of {@link #insertEvent} committed (on the writer thread). */
    void insertedEvent(QueuedEvent event) {
        enqueued.incrementAndGet();
    }

    @Override
    public boolean enqueueClaimed(QueuedEvent event, String claim) {
        QueuedEvent stored = new QueuedEvent(
                event.id(),
                event.function(),
                event.qualifier(),
                event.payload(),
                SqliteEventQueue.millis(event.enqueuedAt()),
                event.attempts(),
                SqliteEventQueue.millis(event.visibleAt()),
                event.origin());
        boolean enqueuedIt = writer.submit(new GroupCommitWriter.Operation<Boolean>() {
            @Override
            public Boolean write(Connection c) throws SQLException {
                try (PreparedStatement prune = c.prepareStatement(
                        "DELETE FROM schedule_fires WHERE claimed_at < now() - make_interval(secs => ?)")) {
                    prune.setLong(1, CLAIMS_KEPT.toSeconds());
                    prune.executeUpdate();
                }
                // One statement: the event is inserted only if this transaction inserted the claim. A node
                // that claims at the same moment waits on the claim's key until this commits, then finds it.
                try (PreparedStatement insert = c.prepareStatement(
                        "WITH claimed AS (INSERT INTO schedule_fires (claim) VALUES (?) ON CONFLICT (claim) DO NOTHING "
                                + "RETURNING claim) INSERT INTO events (" + SqliteEventQueue.EVENT_COLUMNS
                                + ") SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM claimed)")) {
                    insert.setString(1, claim);
                    SqliteEventQueue.bindEventFrom(insert, 2, stored);
                    return insert.executeUpdate() > 0;
                }
            }

            @Override
            public void committed(Boolean result) {
                if (result) {
                    enqueued.incrementAndGet();
                }
            }
        });
        if (enqueuedIt) {
            wakeTakers(true);
        }
        return enqueuedIt;
    }

    @Override
    public Optional<QueuedEvent> take(Duration wait) throws InterruptedException {
        return take(wait, Set.of());
    }

    @Override
    public Optional<QueuedEvent> take(Duration wait, Set<FunctionKey> warm) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lockInterruptibly();
        waiting++;
        try {
            while (true) {
                requireOpen();
                QueuedEvent ready = buffer.poll();
                if (ready != null) {
                    return Optional.of(ready);
                }
                long now = System.nanoTime();
                if (!claiming && now - nextClaimNanos >= 0) {
                    List<QueuedEvent> claimed = claimUnlocked(Math.min(MAX_CLAIM, waiting), warm);
                    requireOpen();
                    buffer.addAll(claimed);
                    if (!claimed.isEmpty()) {
                        changed.signalAll();
                        continue;
                    }
                    nextClaimNanos = System.nanoTime() + IDLE_POLL_MILLIS * 1_000_000;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return Optional.empty();
                }
                long untilClaim = claiming ? remaining : Math.max(1, nextClaimNanos - System.nanoTime());
                changed.awaitNanos(Math.min(remaining, untilClaim));
            }
        } finally {
            waiting--;
            lock.unlock();
        }
    }

    /** Claims with the lock released (others wait on {@link #claiming}); called and returns with it held. */
    private List<QueuedEvent> claimUnlocked(int max, Set<FunctionKey> warm) {
        claiming = true;
        lock.unlock();
        try {
            return leases.claim(max, clock.instant(), warm);
        } catch (SQLException e) {
            throw LambdaException.internal("The event queue could not claim events", e);
        } finally {
            lock.lock();
            claiming = false;
            changed.signalAll();
        }
    }

    @Override
    public void complete(String id) {
        writer.submit(new GroupCommitWriter.Statement<Boolean>() {
            @Override
            public String sql() {
                return "DELETE FROM events WHERE id = ?";
            }

            @Override
            public void bind(PreparedStatement delete) throws SQLException {
                delete.setString(1, id);
            }

            @Override
            public Boolean result(int deleted) {
                return deleted > 0;
            }

            @Override
            public void committed(Boolean deleted) {
                leases.forget(id);
                if (deleted) {
                    completed.incrementAndGet();
                }
            }
        });
    }

    @Override
    public void retry(String id, int attempts, Instant visibleAt) {
        LambdaException.requireValid(attempts >= 0, "attempts must not be negative: %d", attempts);
        Instant at = SqliteEventQueue.millis(visibleAt);
        writer.submit(new GroupCommitWriter.Operation<Void>() {
            @Override
            public Void write(Connection c) throws SQLException {
                try (PreparedStatement update = c.prepareStatement("UPDATE events SET attempts = ?, visible_at = ?, "
                        + "owner = NULL, lease_until = NULL WHERE id = ?")) {
                    update.setInt(1, attempts);
                    update.setLong(2, at.toEpochMilli());
                    update.setString(3, id);
                    if (update.executeUpdate() == 0) {
                        throw SqliteEventQueue.notQueued(id);
                    }
                }
                return null;
            }

            @Override
            public void committed(Void result) {
                leases.forget(id);
                retried.incrementAndGet();
            }
        });
        wakeTakers(true);
    }

    @Override
    public void deadLetter(String id, int attempts, DeadLetterReason reason) {
        writer.submit(new GroupCommitWriter.Operation<Void>() {
            @Override
            public Void write(Connection c) throws SQLException {
                try (PreparedStatement insert = c.prepareStatement(SqliteEventQueue.DEAD_LETTER_FROM_EVENT);
                        PreparedStatement delete = c.prepareStatement("DELETE FROM events WHERE id = ?")) {
                    SqliteEventQueue.bindDeadLetter(insert, clock.millis(), id, attempts, reason);
                    if (insert.executeUpdate() == 0) {
                        throw SqliteEventQueue.notQueued(id);
                    }
                    delete.setString(1, id);
                    delete.executeUpdate();
                }
                return null;
            }

            @Override
            public void committed(Void result) {
                leases.forget(id);
                deadLettered.incrementAndGet();
            }
        });
    }

    @Override
    public List<DeadLetter> deadLetters(
            String account, Optional<String> functionName, Optional<String> afterId, int max) {
        LambdaException.requireValid(max > 0, "max must be positive: %d", max);
        return read("list dead letters", c -> SqliteEventQueue.listDeadLetters(c, account, functionName, afterId, max));
    }

    @Override
    public Optional<DeadLetter> deadLetter(String account, String id) {
        return read("read a dead letter", c -> SqliteEventQueue.findDeadLetter(c, account, id));
    }

    @Override
    public boolean replay(String account, String id) {
        boolean replayed = writer.submit(new GroupCommitWriter.Operation<Boolean>() {
            @Override
            public Boolean write(Connection c) throws SQLException {
                Optional<DeadLetter> letter = SqliteEventQueue.findDeadLetter(c, account, id);
                if (letter.isEmpty()) {
                    return false;
                }
                try (PreparedStatement delete =
                        c.prepareStatement("DELETE FROM dead_letters WHERE account = ? AND id = ?")) {
                    delete.setString(1, account);
                    delete.setString(2, id);
                    if (delete.executeUpdate() == 0) {
                        return false; // replayed by another node meanwhile
                    }
                }
                DeadLetter dead = letter.get();
                Instant now = SqliteEventQueue.millis(clock.instant());
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO events ("
                        + SqliteEventQueue.EVENT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    SqliteEventQueue.bindEvent(
                            insert,
                            new QueuedEvent(
                                    id, dead.function(), dead.qualifier(), dead.payload(), now, 0, now, dead.origin()));
                    insert.executeUpdate();
                }
                return true;
            }
        });
        if (replayed) {
            wakeTakers(true);
        }
        return replayed;
    }

    @Override
    public int purge(String account, Optional<String> functionName) {
        return writer.submit(new GroupCommitWriter.Operation<Integer>() {
            @Override
            public Integer write(Connection c) throws SQLException {
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM dead_letters WHERE account = ?"
                        + (functionName.isPresent() ? " AND function_name = ?" : ""))) {
                    delete.setString(1, account);
                    if (functionName.isPresent()) {
                        delete.setString(2, functionName.get());
                    }
                    return delete.executeUpdate();
                }
            }
        });
    }

    @Override
    public QueueStats stats() {
        long nowMillis = clock.millis();
        return read("count events", c -> {
            try (PreparedStatement select = c.prepareStatement("""
                    SELECT COUNT(*),
                           COUNT(*) FILTER (WHERE lease_until >= now()),
                           COUNT(*) FILTER (WHERE (lease_until IS NULL OR lease_until < now()) AND visible_at > ?),
                           MIN(enqueued_at),
                           (SELECT COUNT(*) FROM dead_letters)
                    FROM events""")) {
                select.setLong(1, nowMillis);
                try (ResultSet rows = select.executeQuery()) {
                    rows.next();
                    long oldest = rows.getLong(4);
                    Optional<Duration> oldestAge = rows.wasNull()
                            ? Optional.empty()
                            : Optional.of(Duration.ofMillis(Math.max(0, nowMillis - oldest)));
                    return new QueueStats(
                            rows.getLong(1),
                            rows.getLong(2),
                            rows.getLong(3),
                            oldestAge,
                            rows.getLong(5),
                            enqueued.get(),
                            completed.get(),
                            retried.get(),
                            deadLettered.get());
                }
            }
        });
    }

    /** Makes waiting takers look again; {@code now}: claim at once rather than at the next idle poll. */
    void wakeTakers(boolean now) {
        lock.lock();
        try {
            if (now) {
                nextClaimNanos = System.nanoTime();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stores what was submitted, releases this node's leases (other nodes take those events at once; they
     * run again, as after a restart), and wakes waiting takers (they throw).
     */
    @Override
    public void close() {
        if (!stopTaking()) {
            return;
        }
        writer.close();
        leases.close();
        try {
            leases.releaseAll();
        } catch (SQLException e) {
            throw LambdaException.internal("Could not release the queue's leases; they expire on their own", e);
        }
    }

    /** As a node that dies: stops without releasing its leases (they expire). For tests of reclaiming. */
    void abandon() {
        if (stopTaking()) {
            writer.close();
            leases.close();
        }
    }

    private boolean stopTaking() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw LambdaException.internal("The event queue is closed", null);
        }
    }

    private <T> T read(String what, SqlWork<T> work) {
        try (Connection c = database.connection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw LambdaException.internal("The event queue could not " + what, e);
        }
    }
}
