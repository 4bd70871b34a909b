package dev.spur.store;

import dev.spur.common.Arns;
import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * The embedded metadata store: one SQLite file, one connection, one lock.
 *
 * <p>Settings: WAL journal (readers in other processes, e.g. the {@code sqlite3} shell, never block
 * the writer), {@code synchronous=FULL} (the WAL is fsynced at every commit, so a change that
 * returned survives power loss, as {@link MetadataStore} promises; NORMAL would only survive process
 * crashes, and control-plane writes are too rare for the extra fsync to matter), foreign keys on
 * (deleting a function cascades to its versions), a busy timeout for the rare second process, and
 * explicit {@code BEGIN IMMEDIATE} transactions ({@link SqliteTransaction} says why).
 *
 * <p>Concurrency: callers are many virtual threads; every call takes {@link #lock} (a
 * {@link ReentrantLock}, which parks a virtual thread without pinning its carrier) around the single
 * JDBC connection. This serialises reads too; the invoke path does not read here, it reads a cache
 * warmed from {@link #allFunctions()}.
 *
 * <p>Errors are mapped here, once: conflicts become the Lambda error the caller should see; any
 * {@link SQLException} becomes a 500 {@link LambdaException#internal} with the cause kept for the log.
 * A mutating call is one transaction: if it throws, it was rolled back.
 */
final class SqliteMetadataStore implements MetadataStore {
    private static final String LATEST = Arns.LATEST;
    private static final int BUSY_TIMEOUT_MILLIS = 5_000;
    private static final String SELECT_CONFIG = """
            SELECT v.config FROM functions f JOIN function_versions v ON v.function_id = f.id
            """;

    private final ReentrantLock lock = new ReentrantLock();
    private final Connection connection;
    private final int schemaVersion;

    private SqliteMetadataStore(Connection connection, int schemaVersion) {
        this.connection = connection;
        this.schemaVersion = schemaVersion;
    }

    /**
     * Opens (creating if needed) the database at {@code file} and migrates it to the newest schema.
     *
     * @throws IllegalStateException if the file cannot be opened as a database, is in a newer schema
     *                               than this code knows, or a migration fails
     */
    static MetadataStore open(Path file) {
        return open(file, Migrations.ALL);
    }

    static SqliteMetadataStore open(Path file, List<Migrations.Migration> migrations) {
        Connection connection = null;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
            config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
            config.enforceForeignKeys(true);
            connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
            String journalMode = pragma(connection, "journal_mode");
            if (!"wal".equalsIgnoreCase(journalMode)) {
                throw new IllegalStateException("The metadata database " + file + " cannot use WAL mode (got "
                        + journalMode + "); is it on a network file system?");
            }
            return new SqliteMetadataStore(connection, Migrations.migrate(connection, migrations));
        } catch (SQLException | IOException e) {
            closeQuietly(connection);
            throw new IllegalStateException("Cannot open the metadata database " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    @Override
    public void createFunction(FunctionConfig config) {
        requireLatest(config);
        FunctionKey key = config.key();
        write("create a function", c -> {
            long id;
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO functions (account, region, name, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (account, region, name) DO NOTHING RETURNING id""")) {
                bindKey(insert, key);
                insert.setLong(4, config.lastModified().toEpochMilli());
                try (ResultSet rows = insert.executeQuery()) {
                    if (!rows.next()) {
                        throw LambdaException.conflict("Function already exist: %s", key.name());
                    }
                    id = rows.getLong(1);
                }
            }
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO function_versions
                        (function_id, version, revision_id, code_sha256, last_modified, config)
                    VALUES (?, ?, ?, ?, ?, ?)""")) {
                insert.setLong(1, id);
                insert.setString(2, LATEST);
                bindConfig(insert, 3, config);
                insert.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void replaceFunction(FunctionConfig updated, String expectedRevisionId) {
        requireLatest(updated);
        FunctionKey key = updated.key();
        write("update a function", c -> {
            Optional<String> stored;
            try (PreparedStatement select = c.prepareStatement("""
                    SELECT v.revision_id FROM functions f JOIN function_versions v ON v.function_id = f.id
                    WHERE f.account = ? AND f.region = ? AND f.name = ? AND v.version = ?""")) {
                bindKey(select, key);
                select.setString(4, LATEST);
                stored = firstString(select);
            }
            if (stored.isEmpty()) {
                throw LambdaException.notFound("Function not found: %s", key.arn());
            }
            if (!stored.get().equals(expectedRevisionId)) {
                throw LambdaException.of(ErrorCode.PRECONDITION_FAILED, "The Revision Id provided does not match "
                        + "the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
            }
            try (PreparedStatement update = c.prepareStatement("""
                    UPDATE function_versions SET revision_id = ?, code_sha256 = ?, last_modified = ?, config = ?
                    WHERE version = ? AND function_id =
                        (SELECT id FROM functions WHERE account = ? AND region = ? AND name = ?)""")) {
                bindConfig(update, 1, updated);
                update.setString(5, LATEST);
                update.setString(6, key.account());
                update.setString(7, key.region());
                update.setString(8, key.name());
                update.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<FunctionConfig> findFunction(FunctionKey key) {
        return read("read a function", c -> {
            try (PreparedStatement select = c.prepareStatement(SELECT_CONFIG
                    + "WHERE f.account = ? AND f.region = ? AND f.name = ? AND v.version = ?")) {
                bindKey(select, key);
                select.setString(4, LATEST);
                return firstString(select).map(ConfigJson::read);
            }
        });
    }

    @Override
    public Page listFunctions(String account, String region, Optional<String> marker, int maxItems) {
        LambdaException.requireValid(maxItems >= 1, "MaxItems must be at least 1, got %d", maxItems);
        String after = marker.map(SqliteMetadataStore::decodeMarker).orElse("");
        List<FunctionConfig> page = read("list functions", c -> {
            try (PreparedStatement select = c.prepareStatement(SELECT_CONFIG
                    + "WHERE f.account = ? AND f.region = ? AND f.name > ? AND v.version = ? ORDER BY f.name LIMIT ?")) {
                select.setString(1, account);
                select.setString(2, region);
                select.setString(3, after);
                select.setString(4, LATEST);
                select.setInt(5, maxItems + 1); // one more than asked tells whether another page exists
                return configs(select);
            }
        });
        if (page.size() <= maxItems) {
            return new Page(page, Optional.empty());
        }
        List<FunctionConfig> shown = page.subList(0, maxItems);
        return new Page(shown, Optional.of(encodeMarker(shown.getLast().key().name())));
    }

    @Override
    public List<FunctionConfig> allFunctions() {
        return read("list all functions", c -> {
            try (PreparedStatement select = c.prepareStatement(
                    SELECT_CONFIG + "WHERE v.version = ? ORDER BY f.account, f.region, f.name")) {
                select.setString(1, LATEST);
                return configs(select);
            }
        });
    }

    @Override
    public boolean deleteFunction(FunctionKey key) {
        return write("delete a function", c -> {
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM functions WHERE account = ? AND region = ? AND name = ?")) {
                bindKey(delete, key);
                return delete.executeUpdate() > 0;
            }
        });
    }

    @Override
    public int schemaVersion() {
        return schemaVersion;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            connection.close();
        } catch (SQLException e) {
            throw LambdaException.internal("Could not close the metadata store", e);
        } finally {
            lock.unlock();
        }
    }

    /** Runs a query under the lock (in autocommit mode: SQLite reads one consistent snapshot per statement). */
    private <T> T read(String what, SqliteTransaction.SqlWork<T> work) {
        lock.lock();
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw LambdaException.internal("The metadata store could not " + what, e);
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} as one transaction under the lock: committed if it returns, rolled back if it throws. */
    private <T> T write(String what, SqliteTransaction.SqlWork<T> work) {
        lock.lock();
        try {
            return SqliteTransaction.run(connection, work);
        } catch (SQLException e) {
            throw LambdaException.internal("The metadata store could not " + what, e);
        } finally {
            lock.unlock();
        }
    }

    private static void requireLatest(FunctionConfig config) {
        if (!LATEST.equals(config.version())) {
            throw new IllegalArgumentException("Only $LATEST is stored by createFunction/replaceFunction, got "
                    + config.version());
        }
    }

    private static void bindKey(PreparedStatement statement, FunctionKey key) throws SQLException {
        statement.setString(1, key.account());
        statement.setString(2, key.region());
        statement.setString(3, key.name());
    }

    /** Binds revision_id, code_sha256, last_modified, config from {@code first} on. */
    private static void bindConfig(PreparedStatement statement, int first, FunctionConfig config) throws SQLException {
        statement.setString(first, config.revisionId());
        statement.setString(first + 1, config.code().sha256Hex());
        statement.setLong(first + 2, config.lastModified().toEpochMilli());
        statement.setString(first + 3, ConfigJson.write(config));
    }

    private static Optional<String> firstString(PreparedStatement select) throws SQLException {
        try (ResultSet rows = select.executeQuery()) {
            return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
        }
    }

    private static List<FunctionConfig> configs(PreparedStatement select) throws SQLException {
        List<FunctionConfig> configs = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                configs.add(ConfigJson.read(rows.getString(1)));
            }
        }
        return configs;
    }

    /** Markers are the last name shown, base64url-encoded: opaque to callers, stable across restarts. */
    static String encodeMarker(String lastName) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(lastName.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeMarker(String marker) {
        try {
            return new String(Base64.getUrlDecoder().decode(marker), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw LambdaException.invalid("Invalid Marker: %s", marker);
        }
    }

    private static String pragma(Connection connection, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("PRAGMA " + name)) {
            return firstString(select).orElse("");
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already failing; the original error is the one to report
            }
        }
    }
}
