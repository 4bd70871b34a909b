package dev.spur.store;

import dev.spur.common.Schedule;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/** What SQLite's and PostgreSQL's schedule stores share: moving a schedule's {@code lastFire} forward. */
final class ScheduleFires {
    private ScheduleFires() {}

    /**
     * The read-modify-write of {@link ScheduleStore#recordFire} inside a transaction; {@code lock} adds
     * {@code FOR UPDATE} where the database has it.
     */
    static boolean record(
            Connection c,
            String lockClause,
            ChangeLog changes,
            String account,
            String region,
            String name,
            Instant fire)
            throws SQLException {
        Optional<String> stored;
        try (PreparedStatement select = c.prepareStatement(
                "SELECT config FROM schedules WHERE account = ? AND region = ? AND name = ?" + lockClause)) {
            select.setString(1, account);
            select.setString(2, region);
            select.setString(3, name);
            try (ResultSet rows = select.executeQuery()) {
                stored = rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        }
        if (stored.isEmpty()) {
            return false;
        }
        Schedule schedule = ConfigJson.read(stored.get(), Schedule.class);
        if (schedule.lastFire() != null && !schedule.lastFire().isBefore(fire)) {
            return false;
        }
        try (PreparedStatement update =
                c.prepareStatement("UPDATE schedules SET config = ? WHERE account = ? AND region = ? AND name = ?")) {
            update.setString(1, ConfigJson.write(schedule.withLastFire(fire)));
            update.setString(2, account);
            update.setString(3, region);
            update.setString(4, name);
            update.executeUpdate();
        }
        changes.record(c, ChangeFeed.Aggregate.SCHEDULE, ChangeFeed.key(account, region, name));
        return true;
    }
}
