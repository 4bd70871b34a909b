package dev.spur.store;

import dev.spur.common.LambdaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * Both {@link UsageStore}s: the SQL is the same on SQLite (3.24+) and PostgreSQL — an upsert that adds
 * — so the siblings differ only in how they get a connection and a transaction. SQLite: one connection
 * of its own to {@code usage.db} (WAL), serialised by a lock; PostgreSQL: the shared pool.
 */
final class SqlUsageStore implements UsageStore {
    static final List<Migrations.Migration> SQLITE_SCHEMA =
            List.of(Migrations.Migration.fromResource("db/usage", 1, "usage"));

    private static final String COLUMNS = "account, region, function, version, hour, requests, errors, throttles, "
            + "cold_starts, duration_us, billed_ms, init_billed_ms, billed_mb_ms, provisioned_requests, "
            + "provisioned_billed_mb_ms, provisioned_mb_ms, ephemeral_mb_ms";
    private static final String ADD = "INSERT INTO usage_hours (" + COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            + "ON CONFLICT (account, region, function, version, hour) DO UPDATE SET "
            + "requests = usage_hours.requests + excluded.requests, "
            + "errors = usage_hours.errors + excluded.errors, "
            + "throttles = usage_hours.throttles + excluded.throttles, "
            + "cold_starts = usage_hours.cold_starts + excluded.cold_starts, "
            + "duration_us = usage_hours.duration_us + excluded.duration_us, "
            + "billed_ms = usage_hours.billed_ms + excluded.billed_ms, "
            + "init_billed_ms = usage_hours.init_billed_ms + excluded.init_billed_ms, "
            + "billed_mb_ms = usage_hours.billed_mb_ms + excluded.billed_mb_ms, "
            + "provisioned_requests = usage_hours.provisioned_requests + excluded.provisioned_requests, "
            + "provisioned_billed_mb_ms = usage_hours.provisioned_billed_mb_ms + excluded.provisioned_billed_mb_ms, "
            + "provisioned_mb_ms = usage_hours.provisioned_mb_ms + excluded.provisioned_mb_ms, "
            + "ephemeral_mb_ms = usage_hours.ephemeral_mb_ms + excluded.ephemeral_mb_ms";

    /** Runs work on a connection, in one transaction or not. */
    private interface Access {
        <T> T transaction(SqlWork<T> work) throws SQLException;

        <T> T read(SqlWork<T> work) throws SQLException;

        void close();
    }

    private final Access access;

    private SqlUsageStore(Access access) {
        this.access = access;
    }

    static SqlUsageStore sqlite(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            config.setBusyTimeout(5_000);
            Connection connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try {
                Migrations.migrate(connection, SQLITE_SCHEMA, "usage database");
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
            ReentrantLock lock = new ReentrantLock();
            return new SqlUsageStore(new Access() {
                @Override
                public <T> T transaction(SqlWork<T> work) throws SQLException {
                    lock.lock();
                    try {
                        return SqliteTransaction.run(connection, work);
                    } finally {
                        lock.unlock();
                    }
                }

                @Override
                public <T> T read(SqlWork<T> work) throws SQLException {
                    lock.lock();
                    try {
                        return work.run(connection);
                    } finally {
                        lock.unlock();
                    }
                }

                @Override
                public void close() {
                    lock.lock();
                    try {
                        connection.close();
                    } catch (SQLException e) {
                        // closing anyway
                    } finally {
                        lock.unlock();
                    }
                }
            });
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("Cannot open the usage database " + file + ": " + e.getMessage(), e);
        }
    }

    static SqlUsageStore postgres(Database database) {
        return new SqlUsageStore(new Access() {
            @Override
            public <T> T transaction(SqlWork<T> work) throws SQLException {
                return database.transaction(work);
            }

            @Override
            public <T> T read(SqlWork<T> work) throws SQLException {
                try (Connection c = database.connection()) {
                    return work.run(c);
                }
            }

            @Override
            public void close() {
                // the database belongs to the server
            }
        });
    }

    @Override
    public void add(List<UsageRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        try {
            access.transaction(c -> {
                try (PreparedStatement insert = c.prepareStatement(ADD)) {
                    for (UsageRow r : rows) {
                        insert.setString(1, r.account());
                        insert.setString(2, r.region());
                        insert.setString(3, r.function());
                        insert.setString(4, r.version());
                        long[] figures = {
                            r.hour(),
                            r.requests(),
                            r.errors(),
                            r.throttles(),
                            r.coldStarts(),
                            r.durationMicros(),
                            r.billedMs(),
                            r.initBilledMs(),
                            r.billedMbMs(),
                            r.provisionedRequests(),
                            r.provisionedBilledMbMs(),
                            r.provisionedMbMs(),
                            r.ephemeralMbMs()
                        };
                        for (int i = 0; i < figures.length; i++) {
                            insert.setLong(5 + i, figures[i]);
                        }
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                return null;
            });
        } catch (SQLException e) {
            throw LambdaException.internal("The usage store could not add " + rows.size() + " rows", e);
        }
    }

    @Override
    public List<UsageRow> rows(Optional<String> account, Optional<String> function, long fromHour, long untilHour) {
        StringBuilder sql =
                new StringBuilder("SELECT ").append(COLUMNS).append(" FROM usage_hours WHERE hour >= ? AND hour < ?");
        account.ifPresent(a -> sql.append(" AND account = ?"));
        function.ifPresent(f -> sql.append(" AND function = ?"));
        sql.append(" ORDER BY hour, function, version, account, region");
        try {
            return access.read(c -> {
                try (PreparedStatement select = c.prepareStatement(sql.toString())) {
                    int i = 1;
                    select.setLong(i++, fromHour);
                    select.setLong(i++, untilHour);
                    if (account.isPresent()) {
                        select.setString(i++, account.get());
                    }
                    if (function.isPresent()) {
                        select.setString(i, function.get());
                    }
                    List<UsageRow> out = new ArrayList<>();
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            out.add(new UsageRow(
                                    rs.getString(1),
                                    rs.getString(2),
                                    rs.getString(3),
                                    rs.getString(4),
                                    rs.getLong(5),
                                    rs.getLong(6),
                                    rs.getLong(7),
                                    rs.getLong(8),
                                    rs.getLong(9),
                                    rs.getLong(10),
                                    rs.getLong(11),
                                    rs.getLong(12),
                                    rs.getLong(13),
                                    rs.getLong(14),
                                    rs.getLong(15),
                                    rs.getLong(16),
                                    rs.getLong(17)));
                        }
                    }
                    return out;
                }
            });
        } catch (SQLException e) {
            throw LambdaException.internal("The usage store could not be read", e);
        }
    }

    @Override
    public void close() {
        access.close();
    }
}
