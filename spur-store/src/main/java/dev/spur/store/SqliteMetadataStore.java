package dev.spur.store;

import dev.spur.common.Arns;
import dev.spur.common.ErrorCode;
import dev.spur.common.EventSourceMapping;
import dev.spur.common.FunctionAttachments;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.HttpApi;
import dev.spur.common.LambdaException;
import dev.spur.common.LayerVersion;
import dev.spur.common.Schedule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private final ChangeLog changes = new ChangeLog(ChangeLog.Dialect.SQLITE);
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
    public void createFunction(
            FunctionConfig config, FunctionAttachments attachments, Optional<FunctionConfig> published) {
        requireLatest(config);
        FunctionKey key = config.key();
        write("create a function", c -> {
            long id;
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO functions (account, region, name, created_at, attachments) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (account, region, name) DO NOTHING RETURNING id""")) {
                bindKey(insert, key);
                insert.setLong(4, config.lastModified().toEpochMilli());
                insert.setString(5, ConfigJson.write(attachments));
                try (ResultSet rows = insert.executeQuery()) {
                    if (!rows.next()) {
                        throw LambdaException.conflict("Function already exist: %s", key.name());
                    }
                    id = rows.getLong(1);
                }
            }
            insertVersion(c, id, config);
            if (published.isPresent()) {
                insertVersion(c, id, published.get());
            }
            changed(c, key);
            return null;
        });
    }

    @Override
    public boolean publishVersion(FunctionConfig version, FunctionAttachments expected, FunctionAttachments updated) {
        if (LATEST.equals(version.version())) {
            throw new IllegalArgumentException("$LATEST is not a published version");
        }
        return write("publish a version", c -> {
            long id = functionId(c, version.key());
            if (!attachmentsAre(c, id, expected)) {
                return false;
            }
            try (PreparedStatement select =
                    c.prepareStatement("SELECT 1 FROM function_versions WHERE function_id = ? AND version = ?")) {
                select.setLong(1, id);
                select.setString(2, version.version());
                if (firstString(select).isPresent()) {
                    throw LambdaException.conflict(
                            "Version %s of %s already exists",
                            version.version(), version.key().name());
                }
            }
            insertVersion(c, id, version);
            updateAttachments(c, id, updated);
            changed(c, version.key());
            return true;
        });
    }

    @Override
    public boolean deleteVersion(FunctionKey key, String version) {
        if (LATEST.equals(version)) {
            throw new IllegalArgumentException("$LATEST goes only with its function");
        }
        return write("delete a version", c -> {
            try (PreparedStatement delete = c.prepareStatement("""
                    DELETE FROM function_versions WHERE version = ? AND function_id =
                        (SELECT id FROM functions WHERE account = ? AND region = ? AND name = ?)""")) {
                delete.setString(1, version);
                delete.setString(2, key.account());
                delete.setString(3, key.region());
                delete.setString(4, key.name());
                return changedIf(delete.executeUpdate() > 0, c, key);
            }
        });
    }

    @Override
    public boolean saveAttachments(FunctionKey key, FunctionAttachments expected, FunctionAttachments updated) {
        return write("update a function", c -> {
            long id = functionId(c, key);
            if (!attachmentsAre(c, id, expected)) {
                return false;
            }
            updateAttachments(c, id, updated);
            changed(c, key);
            return true;
        });
    }

    /** Whether the stored attachments equal {@code expected} (as values: the stored JSON is read back). */
    private static boolean attachmentsAre(Connection c, long functionId, FunctionAttachments expected)
            throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT attachments FROM functions WHERE id = ?")) {
            select.setLong(1, functionId);
            return firstString(select)
                    .map(json ->
                            ConfigJson.read(json, FunctionAttachments.class).equals(expected))
                    .orElse(false);
        }
    }

    private static long functionId(Connection c, FunctionKey key) throws SQLException {
        try (PreparedStatement select =
                c.prepareStatement("SELECT id FROM functions WHERE account = ? AND region = ? AND name = ?")) {
            bindKey(select, key);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    throw LambdaException.notFound("Function not found: %s", key.arn());
                }
                return rows.getLong(1);
            }
        }
    }

    private static void insertVersion(Connection c, long functionId, FunctionConfig config) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("""
                INSERT INTO function_versions
                    (function_id, version, revision_id, code_sha256, last_modified, config)
                VALUES (?, ?, ?, ?, ?, ?)""")) {
            insert.setLong(1, functionId);
            insert.setString(2, config.version());
            bindConfig(insert, 3, config);
            insert.executeUpdate();
        }
    }

    private static void updateAttachments(Connection c, long functionId, FunctionAttachments attachments)
            throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE functions SET attachments = ? WHERE id = ?")) {
            update.setString(1, ConfigJson.write(attachments));
            update.setLong(2, functionId);
            update.executeUpdate();
        }
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
                throw LambdaException.of(
                        ErrorCode.PRECONDITION_FAILED,
                        "The Revision Id provided does not match "
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
            changed(c, key);
            return null;
        });
    }

    @Override
    public Optional<FunctionConfig> findFunction(FunctionKey key) {
        return read("read a function", c -> {
            try (PreparedStatement select = c.prepareStatement(
                    SELECT_CONFIG + "WHERE f.account = ? AND f.region = ? AND f.name = ? AND v.version = ?")) {
                bindKey(select, key);
                select.setString(4, LATEST);
                return firstString(select).map(ConfigJson::read);
            }
        });
    }

    @Override
    public Page listFunctions(
            String account, String region, Optional<String> marker, int maxItems, boolean allVersions) {
        LambdaException.requireValid(maxItems >= 1, "MaxItems must be at least 1, got %d", maxItems);
        String[] after = marker.map(SqliteMetadataStore::decodeMarker).orElse(new String[] {"", ""});
        // Versions sort $LATEST first (position -1), then by number; a marker is (name, position).
        List<FunctionConfig> page = read("list functions", c -> {
            try (PreparedStatement select = c.prepareStatement("""
                    SELECT config FROM (
                        SELECT f.name AS name, v.config AS config,
                               CASE v.version WHEN '$LATEST' THEN -1 ELSE CAST(v.version AS INTEGER) END AS position
                        FROM functions f JOIN function_versions v ON v.function_id = f.id
                        WHERE f.account = ? AND f.region = ? AND (? OR v.version = '$LATEST'))
                    WHERE name > ? OR (name = ? AND position > ?)
                    ORDER BY name, position LIMIT ?""")) {
                select.setString(1, account);
                select.setString(2, region);
                select.setBoolean(3, allVersions);
                select.setString(4, after[0]);
                select.setString(5, after[0]);
                select.setLong(6, after[0].isEmpty() ? Long.MAX_VALUE : Long.parseLong(after[1]));
                select.setInt(7, maxItems + 1); // one more than asked tells whether another page exists
                return configs(select);
            }
        });
        if (page.size() <= maxItems) {
            return new Page(page, Optional.empty());
        }
        List<FunctionConfig> shown = page.subList(0, maxItems);
        FunctionConfig last = shown.getLast();
        return new Page(shown, Optional.of(encodeMarker(last.key().name(), position(last.version()))));
    }

    @Override
    public List<StoredFunction> allFunctions() {
        return read("list all functions", c -> {
            Map<Long, FunctionAttachments> attachments = new LinkedHashMap<>();
            try (PreparedStatement select =
                            c.prepareStatement("SELECT id, attachments FROM functions ORDER BY account, region, name");
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    attachments.put(rows.getLong(1), ConfigJson.read(rows.getString(2), FunctionAttachments.class));
                }
            }
            Map<Long, List<FunctionConfig>> versions = new LinkedHashMap<>();
            try (PreparedStatement select = c.prepareStatement("""
                    SELECT function_id, config FROM function_versions
                    ORDER BY function_id, CASE version WHEN '$LATEST' THEN -1 ELSE CAST(version AS INTEGER) END""");
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    versions.computeIfAbsent(rows.getLong(1), id -> new ArrayList<>())
                            .add(ConfigJson.read(rows.getString(2)));
                }
            }
            List<StoredFunction> out = new ArrayList<>(attachments.size());
            attachments.forEach((id, a) ->
                    StoredFunctions.of(versions.getOrDefault(id, List.of()), a).ifPresent(out::add));
            return out;
        });
    }

    @Override
    public void putSchedule(Schedule schedule, boolean create) {
        putDocument(
                Aggregate.SCHEDULE,
                "schedules",
                "name",
                "account, region, name",
                "Schedule",
                schedule,
                schedule.account(),
                schedule.region(),
                schedule.name(),
                create);
    }

    /**
     * Creates (409 if its key is taken) or replaces (404 if it is gone) one row of a table that holds a
     * JSON document in {@code config} under {@code account}, {@code region} and a key column.
     */
    private void putDocument(
            Aggregate aggregate,
            String table,
            String keyColumn,
            String uniqueColumns,
            String noun,
            Object document,
            String account,
            String region,
            String key,
            boolean create) {
        write((create ? "create a " : "update a ") + noun, c -> {
            String sql = create
                    ? "INSERT INTO " + table + " (config, account, region, " + keyColumn + ") VALUES (?, ?, ?, ?) "
                            + "ON CONFLICT (" + uniqueColumns + ") DO NOTHING"
                    : "UPDATE " + table + " SET config = ? WHERE account = ? AND region = ? AND " + keyColumn + " = ?";
            try (PreparedStatement statement = c.prepareStatement(sql)) {
                statement.setString(1, ConfigJson.write(document));
                statement.setString(2, account);
                statement.setString(3, region);
                statement.setString(4, key);
                if (statement.executeUpdate() == 0) {
                    throw create
                            ? LambdaException.conflict("%s %s already exists", noun, key)
                            : LambdaException.notFound("%s not found: %s", noun, key);
                }
            }
            changes.record(c, aggregate, aggregate == Aggregate.HTTP_API ? key : ChangeFeed.key(account, region, key));
            return null;
        });
    }

    @Override
    public boolean deleteSchedule(String account, String region, String name) {
        return write("delete a schedule", c -> {
            try (PreparedStatement delete =
                    c.prepareStatement("DELETE FROM schedules WHERE account = ? AND region = ? AND name = ?")) {
                delete.setString(1, account);
                delete.setString(2, region);
                delete.setString(3, name);
                return changedIf(
                        delete.executeUpdate() > 0, c, Aggregate.SCHEDULE, ChangeFeed.key(account, region, name));
            }
        });
    }

    @Override
    public List<Schedule> schedules(String account, String region) {
        return read("list schedules", c -> {
            try (PreparedStatement select =
                    c.prepareStatement("SELECT config FROM schedules WHERE account = ? AND region = ? ORDER BY name")) {
                select.setString(1, account);
                select.setString(2, region);
                return documents(select, Schedule.class);
            }
        });
    }

    @Override
    public Optional<Schedule> findSchedule(String account, String region, String name) {
        return read("read a schedule", c -> {
            try (PreparedStatement select =
                    c.prepareStatement("SELECT config FROM schedules WHERE account = ? AND region = ? AND name = ?")) {
                select.setString(1, account);
                select.setString(2, region);
                select.setString(3, name);
                return documents(select, Schedule.class).stream().findFirst();
            }
        });
    }

    @Override
    public boolean recordFire(String account, String region, String name, Instant fire) {
        return write(
                "record a schedule's fire", c -> ScheduleFires.record(c, "", changes, account, region, name, fire));
    }

    @Override
    public List<Schedule> allSchedules() {
        return read("list schedules", c -> {
            try (PreparedStatement select =
                    c.prepareStatement("SELECT config FROM schedules ORDER BY account, region, name")) {
                return documents(select, Schedule.class);
            }
        });
    }

    @Override
    public void putMapping(EventSourceMapping mapping, boolean create) {
        putDocument(
                Aggregate.EVENT_SOURCE_MAPPING,
                "event_source_mappings",
                "uuid",
                "account, region, uuid",
                "Event source mapping",
                mapping,
                mapping.account(),
                mapping.region(),
                mapping.uuid(),
                create);
    }

    @Override
    public boolean deleteMapping(String account, String region, String uuid) {
        return write("delete an event source mapping", c -> {
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM event_source_mappings WHERE account = ? AND region = ? AND uuid = ?")) {
                delete.setString(1, account);
                delete.setString(2, region);
                delete.setString(3, uuid);
                return changedIf(
                        delete.executeUpdate() > 0,
                        c,
                        Aggregate.EVENT_SOURCE_MAPPING,
                        ChangeFeed.key(account, region, uuid));
            }
        });
    }

    @Override
    public List<EventSourceMapping> allMappings() {
        return read("list event source mappings", c -> {
            try (PreparedStatement select =
                    c.prepareStatement("SELECT config FROM event_source_mappings ORDER BY account, region, uuid")) {
                return documents(select, EventSourceMapping.class);
            }
        });
    }

    @Override
    public LayerVersion publishLayerVersion(LayerVersion draft) {
        return write("publish a layer version", c -> LayerRows.publish(c, draft));
    }

    @Override
    public Optional<LayerVersion> findLayerVersion(String account, String region, String name, long version) {
        return read("read a layer version", c -> LayerRows.find(c, account, region, name, version));
    }

    @Override
    public List<LayerVersion> layerVersions(String account, String region, Optional<String> name) {
        return read("list layer versions", c -> LayerRows.list(c, account, region, name));
    }

    @Override
    public boolean deleteLayerVersion(String account, String region, String name, long version) {
        return write("delete a layer version", c -> LayerRows.delete(c, account, region, name, version));
    }

    @Override
    public boolean replaceLayerPolicy(LayerVersion updated, String expectedPolicyRevision) {
        return write(
                "change a layer version's policy",
                c -> LayerRows.replacePolicy(c, updated, expectedPolicyRevision, ""));
    }

    @Override
    public List<LayerVersion> allLayerVersions() {
        return read("list layer versions", LayerRows::all);
    }

    /** The JSON documents a query's first column holds. */
    private static <T> List<T> documents(PreparedStatement select, Class<T> type) throws SQLException {
        List<T> out = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                out.add(ConfigJson.read(rows.getString(1), type));
            }
        }
        return out;
    }

    @Override
    public void putHttpApi(HttpApi api, boolean create) {
        putDocument(
                Aggregate.HTTP_API,
                "http_apis",
                "api_id",
                "api_id",
                "HTTP API",
                api,
                api.account(),
                api.region(),
                api.apiId(),
                create);
    }

    @Override
    public boolean deleteHttpApi(String apiId) {
        return write("delete an HTTP API", c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM http_apis WHERE api_id = ?")) {
                delete.setString(1, apiId);
                return changedIf(delete.executeUpdate() > 0, c, Aggregate.HTTP_API, apiId);
            }
        });
    }

    @Override
    public List<HttpApi> allHttpApis() {
        return read("list HTTP APIs", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT config FROM http_apis ORDER BY api_id")) {
                return documents(select, HttpApi.class);
            }
        });
    }

    @Override
    public void createAccessKey(AccessKeyRecord key) {
        write("create an access key", c -> {
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO access_keys (access_key_id, account, sealed_secret, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (access_key_id) DO NOTHING""")) {
                insert.setString(1, key.accessKeyId());
                insert.setString(2, key.account());
                insert.setString(3, key.sealedSecret());
                insert.setLong(4, key.createdAt().toEpochMilli());
                if (insert.executeUpdate() == 0) {
                    throw LambdaException.conflict("Access key %s already exists", key.accessKeyId());
                }
            }
            changes.record(c, Aggregate.ACCESS_KEY, key.accessKeyId());
            return null;
        });
    }

    @Override
    public Optional<AccessKeyRecord> findAccessKey(String accessKeyId) {
        return read("read an access key", c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT access_key_id, account, sealed_secret, created_at FROM access_keys WHERE access_key_id = ?")) {
                select.setString(1, accessKeyId);
                List<AccessKeyRecord> keys = accessKeys(select);
                return keys.isEmpty() ? Optional.empty() : Optional.of(keys.getFirst());
            }
        });
    }

    @Override
    public List<AccessKeyRecord> listAccessKeys() {
        return read("list access keys", c -> {
            try (PreparedStatement select =
                    c.prepareStatement("SELECT access_key_id, account, sealed_secret, created_at FROM access_keys "
                            + "ORDER BY account, access_key_id")) {
                return accessKeys(select);
            }
        });
    }

    @Override
    public boolean deleteAccessKey(String accessKeyId) {
        return write("delete an access key", c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM access_keys WHERE access_key_id = ?")) {
                delete.setString(1, accessKeyId);
                return changedIf(delete.executeUpdate() > 0, c, Aggregate.ACCESS_KEY, accessKeyId);
            }
        });
    }

    private static List<AccessKeyRecord> accessKeys(PreparedStatement select) throws SQLException {
        List<AccessKeyRecord> keys = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                keys.add(new AccessKeyRecord(
                        rows.getString(1),
                        rows.getString(2),
                        rows.getString(3),
                        Instant.ofEpochMilli(rows.getLong(4))));
            }
        }
        return keys;
    }

    @Override
    public boolean deleteFunction(FunctionKey key) {
        return write("delete a function", c -> {
            try (PreparedStatement delete =
                    c.prepareStatement("DELETE FROM functions WHERE account = ? AND region = ? AND name = ?")) {
                bindKey(delete, key);
                return changedIf(delete.executeUpdate() > 0, c, key);
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
    private <T> T read(String what, SqlWork<T> work) {
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
    private <T> T write(String what, SqlWork<T> work) {
        T result;
        lock.lock();
        try {
            result = SqliteTransaction.run(connection, work);
        } catch (SQLException e) {
            throw LambdaException.internal("The metadata store could not " + what, e);
        } finally {
            lock.unlock();
        }
        changes.wakeUp();
        return result;
    }

    private void changed(Connection c, FunctionKey key) throws SQLException {
        changes.record(c, Aggregate.FUNCTION, ChangeFeed.key(key.account(), key.region(), key.name()));
    }

    private boolean changedIf(boolean changed, Connection c, FunctionKey key) throws SQLException {
        if (changed) {
            changed(c, key);
        }
        return changed;
    }

    private boolean changedIf(boolean changed, Connection c, Aggregate aggregate, String key) throws SQLException {
        if (changed) {
            changes.record(c, aggregate, key);
        }
        return changed;
    }

    @Override
    public long latestChange() {
        return read("read the change feed", ChangeLog::latest);
    }

    @Override
    public ChangeFeed.Changes changesSince(long afterSeq, int max) {
        return read("read the change feed", c -> ChangeLog.since(c, afterSeq, max));
    }

    @Override
    public AutoCloseable onWakeUp(Runnable wakeUp) {
        return changes.onWakeUp(wakeUp);
    }

    @Override
    public Optional<StoredFunction> storedFunction(FunctionKey key) {
        return read("read a function", c -> {
            Optional<String> attachments;
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT attachments FROM functions WHERE account = ? AND region = ? AND name = ?")) {
                bindKey(select, key);
                attachments = firstString(select);
            }
            if (attachments.isEmpty()) {
                return Optional.empty();
            }
            List<FunctionConfig> all;
            try (PreparedStatement select = c.prepareStatement(SELECT_CONFIG + """
                    WHERE f.account = ? AND f.region = ? AND f.name = ?
                    ORDER BY CASE v.version WHEN '$LATEST' THEN -1 ELSE CAST(v.version AS INTEGER) END""")) {
                bindKey(select, key);
                all = configs(select);
            }
            return StoredFunctions.of(all, ConfigJson.read(attachments.get(), FunctionAttachments.class));
        });
    }

    @Override
    public Optional<HttpApi> findHttpApi(String apiId) {
        return read("read an HTTP API", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT config FROM http_apis WHERE api_id = ?")) {
                select.setString(1, apiId);
                return documents(select, HttpApi.class).stream().findFirst();
            }
        });
    }

    private static void requireLatest(FunctionConfig config) {
        if (!LATEST.equals(config.version())) {
            throw new IllegalArgumentException(
                    "Only $LATEST is stored by createFunction/replaceFunction, got " + config.version());
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

    /**
     * Markers are the last name and version position shown, base64url-encoded: opaque to callers,
     * stable across restarts.
     */
    static String encodeMarker(String lastName, long position) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((lastName + "/" + position).getBytes(StandardCharsets.UTF_8));
    }

    static String[] decodeMarker(String marker) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(marker), StandardCharsets.UTF_8);
            int slash = text.lastIndexOf('/');
            if (slash > 0) {
                Long.parseLong(text.substring(slash + 1));
                return new String[] {text.substring(0, slash), text.substring(slash + 1)};
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error below
        }
        throw LambdaException.invalid("Invalid Marker: %s", marker);
    }

    static long position(String version) {
        return LATEST.equals(version) ? -1 : Long.parseLong(version);
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
