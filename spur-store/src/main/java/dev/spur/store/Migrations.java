package dev.spur.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;

/**
 * Versioned schema migrations for Spur's SQLite files: the metadata store ({@link #ALL}) and the
 * event queue (spur-queue, with its own list of steps under {@code db/queue/}).
 *
 * <p>The schema is the result of applying an ordered list of steps, V1, V2, ... with no gaps. The
 * {@code schema_version} table holds one row per applied step; the database's version is the highest
 * row. Each step runs in its own transaction together with the insert of its row, so a failed step
 * leaves the database at the previous version, never half-way. A database whose version is higher
 * than the last step this code knows was written by a newer Spur: opening it is refused, because this
 * code cannot know what the newer schema means.
 *
 * <p>To change the schema, add {@code db/migration/V<n>__<what>.sql} and append it to {@link #ALL}.
 * Never edit a step that has shipped. A step may hold several statements; SQLite's own parser splits
 * them (sqlite-jdbc's {@code executeUpdate} runs the whole script through {@code sqlite3_exec}).
 */
public final class Migrations {

    /** One schema step: the SQL that takes the database from {@code version - 1} to {@code version}. */
    public record Migration(int version, String description, String sql) {
        public Migration {
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(sql, "sql");
        }

        static Migration fromResource(int version, String description) {
            return fromResource("db/migration", version, description);
        }

        /** The step in the class-path resource {@code <directory>/V<version>__<description>.sql}. */
        public static Migration fromResource(String directory, int version, String description) {
            String resource = directory + "/V" + version + "__" + description + ".sql";
            try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("Missing schema migration resource " + resource);
                }
                return new Migration(version, description, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read schema migration resource " + resource, e);
            }
        }
    }

    /** Every step this code knows, in order. */
    static final List<Migration> ALL = List.of(
            Migration.fromResource(1, "functions"),
            Migration.fromResource(2, "attachments_and_keys"),
            Migration.fromResource(3, "schedules"),
            Migration.fromResource(4, "http_apis"),
            Migration.fromResource(5, "changes"),
            Migration.fromResource(6, "event_source_mappings"),
            Migration.fromResource(7, "layer_versions"));

    private Migrations() {}

    /**
     * Applies the steps of {@code migrations} the database has not seen yet and returns the version it
     * is at afterwards.
     *
     * @throws IllegalStateException if the database is newer than the last step, or a step fails (the
     *                               database then stays at the last step that succeeded)
     * @throws SQLException          if the database cannot be read at all
     */
    static int migrate(Connection connection, List<Migration> migrations) throws SQLException {
        return migrate(connection, migrations, "metadata database");
    }

    /**
     * As {@link #migrate(Connection, List)} for any of Spur's SQLite files.
     *
     * @param database what the file is, for error messages ("event queue database")
     */
    public static int migrate(Connection connection, List<Migration> migrations, String database) throws SQLException {
        requireContiguous(migrations);
        int known = migrations.isEmpty() ? 0 : migrations.getLast().version();
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate("""
                    CREATE TABLE IF NOT EXISTS schema_version (
                        version     INTEGER PRIMARY KEY,
                        description TEXT    NOT NULL,
                        applied_at  INTEGER NOT NULL
                    )""");
        }
        int current = currentVersion(connection);
        refuseNewer(current, known, database);
        for (Migration migration : migrations) {
            if (migration.version() > current) {
                apply(connection, migration);
                current = migration.version();
            }
        }
        return current;
    }

    static int currentVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static void apply(Connection connection, Migration migration) {
        try {
            SqliteTransaction.run(connection, c -> {
                // Re-read inside the write transaction: another process may have migrated meanwhile.
                if (currentVersion(c) >= migration.version()) {
                    return null;
                }
                try (Statement statement = c.createStatement()) {
                    statement.executeUpdate(migration.sql());
                }
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
                    insert.setInt(1, migration.version());
                    insert.setString(2, migration.description());
                    insert.setLong(3, System.currentTimeMillis());
                    insert.executeUpdate();
                }
                return null;
            });
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Schema migration V%d (%s) failed; the database stays at V%d: %s"
                            .formatted(
                                    migration.version(),
                                    migration.description(),
                                    migration.version() - 1,
                                    e.getMessage()),
                    e);
        }
    }

    static void refuseNewer(int current, int known, String database) {
        if (current > known) {
            throw new IllegalStateException(("The %s is at schema version %d, but this Spur only "
                            + "knows versions up to %d: it was written by a newer Spur. Run that version, or point this "
                            + "one at another data directory.")
                    .formatted(database, current, known));
        }
    }

    static void requireContiguous(List<Migration> migrations) {
        for (int i = 0; i < migrations.size(); i++) {
            if (migrations.get(i).version() != i + 1) {
                throw new IllegalArgumentException("Migrations must be numbered 1, 2, 3, ... without gaps; found V"
                        + migrations.get(i).version() + " at position " + (i + 1));
            }
        }
    }
}
