package dev.spur.store;

import dev.spur.common.HttpApi;
import dev.spur.common.LambdaException;
import dev.spur.common.Schedule;
import dev.spur.store.ChangeFeed.Aggregate;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link ScheduleStore}, {@link ApiStore} and {@link KeyStore} on PostgreSQL: each thing one row, a JSON
 * document or a sealed key, created (409 if its key is taken), replaced (404 if gone) or deleted, each
 * write one transaction with its change.
 */
final class PostgresDocuments implements ScheduleStore, ApiStore, KeyStore {
    private final PostgresAccess db;

    PostgresDocuments(PostgresAccess db) {
        this.db = db;
    }

    @Override
    public void putSchedule(Schedule schedule, boolean create) {
        put(
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

    @Override
    public boolean deleteSchedule(String account, String region, String name) {
        return db.write("delete a schedule", c -> {
            try (PreparedStatement delete =
                    c.prepareStatement("DELETE FROM schedules WHERE account = ? AND region = ? AND name = ?")) {
                delete.setString(1, account);
                delete.setString(2, region);
                delete.setString(3, name);
                return db.changedIf(
                        delete.executeUpdate() > 0, c, Aggregate.SCHEDULE, ChangeFeed.key(account, region, name));
            }
        });
    }

    @Override
    public List<Schedule> schedules(String account, String region) {
        return db.read("list schedules", c -> {
            try (PreparedStatement select =
                    c.prepareStatement("SELECT config FROM schedules WHERE account = ? AND region = ? ORDER BY name")) {
                select.setString(1, account);
                select.setString(2, region);
                return PostgresAccess.documents(select, Schedule.class);
            }
        });
    }

    @Override
    public Optional<Schedule> findSchedule(String account, String region, String name) {
        return db.read("read a schedule", c -> {
            try (PreparedStatement select =
                    c.prepareStatement("SELECT config FROM schedules WHERE account = ? AND region = ? AND name = ?")) {
                select.setString(1, account);
                select.setString(2, region);
                select.setString(3, name);
                return PostgresAccess.documents(select, Schedule.class).stream().findFirst();
            }
        });
    }

    @Override
    public boolean recordFire(String account, String region, String name, Instant fire) {
        return db.write(
                "record a schedule's fire",
                c -> ScheduleFires.record(c, " FOR UPDATE", db.changes, account, region, name, fire));
    }

    @Override
    public List<Schedule> allSchedules() {
        return db.read("list schedules", c -> {
            try (PreparedStatement select =
                    c.prepareStatement("SELECT config FROM schedules ORDER BY account, region, name")) {
                return PostgresAccess.documents(select, Schedule.class);
            }
        });
    }

    @Override
    public void putHttpApi(HttpApi api, boolean create) {
        put(
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
        return db.write("delete an HTTP API", c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM http_apis WHERE api_id = ?")) {
                delete.setString(1, apiId);
                return db.changedIf(delete.executeUpdate() > 0, c, Aggregate.HTTP_API, apiId);
            }
        });
    }

    @Override
    public Optional<HttpApi> findHttpApi(String apiId) {
        return db.read("read an HTTP API", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT config FROM http_apis WHERE api_id = ?")) {
                select.setString(1, apiId);
                return PostgresAccess.documents(select, HttpApi.class).stream().findFirst();
            }
        });
    }

    @Override
    public List<HttpApi> allHttpApis() {
        return db.read("list HTTP APIs", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT config FROM http_apis ORDER BY api_id")) {
                return PostgresAccess.documents(select, HttpApi.class);
            }
        });
    }

    /** Creates (409 if its key is taken) or replaces (404 if it is gone) one document row. */
    private void put(
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
        db.write((create ? "create a " : "update a ") + noun, c -> {
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
            db.changes.record(
                    c, aggregate, aggregate == Aggregate.HTTP_API ? key : ChangeFeed.key(account, region, key));
            return null;
        });
    }

    @Override
    public void createAccessKey(AccessKeyRecord key) {
        db.write("create an access key", c -> {
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
            db.changes.record(c, Aggregate.ACCESS_KEY, key.accessKeyId());
            return null;
        });
    }

    @Override
    public Optional<AccessKeyRecord> findAccessKey(String accessKeyId) {
        return db.read("read an access key", c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT access_key_id, account, sealed_secret, created_at FROM access_keys WHERE access_key_id = ?")) {
                select.setString(1, accessKeyId);
                return accessKeys(select).stream().findFirst();
            }
        });
    }

    @Override
    public List<AccessKeyRecord> listAccessKeys() {
        return db.read("list access keys", c -> {
            try (PreparedStatement select =
                    c.prepareStatement("SELECT access_key_id, account, sealed_secret, created_at FROM access_keys "
                            + "ORDER BY account, access_key_id")) {
                return accessKeys(select);
            }
        });
    }

    @Override
    public boolean deleteAccessKey(String accessKeyId) {
        return db.write("delete an access key", c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM access_keys WHERE access_key_id = ?")) {
                delete.setString(1, accessKeyId);
                return db.changedIf(delete.executeUpdate() > 0, c, Aggregate.ACCESS_KEY, accessKeyId);
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
}
