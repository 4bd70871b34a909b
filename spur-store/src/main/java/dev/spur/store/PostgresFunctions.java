package dev.spur.store;

import dev.spur.common.Arns;
import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionAttachments;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link FunctionStore} on PostgreSQL. The same tables and rules as {@link SqliteMetadataStore}'s, made
 * safe for many writers: {@code replaceFunction} locks the {@code $LATEST} row ({@code FOR UPDATE})
 * before comparing revisions, so of two nodes updating with the same revision exactly one wins (412 for
 * the other); a version number is its row's primary key, so two nodes publishing the same number get one
 * 409. Attachments are replaced whole, by compare-and-set: the row is locked and its document compared
 * with what the writer read, so a writer that read before another node's change writes nothing and is
 * told to read again.
 */
final class PostgresFunctions implements FunctionStore {
    private static final String LATEST = Arns.LATEST;
    private static final String SELECT_CONFIG =
            "SELECT v.config FROM functions f JOIN function_versions v ON v.function_id = f.id ";

    private final PostgresAccess db;

    PostgresFunctions(PostgresAccess db) {
        this.db = db;
    }

    @Override
    public void createFunction(
            FunctionConfig config, FunctionAttachments attachments, Optional<FunctionConfig> published) {
        requireLatest(config);
        FunctionKey key = config.key();
        db.write("create a function", c -> {
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
            db.changed(c, key);
            return null;
        });
    }

    @Override
    public void replaceFunction(FunctionConfig updated, String expectedRevisionId) {
        requireLatest(updated);
        FunctionKey key = updated.key();
        db.write("update a function", c -> {
            long id;
            String stored;
            try (PreparedStatement select = c.prepareStatement("""
                    SELECT f.id, v.revision_id FROM functions f JOIN function_versions v ON v.function_id = f.id
                    WHERE f.account = ? AND f.region = ? AND f.name = ? AND v.version = '$LATEST'
                    FOR UPDATE OF v""")) {
                bindKey(select, key);
                try (ResultSet rows = select.executeQuery()) {
                    if (!rows.next()) {
                        throw LambdaException.notFound("Function not found: %s", key.arn());
                    }
                    id = rows.getLong(1);
                    stored = rows.getString(2);
                }
            }
            if (!stored.equals(expectedRevisionId)) {
                throw LambdaException.of(
                        ErrorCode.PRECONDITION_FAILED,
                        "The Revision Id provided does not match "
                                + "the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
            }
            try (PreparedStatement update = c.prepareStatement("""
                    UPDATE function_versions SET revision_id = ?, code_sha256 = ?, last_modified = ?, config = ?
                    WHERE function_id = ? AND version = '$LATEST'""")) {
                bindConfig(update, 1, updated);
                update.setLong(5, id);
                update.executeUpdate();
            }
            db.changed(c, key);
            return null;
        });
    }

    @Override
    public boolean publishVersion(FunctionConfig version, FunctionAttachments expected, FunctionAttachments updated) {
        if (LATEST.equals(version.version())) {
            throw new IllegalArgumentException("$LATEST is not a published version");
        }
        return db.write("publish a version", c -> {
            long id = functionId(c, version.key());
            if (!lockedAttachmentsAre(c, id, expected)) {
                return false;
            }
            if (!insertVersion(c, id, version)) {
                throw LambdaException.conflict(
                        "Version %s of %s already exists",
                        version.version(), version.key().name());
            }
            updateAttachments(c, id, updated);
            db.changed(c, version.key());
            return true;
        });
    }

    @Override
    public boolean deleteVersion(FunctionKey key, String version) {
        if (LATEST.equals(version)) {
            throw new IllegalArgumentException("$LATEST goes only with its function");
        }
        return db.write("delete a version", c -> {
            try (PreparedStatement delete = c.prepareStatement("""
                    DELETE FROM function_versions WHERE version = ? AND function_id =
                        (SELECT id FROM functions WHERE account = ? AND region = ? AND name = ?)""")) {
                delete.setString(1, version);
                delete.setString(2, key.account());
                delete.setString(3, key.region());
                delete.setString(4, key.name());
                boolean deleted = delete.executeUpdate() > 0;
                if (deleted) {
                    db.changed(c, key);
                }
                return deleted;
            }
        });
    }

    @Override
    public boolean saveAttachments(FunctionKey key, FunctionAttachments expected, FunctionAttachments updated) {
        return db.write("update a function", c -> {
            long id = functionId(c, key);
            if (!lockedAttachmentsAre(c, id, expected)) {
                return false;
            }
            updateAttachments(c, id, updated);
            db.changed(c, key);
            return true;
        });
    }

    /**
     * Locks the function's row ({@code FOR UPDATE}, held to commit) and tells whether its attachments equal
     * {@code expected} as values: of two nodes that read the same attachments, the second to lock finds
     * the first's change and writes nothing.
     */
    private static boolean lockedAttachmentsAre(Connection c, long functionId, FunctionAttachments expected)
            throws SQLException {
        try (PreparedStatement select =
                c.prepareStatement("SELECT attachments FROM functions WHERE id = ? FOR UPDATE")) {
            select.setLong(1, functionId);
            return PostgresAccess.firstString(select)
                    .map(json ->
                            ConfigJson.read(json, FunctionAttachments.class).equals(expected))
                    .orElse(false);
        }
    }

    @Override
    public Optional<FunctionConfig> findFunction(FunctionKey key) {
        return db.read("read a function", c -> {
            try (PreparedStatement select = c.prepareStatement(
                    SELECT_CONFIG + "WHERE f.account = ? AND f.region = ? AND f.name = ? AND v.version = '$LATEST'")) {
                bindKey(select, key);
                return PostgresAccess.firstString(select).map(ConfigJson::read);
            }
        });
    }

    @Override
    public Optional<StoredFunction> storedFunction(FunctionKey key) {
        return db.read("read a function", c -> {
            Optional<String> attachments;
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT attachments FROM functions WHERE account = ? AND region = ? AND name = ?")) {
                bindKey(select, key);
                attachments = PostgresAccess.firstString(select);
            }
            if (attachments.isEmpty()) {
                return Optional.empty();
            }
            try (PreparedStatement select = c.prepareStatement(
                    SELECT_CONFIG + "WHERE f.account = ? AND f.region = ? AND f.name = ? ORDER BY v.position")) {
                bindKey(select, key);
                return StoredFunctions.of(
                        configs(select), ConfigJson.read(attachments.get(), FunctionAttachments.class));
            }
        });
    }

    @Override
    public Page listFunctions(
            String account, String region, Optional<String> marker, int maxItems, boolean allVersions) {
        LambdaException.requireValid(maxItems >= 1, "MaxItems must be at least 1, got %d", maxItems);
        String[] after = marker.map(SqliteMetadataStore::decodeMarker).orElse(new String[] {"", ""});
        List<FunctionConfig> page = db.read("list functions", c -> {
            try (PreparedStatement select = c.prepareStatement(SELECT_CONFIG + """
                    WHERE f.account = ? AND f.region = ? AND (? OR v.version = '$LATEST')
                      AND (f.name > ? OR (f.name = ? AND v.position > ?))
                    ORDER BY f.name, v.position LIMIT ?""")) {
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
        return new Page(
                shown,
                Optional.of(SqliteMetadataStore.encodeMarker(
                        last.key().name(), SqliteMetadataStore.position(last.version()))));
    }

    @Override
    public List<StoredFunction> allFunctions() {
        return db.read("list all functions", c -> {
            Map<Long, FunctionAttachments> attachments = new LinkedHashMap<>();
            try (PreparedStatement select =
                            c.prepareStatement("SELECT id, attachments FROM functions ORDER BY account, region, name");
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    attachments.put(rows.getLong(1), ConfigJson.read(rows.getString(2), FunctionAttachments.class));
                }
            }
            Map<Long, List<FunctionConfig>> versions = new LinkedHashMap<>();
            try (PreparedStatement select = c.prepareStatement(
                            "SELECT function_id, config FROM function_versions ORDER BY function_id, position");
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
    public boolean deleteFunction(FunctionKey key) {
        return db.write("delete a function", c -> {
            try (PreparedStatement delete =
                    c.prepareStatement("DELETE FROM functions WHERE account = ? AND region = ? AND name = ?")) {
                bindKey(delete, key);
                boolean deleted = delete.executeUpdate() > 0;
                if (deleted) {
                    db.changed(c, key);
                }
                return deleted;
            }
        });
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

    /** Inserts one version row; false if the function already has that version. */
    private static boolean insertVersion(Connection c, long functionId, FunctionConfig config) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("""
                INSERT INTO function_versions (function_id, version, revision_id, code_sha256, last_modified, config)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (function_id, version) DO NOTHING""")) {
            insert.setLong(1, functionId);
            insert.setString(2, config.version());
            bindConfig(insert, 3, config);
            return insert.executeUpdate() > 0;
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

    private static List<FunctionConfig> configs(PreparedStatement select) throws SQLException {
        List<FunctionConfig> configs = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                configs.add(ConfigJson.read(rows.getString(1)));
            }
        }
        return configs;
    }
}
