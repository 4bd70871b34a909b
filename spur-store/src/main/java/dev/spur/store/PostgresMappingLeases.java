package dev.spur.store;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/** {@link MappingLeases} in PostgreSQL: one transaction of three statements per {@code hold}. */
final class PostgresMappingLeases implements MappingLeases {
    private final Database database;
    private final String owner;
    private final Duration lease;

    PostgresMappingLeases(Database database, String owner, Duration lease) {
        this.database = database;
        this.owner = owner;
        this.lease = lease;
    }

    @Override
    public Set<String> hold(Collection<String> wanted) {
        try {
            return database.transaction(c -> {
                Array uuids = c.createArrayOf("text", wanted.toArray());
                try (PreparedStatement release =
                        c.prepareStatement("DELETE FROM mapping_leases WHERE (owner = ? AND NOT (uuid = ANY (?))) "
                                + "OR lease_until < now() - interval '1 hour'")) {
                    release.setString(1, owner);
                    release.setArray(2, uuids);
                    release.executeUpdate();
                }
                Set<String> held = new HashSet<>();
                // renew what it holds, take what is free or expired; a live owner's lease is left alone
                try (PreparedStatement claim =
                        c.prepareStatement("INSERT INTO mapping_leases (uuid, owner, lease_until) "
                                + "SELECT u, ?, now() + make_interval(secs => ?) FROM unnest(?::text[]) AS u "
                                + "ON CONFLICT (uuid) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until "
                                + "WHERE mapping_leases.owner = excluded.owner OR mapping_leases.lease_until < now() "
                                + "RETURNING uuid")) {
                    claim.setString(1, owner);
                    claim.setDouble(2, lease.toMillis() / 1000.0);
                    claim.setArray(3, uuids);
                    try (ResultSet rows = claim.executeQuery()) {
                        while (rows.next()) {
                            held.add(rows.getString(1));
                        }
                    }
                }
                return held;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("cannot renew the event-source mapping leases: " + e.getMessage(), e);
        }
    }

    @Override
    public void release() {
        try {
            database.transaction(c -> {
                try (PreparedStatement release = c.prepareStatement("DELETE FROM mapping_leases WHERE owner = ?")) {
                    release.setString(1, owner);
                    return release.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw new IllegalStateException("cannot release the event-source mapping leases: " + e.getMessage(), e);
        }
    }
}
