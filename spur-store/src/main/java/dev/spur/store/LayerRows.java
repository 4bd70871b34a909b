package dev.spur.store;

import dev.spur.common.LayerVersion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of {@link LayerStore}, the same on SQLite and PostgreSQL: {@code layers} holds each name's
 * last number (an upsert takes the next one atomically: two nodes publishing at once get two numbers),
 * {@code layer_versions} one JSON document per version with its code's hash beside it (so the shared
 * code store can tell a package is still used).
 */
final class LayerRows {
    private LayerRows() {}

    static LayerVersion publish(Connection c, LayerVersion draft) throws SQLException {
        long number;
        try (PreparedStatement next = c.prepareStatement("""
                INSERT INTO layers (account, region, name, last_version) VALUES (?, ?, ?, 1)
                ON CONFLICT (account, region, name) DO UPDATE SET last_version = layers.last_version + 1
                RETURNING last_version""")) {
            next.setString(1, draft.account());
            next.setString(2, draft.region());
            next.setString(3, draft.name());
            try (ResultSet rows = next.executeQuery()) {
                rows.next();
                number = rows.getLong(1);
            }
        }
        LayerVersion stored = draft.numbered(number);
        try (PreparedStatement insert = c.prepareStatement("""
                INSERT INTO layer_versions (account, region, name, version, code_sha256, config)
                VALUES (?, ?, ?, ?, ?, ?)""")) {
            bind(insert, stored.account(), stored.region(), stored.name(), stored.version());
            insert.setString(5, stored.code().sha256Hex());
            insert.setString(6, ConfigJson.write(stored));
            insert.executeUpdate();
        }
        return stored;
    }

    static Optional<LayerVersion> find(Connection c, String account, String region, String name, long version)
            throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT config FROM layer_versions WHERE account = ? AND region = ? AND name = ? AND version = ?")) {
            bind(select, account, region, name, version);
            return documents(select).stream().findFirst();
        }
    }

    static List<LayerVersion> list(Connection c, String account, String region, Optional<String> name)
            throws SQLException {
        String sql = "SELECT config FROM layer_versions WHERE account = ? AND region = ?"
                + (name.isPresent() ? " AND name = ?" : "") + " ORDER BY name, version DESC";
        try (PreparedStatement select = c.prepareStatement(sql)) {
            select.setString(1, account);
            select.setString(2, region);
            if (name.isPresent()) {
                select.setString(3, name.get());
            }
            return documents(select);
        }
    }

    static boolean delete(Connection c, String account, String region, String name, long version) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement(
                "DELETE FROM layer_versions WHERE account = ? AND region = ? AND name = ? AND version = ?")) {
            bind(delete, account, region, name, version);
            return delete.executeUpdate() > 0;
        }
    }

    /** The stored document is read under the row's lock ({@code lockSuffix}: {@code FOR UPDATE} on PostgreSQL). */
    static boolean replacePolicy(Connection c, LayerVersion updated, String expectedRevision, String lockSuffix)
            throws SQLException {
        Optional<LayerVersion> current;
        try (PreparedStatement select = c.prepareStatement(
                "SELECT config FROM layer_versions WHERE account = ? AND region = ? AND name = ? AND version = ?"
                        + lockSuffix)) {
            bind(select, updated.account(), updated.region(), updated.name(), updated.version());
            current = documents(select).stream().findFirst();
        }
        if (current.isEmpty() || !current.get().policyRevisionId().equals(expectedRevision)) {
            return false;
        }
        LayerVersion replacement = current.get().withPolicy(updated.statements(), updated.policyRevisionId());
        try (PreparedStatement update = c.prepareStatement(
                "UPDATE layer_versions SET config = ? WHERE account = ? AND region = ? AND name = ? AND version = ?")) {
            update.setString(1, ConfigJson.write(replacement));
            update.setString(2, updated.account());
            update.setString(3, updated.region());
            update.setString(4, updated.name());
            update.setLong(5, updated.version());
            return update.executeUpdate() > 0;
        }
    }

    static List<LayerVersion> all(Connection c) throws SQLException {
        try (PreparedStatement select =
                c.prepareStatement("SELECT config FROM layer_versions ORDER BY account, region, name, version")) {
            return documents(select);
        }
    }

    private static void bind(PreparedStatement statement, String account, String region, String name, long version)
            throws SQLException {
        statement.setString(1, account);
        statement.setString(2, region);
        statement.setString(3, name);
        statement.setLong(4, version);
    }

    private static List<LayerVersion> documents(PreparedStatement select) throws SQLException {
        List<LayerVersion> out = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                out.add(ConfigJson.read(rows.getString(1), LayerVersion.class));
            }
        }
        return out;
    }
}
