package dev.spur.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A shared PostgreSQL database (15 or newer) behind a small connection pool: what the
 * {@link MetadataStore}, the code packages and the event queue of every node of a fleet live in.
 *
 * <p>Opening migrates the schema once per database: every node takes the same session advisory lock,
 * the first applies what is missing (each step in its own transaction), the others then find nothing to
 * do. A node whose code knows fewer steps than the database has refuses to start.
 *
 * <p>Failure semantics: a connection that breaks fails the call that was using it (its transaction
 * rolled back, nothing half-written); the pool replaces it for the next call. Nothing here retries a
 * write on its own, because a write whose commit was sent but not answered may or may not have landed.
 */
public interface Database extends AutoCloseable {

    /**
     * Opens the database at {@code url} and migrates its schema.
     *
     * @param url {@code postgresql://user:password@host:port/database?options} (also {@code postgres://}),
     *            or pgjdbc's own {@code jdbc:postgresql://host:port/database?user=...&password=...}
     * @throws IllegalArgumentException if {@code url} is neither form
     * @throws IllegalStateException    if the database cannot be reached, its schema was written by a
     *                                  newer Spur, or a migration fails; the message says which
     */
    static Database postgres(String url) {
        return PostgresDatabase.open(url, PostgresDatabase.MIGRATIONS);
    }

    /** Whether {@code text} looks like a URL {@link #postgres} takes (to tell it from a file path). */
    static boolean isPostgresUrl(String text) {
        return PostgresDatabase.isPostgresUrl(text);
    }

    /** A pooled connection in auto-commit mode; close it to give it back. */
    Connection connection() throws SQLException;

    /** Runs {@code work} as one transaction on a pooled connection: committed if it returns, rolled back if it throws. */
    <T> T transaction(SqlWork<T> work) throws SQLException;

    /**
     * A fleet-wide setting ({@code cluster_settings}): stored as {@code proposed} if it has no value yet, so
     * that of nodes asking at once the first to commit wins; returned as stored.
     *
     * @throws IllegalStateException if the database cannot be read or written
     */
    String clusterSetting(String name, String proposed);

    /** The schema version after migration. */
    int schemaVersion();

    /** Where the database is, without the password: {@code user@host:port/database}. */
    String describe();

    @Override
    void close();
}
