package dev.spur.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Explicit SQLite transactions on a connection that stays in JDBC auto-commit mode.
 *
 * <p>Why not {@code setAutoCommit(false)} and {@code commit()}: sqlite-jdbc's {@code commit()} runs
 * {@code COMMIT} and then at once {@code BEGIN}s the next transaction. If that {@code BEGIN IMMEDIATE}
 * times out on another process's write lock, {@code commit()} throws although the data is already
 * committed, and the caller would report a failure for a change that is durable. Issuing
 * {@code BEGIN IMMEDIATE}, {@code COMMIT} and {@code ROLLBACK} ourselves keeps "it threw, so nothing
 * was written" true. ({@code IMMEDIATE} takes the write lock up front, so a transaction never fails
 * half-way trying to upgrade a read lock.)
 */
public final class SqliteTransaction {

    private SqliteTransaction() {}

    /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
    public static <T> T run(Connection connection, SqlWork<T> work) throws SQLException {
        execute(connection, "BEGIN IMMEDIATE");
        try {
            T result = work.run(connection);
            execute(connection, "COMMIT");
            return result;
        } catch (Throwable failure) {
            try {
                execute(connection, "ROLLBACK");
            } catch (SQLException rollbackFailure) {
                failure.addSuppressed(rollbackFailure); // e.g. SQLite already rolled back after an I/O error
            }
            throw failure;
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate(sql);
        }
    }
}
