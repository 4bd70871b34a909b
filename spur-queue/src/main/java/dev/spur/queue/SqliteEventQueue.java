package dev.spur.queue;

import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import dev.spur.store.Migrations;
import dev.spur.store.SqlWork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * The embedded event queue: one SQLite file, written through a group-commit writer, indexed in memory.
 *
 * <p>Design. The database is the truth: an event is in the queue exactly when it has a row in
 * {@code events}. Three parts sit around it:
 * <ul>
 *   <li>{@link GroupCommitWriter} owns the write connection on one platform thread and commits all
 *       waiting writes in one {@code BEGIN IMMEDIATE ... COMMIT} (WAL, {@code synchronous=FULL}: one fsync
 *       per batch). A caller returns only once its batch is durable.</li>
 *   <li>{@link PendingEvents} mirrors {@code events} in memory (metadata always, payloads within a
 *       budget), ordered by due time, with holds. The writer updates it after each commit, in commit
 *       order, so the mirror never runs ahead of the file. Holds are never written: the cheap path
 *       ({@code take}) touches no disk, and a crash releases every hold, which is at-least-once.</li>
 *   <li>A second, read-only-by-use connection under its own lock serves dead-letter reads and payloads
 *       beyond the budget; WAL lets it read while the writer writes.</li>
 * </ul>
 * This is the shape of a write-ahead queue with group commit as in database logging (the WAL is the
 * log; the index is its materialised view), not a broker: no acknowledgements on disk for holds.
 *
 * <p>Crash: a row is committed before its caller returns and before it is visible to takers, so
 * whatever {@code enqueue} returned for is in the file; at open every row is loaded as available. A
 * completion committed before the crash does not run again; one in flight may.
 *
 * <p>Lock order: the writer holds no lock while it commits; it then takes the index lock alone. The
 * read lock and the index lock are never held together.
 */
final class SqliteEventQueue implements EventQueue {
    /** The queue file's schema steps, under {@code db/queue/}; append, never edit. */
    static final List<Migrations.Migration> SCHEMA = List.of(
            Migrations.Migration.fromResource("db/queue", 1, "events"),
            Migrations.Migration.fromResource("db/queue", 2, "schedule_fires"),
            Migrations.Migration.fromResource("db/queue", 3, "sqs"),
            Migrations.Migration.fromResource("db/queue", 4, "s3_objects"),
            Migrations.Migration.fromResource("db/queue", 5, "pubsub"));

    static final long DEFAULT_PAYLOAD_BUDGET = 64L << 20;
    private static final int BUSY_TIMEOUT_MILLIS = 5_000;
    static final String EVENT_COLUMNS =
            "id, account, region, function_name, qualifier, payload, enqueued_at, attempts, visible_at, origin";
    static final String DEAD_LETTER_COLUMNS = "id, account, region, function_name, qualifier, payload, "
            + "enqueued_at, failed_at, attempts, origin, condition, error_type, error_message, response_payload";

    static final String INSERT_EVENT = "INSERT INTO events (" + EVENT_COLUMNS + """
            ) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM dead_letters WHERE id = ?)
            ON CONFLICT (id) DO NOTHING""";

    /** Copies a queued event into dead_letters (failed_at, attempts, condition, error type, message, payload, id). */
    static final String DEAD_LETTER_FROM_EVENT = "INSERT INTO dead_letters (" + DEAD_LETTER_COLUMNS
            + ") SELECT id, account, region, function_name, qualifier, payload, enqueued_at, ?, ?, "
            + "origin, ?, ?, ?, ? FROM events WHERE id = ?";

    private final InstantSource clock;
    private final Map<String, PreparedStatement> writeStatements = new HashMap<>(); // writer thread only
    private final Connection writeConnection;
    private final Connection readConnection;
    private final ReentrantLock readLock = new ReentrantLock();
    private final GroupCommitWriter writer;
    private final PendingEvents pending;
    private final AtomicLong deadLetterCount = new AtomicLong();
    private final AtomicLong enqueued = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();

    private SqliteEventQueue(
            InstantSource clock, Connection writeConnection, Connection readConnection, long payloadBudget) {
        this.clock = clock;
        this.writeConnection = writeConnection;
        this.readConnection = readConnection;
        this.pending = new PendingEvents(clock, payloadBudget);
        this.writer = new GroupCommitWriter(writeConnection, this::forgetWriteStatements);
    }

    /**
     * Events another store ({@link ObjectIndex}) inserted with {@link #INSERT_EVENT} in a transaction of
     * {@link #writer()} that has now committed: they become available to {@link #take}. Writer thread only.
     */
    void eventsCommitted(List<QueuedEvent> events) {
        for (QueuedEvent e : events) {
            pending.add(e, true);
            enqueued.incrementAndGet();
        }
    }

    /** The writer every durable change to this queue's database goes through (shared by {@link MessageStore}). */
    GroupCommitWriter writer() {
        return writer;
    }

    static SqliteEventQueue open(Path file, InstantSource clock) {
        return open(file, clock, DEFAULT_PAYLOAD_BUDGET);
    }

    /** {@code payloadBudget}: how many payload bytes the index may keep in memory. */
    static SqliteEventQueue open(Path file, InstantSource clock, long payloadBudget) {
        Connection write = null;
        Connection read = null;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            write = connect(file);
            Migrations.migrate(write, SCHEMA, "event queue database");
            read = connect(file);
            SqliteEventQueue queue = new SqliteEventQueue(clock, write, read, payloadBudget);
            queue.load();
            return queue;
        } catch (SQLException | IOException e) {
            closeQuietly(read);
            closeQuietly(write);
            throw new IllegalStateException("Cannot open the event queue " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(read);
            closeQuietly(write);
            throw e;
        }
    }

    private static Connection connect(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        Connection connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("PRAGMA journal_mode")) {
            String mode = rows.next() ? rows.getString(1) : "";
            if (!"wal".equalsIgnoreCase(mode)) {
                connection.close();
                throw new IllegalStateException("The event queue " + file + " cannot use WAL mode (got " + mode
                        + "); is it on a network file system?");
            }
        }
        return connection;
    }

    /** Loads every pending event's metadata, none held: the queue may have survived a crash. */
    private void load() throws SQLException {
        try (Statement statement = readConnection.createStatement();
                ResultSet rows = statement.executeQuery("""
                     SELECT id, account, region, function_name, qualifier, enqueued_at, attempts, visible_at, origin
                     FROM events ORDER BY rowid""")) {
            while (rows.next()) {
                pending.add(
                        new QueuedEvent(
                                rows.getString(1),
                                new FunctionKey(rows.getString(2), rows.getString(3), rows.getString(4)),
                                rows.getString(5),
                                new byte[0],
                                Instant.ofEpochMilli(rows.getLong(6)),
                                rows.getInt(7),
                                Instant.ofEpochMilli(rows.getLong(8)),
                                rows.getString(9)),
                        false);
            }
        }
        try (Statement statement = readConnection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM dead_letters")) {
            rows.next();
            deadLetterCount.set(rows.getLong(1));
        }
    }

    @Override
    public void enqueue(QueuedEvent event) {
        QueuedEvent stored = new QueuedEvent(
                event.id(),
                event.function(),
                event.qualifier(),
                event.payload(),
                millis(event.enqueuedAt()),
                event.attempts(),
                millis(event.visibleAt()),
                event.origin());
        writer.submit(new GroupCommitWriter.Operation<Void>() {
            @Override
            public Void write(Connection c) throws SQLException {
                PreparedStatement insert = writeStatement(c, INSERT_EVENT);
                bindEvent(insert, stored);
                insert.setString(11, stored.id());
                if (insert.executeUpdate() == 0) {
                    throw LambdaException.conflict("An event with id %s is already queued", stored.id());
                }
                return null;
            }

            @Override
            public void committed(Void result) {
                pending.add(stored, true);
                enqueued.incrementAndGet();
            }
        });
    }

    /**
     * For {@link PubSubStore#deliver}: inserts {@code event} (already truncated to milliseconds) within
     * the writer's current transaction; false if its id is taken. {@link #insertedEvent} follows the commit.
     */
    boolean insertEvent(Connection c, QueuedEvent event) throws SQLException {
        PreparedStatement insert = writeStatement(c, INSERT_EVENT);
        bindEvent(insert, event);
        insert.setString(11, event.id());
        return insert.executeUpdate() > 0;
    }

    /** On the writer thread, after the transaction of {@link #insertEvent} committed. */
    void insertedEvent(QueuedEvent event) {
        pending.add(event, true);
        enqueued.incrementAndGet();
    }

    @Override
    public boolean enqueueClaimed(QueuedEvent event, String claim) {
        QueuedEvent stored = new QueuedEvent(
                event.id(),
                event.function(),
                event.qualifier(),
                event.payload(),
                millis(event.enqueuedAt()),
                event.attempts(),
                millis(event.visibleAt()),
                event.origin());
        return writer.submit(new GroupCommitWriter.Operation<Boolean>() {
            @Override
            public Boolean write(Connection c) throws SQLException {
                long now = clock.millis();
                PreparedStatement prune = writeStatement(c, "DELETE FROM schedule_fires WHERE claimed_at < ?");
                prune.setLong(1, now - CLAIMS_KEPT.toMillis());
                prune.executeUpdate();
                PreparedStatement claimed =
                        writeStatement(c, "INSERT OR IGNORE INTO schedule_fires (claim, claimed_at) VALUES (?, ?)");
                claimed.setString(1, claim);
                claimed.setLong(2, now);
                if (claimed.executeUpdate() == 0) {
                    return false;
                }
                PreparedStatement insert = writeStatement(c, INSERT_EVENT);
                bindEvent(insert, stored);
                insert.setString(11, stored.id());
                if (insert.executeUpdate() == 0) {
                    // not a request to refuse: the claim is already written, so fail the transaction
                    throw new SQLException("An event with id " + stored.id() + " is already queued");
                }
                return true;
            }

            @Override
            public void committed(Boolean enqueuedIt) {
                if (enqueuedIt) {
                    pending.add(stored, true);
                    enqueued.incrementAndGet();
                }
            }
        });
    }

    @Override
    public Optional<QueuedEvent> take(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Optional<PendingEvents.Entry> taken =
                    pending.take(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (taken.isEmpty()) {
                return Optional.empty();
            }
            PendingEvents.Entry entry = taken.get();
            if (entry.payload() != null) {
                return Optional.of(entry.toEvent(entry.payload()));
            }
            Optional<byte[]> payload;
            try {
                payload = readPayload(entry.id());
            } catch (RuntimeException e) {
                pending.release(entry.id());
                throw e;
            }
            if (payload.isPresent()) {
                return Optional.of(entry.toEvent(payload.get()));
            }
            // Completed by someone else between the hold and the read: it is gone; look for another.
        }
    }

    @Override
    public void complete(String id) {
        writer.submit(new GroupCommitWriter.Operation<Boolean>() {
            @Override
            public Boolean write(Connection c) throws SQLException {
                return deleteEvent(c, id);
            }

            @Override
            public void committed(Boolean deleted) {
                if (deleted) {
                    pending.remove(id);
                    completed.incrementAndGet();
                }
            }
        });
    }

    @Override
    public void retry(String id, int attempts, Instant visibleAt) {
        LambdaException.requireValid(attempts >= 0, "attempts must not be negative: %d", attempts);
        Instant at = millis(visibleAt);
        writer.submit(new GroupCommitWriter.Operation<Void>() {
            @Override
            public Void write(Connection c) throws SQLException {
                PreparedStatement update =
                        writeStatement(c, "UPDATE events SET attempts = ?, visible_at = ? WHERE id = ?");
                update.setInt(1, attempts);
                update.setLong(2, at.toEpochMilli());
                update.setString(3, id);
                if (update.executeUpdate() == 0) {
                    throw notQueued(id);
                }
                return null;
            }

            @Override
            public void committed(Void result) {
                pending.requeue(id, attempts, at);
                retried.incrementAndGet();
            }
        });
    }

    @Override
    public void deadLetter(String id, int attempts, DeadLetterReason reason) {
        writer.submit(new GroupCommitWriter.Operation<Void>() {
            @Override
            public Void write(Connection c) throws SQLException {
                PreparedStatement insert = writeStatement(c, DEAD_LETTER_FROM_EVENT);
                bindDeadLetter(insert, clock.millis(), id, attempts, reason);
                if (insert.executeUpdate() == 0) {
                    throw notQueued(id);
                }
                deleteEvent(c, id);
                return null;
            }

            @Override
            public void committed(Void result) {
                pending.remove(id);
                deadLetterCount.incrementAndGet();
                deadLettered.incrementAndGet();
            }
        });
    }

    @Override
    public List<DeadLetter> deadLetters(
            String account, Optional<String> functionName, Optional<String> afterId, int max) {
        LambdaException.requireValid(max > 0, "max must be positive: %d", max);
        return read("list dead letters", c -> listDeadLetters(c, account, functionName, afterId, max));
    }

    /** One page of an account's dead letters, as {@link #deadLetters(String, Optional, Optional, int)} says. */
    static List<DeadLetter> listDeadLetters(
            Connection c, String account, Optional<String> functionName, Optional<String> afterId, int max)
            throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + DEAD_LETTER_COLUMNS + " FROM dead_letters WHERE account = ?");
        List<Object> args = new ArrayList<>(List.of(account));
        functionName.ifPresent(name -> {
            sql.append(" AND function_name = ?");
            args.add(name);
        });
        if (afterId.isPresent()) {
            long failedAt = failedAt(c, account, afterId.get())
                    .orElseThrow(() -> LambdaException.invalid("No dead letter %s to list after", afterId.get()));
            sql.append(" AND (failed_at, id) > (?, ?)");
            args.add(failedAt);
            args.add(afterId.get());
        }
        sql.append(" ORDER BY failed_at, id LIMIT ?");
        args.add(max);
        try (PreparedStatement select = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                select.setObject(i + 1, args.get(i));
            }
            return deadLetters(select);
        }
    }

    @Override
    public Optional<DeadLetter> deadLetter(String account, String id) {
        return read("read a dead letter", c -> findDeadLetter(c, account, id));
    }

    @Override
    public boolean replay(String account, String id) {
        return writer.submit(new GroupCommitWriter.Operation<Optional<QueuedEvent>>() {
                    @Override
                    public Optional<QueuedEvent> write(Connection c) throws SQLException {
                        Optional<DeadLetter> letter = findDeadLetter(c, account, id);
                        if (letter.isEmpty()) {
                            return Optional.empty();
                        }
                        DeadLetter dead = letter.get();
                        Instant now = millis(clock.instant());
                        QueuedEvent event = new QueuedEvent(
                                id, dead.function(), dead.qualifier(), dead.payload(), now, 0, now, dead.origin());
                        try (PreparedStatement delete = c.prepareStatement("DELETE FROM dead_letters WHERE id = ?")) {
                            delete.setString(1, id);
                            delete.executeUpdate();
                        }
                        try (PreparedStatement insert = c.prepareStatement(
                                "INSERT INTO events (" + EVENT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                            bindEvent(insert, event);
                            insert.executeUpdate();
                        }
                        return Optional.of(event);
                    }

                    @Override
                    public void committed(Optional<QueuedEvent> event) {
                        event.ifPresent(e -> {
                            pending.add(e, true);
                            deadLetterCount.decrementAndGet();
                        });
                    }
                })
                .isPresent();
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

            @Override
            public void committed(Integer purged) {
                deadLetterCount.addAndGet(-purged);
            }
        });
    }

    @Override
    public QueueStats stats() {
        return pending.stats(deadLetterCount.get(), enqueued.get(), completed.get(), retried.get(), deadLettered.get());
    }

    /** After moving a test clock: makes waiting takers look at it again. */
    void wakeTakers() {
        pending.wakeTakers();
    }

    @Override
    public void close() {
        pending.close();
        writer.close();
        readLock.lock();
        try {
            closeQuietly(readConnection);
            writeConnection.close();
        } catch (SQLException e) {
            throw LambdaException.internal("Could not close the event queue", e);
        } finally {
            readLock.unlock();
        }
    }

    private void forgetWriteStatements() {
        for (PreparedStatement statement : writeStatements.values()) {
            try {
                statement.close();
            } catch (SQLException ignored) {
                // it is being dropped anyway
            }
        }
        writeStatements.clear();
    }

    private Optional<byte[]> readPayload(String id) {
        return read("read an event", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT payload FROM events WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getBytes(1)) : Optional.empty();
                }
            }
        });
    }

    private <T> T read(String what, SqlWork<T> work) {
        readLock.lock();
        try {
            return work.run(readConnection);
        } catch (SQLException e) {
            throw LambdaException.internal("The event queue could not " + what, e);
        } finally {
            readLock.unlock();
        }
    }

    private boolean deleteEvent(Connection c, String id) throws SQLException {
        PreparedStatement delete = writeStatement(c, "DELETE FROM events WHERE id = ?");
        delete.setString(1, id);
        return delete.executeUpdate() > 0;
    }

    /**
     * The hot statements, prepared once: preparing took about a fifth of the writer's time. Only the
     * writer thread calls this (from {@link GroupCommitWriter.Operation#write}), so the map needs no lock;
     * closing the connection finalises them. After a failed transaction they are dropped, because
     * sqlite-jdbc finalises a statement on some errors and it could not run again.
     */
    private PreparedStatement writeStatement(Connection c, String sql) throws SQLException {
        PreparedStatement statement = writeStatements.get(sql);
        if (statement == null) {
            statement = c.prepareStatement(sql);
            writeStatements.put(sql, statement);
        }
        return statement;
    }

    static Optional<Long> failedAt(Connection c, String account, String id) throws SQLException {
        try (PreparedStatement select =
                c.prepareStatement("SELECT failed_at FROM dead_letters WHERE account = ? AND id = ?")) {
            select.setString(1, account);
            select.setString(2, id);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
            }
        }
    }

    static Optional<DeadLetter> findDeadLetter(Connection c, String account, String id) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT " + DEAD_LETTER_COLUMNS + " FROM dead_letters WHERE account = ? AND id = ?")) {
            select.setString(1, account);
            select.setString(2, id);
            return deadLetters(select).stream().findFirst();
        }
    }

    static List<DeadLetter> deadLetters(PreparedStatement select) throws SQLException {
        List<DeadLetter> letters = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                letters.add(new DeadLetter(
                        rows.getString(1),
                        new FunctionKey(rows.getString(2), rows.getString(3), rows.getString(4)),
                        rows.getString(5),
                        rows.getBytes(6),
                        Instant.ofEpochMilli(rows.getLong(7)),
                        Instant.ofEpochMilli(rows.getLong(8)),
                        rows.getInt(9),
                        rows.getString(10),
                        new DeadLetterReason(
                                rows.getString(11), rows.getString(12), rows.getString(13), rows.getBytes(14))));
            }
        }
        return letters;
    }

    /** Binds {@link #DEAD_LETTER_FROM_EVENT}. */
    static void bindDeadLetter(
            PreparedStatement insert, long failedAt, String id, int attempts, DeadLetterReason reason)
            throws SQLException {
        insert.setLong(1, failedAt);
        insert.setInt(2, attempts);
        insert.setString(3, reason.condition());
        insert.setString(4, reason.errorType());
        insert.setString(5, reason.errorMessage());
        insert.setBytes(6, reason.responsePayload());
        insert.setString(7, id);
    }

    static void bindEvent(PreparedStatement insert, QueuedEvent event) throws SQLException {
        bindEventFrom(insert, 1, event);
    }

    /** Binds the ten {@link #EVENT_COLUMNS} from parameter {@code first} on. */
    static void bindEventFrom(PreparedStatement insert, int first, QueuedEvent event) throws SQLException {
        insert.setString(first, event.id());
        insert.setString(first + 1, event.function().account());
        insert.setString(first + 2, event.function().region());
        insert.setString(first + 3, event.function().name());
        insert.setString(first + 4, event.qualifier());
        insert.setBytes(first + 5, event.payload());
        insert.setLong(first + 6, event.enqueuedAt().toEpochMilli());
        insert.setInt(first + 7, event.attempts());
        insert.setLong(first + 8, event.visibleAt().toEpochMilli());
        insert.setString(first + 9, event.origin());
    }

    static LambdaException notQueued(String id) {
        return LambdaException.notFound("No queued event with id %s", id);
    }

    static Instant millis(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS);
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already failing or closing; the first error is the one to report
            }
        }
    }
}
