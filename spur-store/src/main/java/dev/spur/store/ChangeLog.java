package dev.spur.store;

import dev.spur.store.ChangeFeed.Aggregate;
import dev.spur.store.ChangeFeed.Change;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@code changes} table, the same in SQLite and PostgreSQL: append inside a write's transaction,
 * read after a position, prune what is older than {@link #KEEP_MILLIS}; and the in-process wake-ups of
 * a store. The dialects differ only in how an append is serialised and announced ({@link Dialect}).
 */
final class ChangeLog {
    /** Changes are kept at least this long (an hour): a node further behind reloads everything. */
    static final long KEEP_MILLIS = 3_600_000L;
    /** Every this many changes, the appender prunes old ones in the same transaction. */
    static final long PRUNE_EVERY = 1_000;

    /** How a database orders and announces appends. */
    enum Dialect {
        /** Writers are serialised by the database file's lock; no announcement across processes. */
        SQLITE("INSERT INTO changes (aggregate, key, at) VALUES (?, ?, ?) RETURNING seq", ""),
        /**
         * A transaction-scoped advisory lock taken just before the append and held until commit makes
         * sequence order commit order (a bigserial alone does not: a later value can commit first, and a
         * reader that saw it would skip the earlier one for good). NOTIFY is delivered at commit, once per
         * transaction.
         */
        POSTGRESQL(
                "INSERT INTO changes (aggregate, key, at) VALUES (?, ?, ?) RETURNING seq",
                "SELECT pg_advisory_xact_lock(" + PostgresDatabase.CHANGES_LOCK + "), pg_notify('"
                        + PostgresDatabase.CHANGES_CHANNEL + "', '')");

        final String insert;
        final String before;

        Dialect(String insert, String before) {
            this.insert = insert;
            this.before = before;
        }
    }

    private final CopyOnWriteArrayList<Runnable> wakeUps = new CopyOnWriteArrayList<>();
    private final Dialect dialect;

    ChangeLog(Dialect dialect) {
        this.dialect = dialect;
    }

    /** Appends a change in the caller's transaction, pruning now and then. */
    void record(Connection c, Aggregate aggregate, String key) throws SQLException {
        if (!dialect.before.isEmpty()) {
            try (Statement statement = c.createStatement()) {
                statement.execute(dialect.before);
            }
        }
        long now = System.currentTimeMillis();
        long seq;
        try (PreparedStatement insert = c.prepareStatement(dialect.insert)) {
            insert.setString(1, aggregate.name());
            insert.setString(2, key);
            insert.setLong(3, now);
            try (ResultSet rows = insert.executeQuery()) {
                rows.next();
                seq = rows.getLong(1);
            }
        }
        if (seq % PRUNE_EVERY == 0) {
            prune(c, now - KEEP_MILLIS);
        }
    }

    /** Deletes changes older than {@code beforeMillis} and moves the horizon past them. */
    static void prune(Connection c, long beforeMillis) throws SQLException {
        long prunedTo;
        try (PreparedStatement select = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM changes WHERE at < ?")) {
            select.setLong(1, beforeMillis);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                prunedTo = rows.getLong(1);
            }
        }
        if (prunedTo == 0) {
            return;
        }
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM changes WHERE seq <= ?");
                PreparedStatement horizon =
                        c.prepareStatement("UPDATE change_horizon SET pruned_to = ? WHERE id = 1 AND pruned_to < ?")) {
            delete.setLong(1, prunedTo);
            delete.executeUpdate();
            horizon.setLong(1, prunedTo);
            horizon.setLong(2, prunedTo);
            horizon.executeUpdate();
        }
    }

    static long latest(Connection c) throws SQLException {
        try (Statement statement = c.createStatement();
                ResultSet rows = statement.executeQuery("SELECT COALESCE(MAX(seq), 0) FROM changes")) {
            rows.next();
            long latest = rows.getLong(1);
            return latest == 0 ? horizon(c) : latest;
        }
    }

    static ChangeFeed.Changes since(Connection c, long afterSeq, int max) throws SQLException {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive: " + max);
        }
        List<Change> changes = new ArrayList<>();
        try (PreparedStatement select =
                c.prepareStatement("SELECT seq, aggregate, key FROM changes WHERE seq > ? ORDER BY seq LIMIT ?")) {
            select.setLong(1, afterSeq);
            select.setInt(2, max);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    changes.add(new Change(rows.getLong(1), Aggregate.valueOf(rows.getString(2)), rows.getString(3)));
                }
            }
        }
        // Read after the rows: a prune that ran in between moved the horizon, and is caught here.
        boolean gap = afterSeq < horizon(c);
        return new ChangeFeed.Changes(gap ? List.of() : changes, gap);
    }

    private static long horizon(Connection c) throws SQLException {
        try (Statement statement = c.createStatement();
                ResultSet rows = statement.executeQuery("SELECT pruned_to FROM change_horizon WHERE id = 1")) {
            return rows.next() ? rows.getLong(1) : 0;
        }
    }

    AutoCloseable onWakeUp(Runnable wakeUp) {
        wakeUps.add(wakeUp);
        return () -> wakeUps.remove(wakeUp);
    }

    /** Tells this process's followers that something may have changed. */
    void wakeUp() {
        for (Runnable wakeUp : wakeUps) {
            wakeUp.run();
        }
    }
}
