package dev.spur.store;

import java.net.URI;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A fleet's membership, the {@code nodes} table of the shared database: each node registers a row (its
 * name, a random incarnation per start, where peers reach it), beats every second or so ({@code
 * heartbeat_at = now()}, with a JSON report of its load), and marks it {@code LEFT} when it stops cleanly.
 * A node is live while its last beat is younger than the dead-after interval, measured on the database's
 * clock ({@code now() - heartbeat_at}), so node clocks never decide who is dead.
 *
 * <p>Failure semantics: every call is one statement or one transaction; one that fails (the database
 * unreachable) throws {@link IllegalStateException} and changes nothing. A node that cannot beat is
 * declared dead by the others after the dead-after interval, whatever it believes.
 */
public final class Membership {
    /** A row of the table as read now. */
    public record Node(
            String name,
            String incarnation,
            URI advertise,
            String state,
            Instant startedAt,
            Instant heartbeatAt,
            Duration sinceBeat,
            boolean live,
            String report) {
        public Node {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(advertise, "advertise");
        }
    }

    private final Database database;

    private Membership(Database database) {
        this.database = database;
    }

    public static Membership of(Database database) {
        return new Membership(database);
    }

    /**
     * Registers this node: its row created, or taken over from a previous start of the same name (one that
     * stopped or is dead by {@code deadAfter}).
     *
     * @throws IllegalStateException if a live node with another incarnation holds {@code name} (two nodes
     *                               given one name), naming where that node is
     */
    public void register(String name, String incarnation, URI advertise, String report, Duration deadAfter) {
        run("register node " + name, c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT incarnation, advertise, state, now() - heartbeat_at < make_interval(secs => ?) "
                            + "FROM nodes WHERE name = ? FOR UPDATE")) {
                select.setDouble(1, deadAfter.toMillis() / 1000.0);
                select.setString(2, name);
                try (ResultSet rows = select.executeQuery()) {
                    if (rows.next()
                            && !rows.getString(1).equals(incarnation)
                            && "ACTIVE".equals(rows.getString(3))
                            && rows.getBoolean(4)) {
                        throw new IllegalStateException("the node name " + name + " is taken by a live node at "
                                + rows.getString(2) + "; give each node its own name (--node-name)");
                    }
                }
            }
            try (PreparedStatement upsert = c.prepareStatement(
                    "INSERT INTO nodes (name, incarnation, advertise, state, started_at, heartbeat_at, report) "
                            + "VALUES (?, ?, ?, 'ACTIVE', now(), now(), ?) ON CONFLICT (name) DO UPDATE SET "
                            + "incarnation = excluded.incarnation, advertise = excluded.advertise, state = 'ACTIVE', "
                            + "started_at = now(), heartbeat_at = now(), report = excluded.report")) {
                upsert.setString(1, name);
                upsert.setString(2, incarnation);
                upsert.setString(3, advertise.toString());
                upsert.setString(4, report);
                upsert.executeUpdate();
            }
            return null;
        });
    }

    /**
     * One heartbeat with this node's report.
     *
     * @return false if the row is no longer this incarnation's (another start of the name took it over)
     */
    public boolean beat(String name, String incarnation, String report) {
        return run("heartbeat of node " + name, c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE nodes SET heartbeat_at = now(), report = ?, "
                    + "state = 'ACTIVE' WHERE name = ? AND incarnation = ?")) {
                update.setString(1, report);
                update.setString(2, name);
                update.setString(3, incarnation);
                return update.executeUpdate() == 1;
            }
        });
    }

    /** Marks this node {@code LEFT} (a clean stop): the others stop routing to it at their next read. */
    public void leave(String name, String incarnation) {
        run("leave of node " + name, c -> {
            try (PreparedStatement update =
                    c.prepareStatement("UPDATE nodes SET state = 'LEFT' WHERE name = ? AND incarnation = ?")) {
                update.setString(1, name);
                update.setString(2, incarnation);
                update.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Every registered node, by name, with whether it is live: {@code ACTIVE} and beaten within {@code
     * deadAfter} by the database's clock.
     */
    public List<Node> nodes(Duration deadAfter) {
        return run("list nodes", c -> {
            List<Node> nodes = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT name, incarnation, advertise, state, started_at, "
                            + "heartbeat_at, EXTRACT(EPOCH FROM now() - heartbeat_at) * 1000, report FROM nodes ORDER BY name")) {
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        Duration since = Duration.ofMillis(Math.max(0, Math.round(rows.getDouble(7))));
                        String state = rows.getString(4);
                        boolean live = "ACTIVE".equals(state) && since.compareTo(deadAfter) < 0;
                        nodes.add(new Node(
                                rows.getString(1),
                                rows.getString(2),
                                URI.create(rows.getString(3)),
                                live || !"ACTIVE".equals(state) ? state : "DEAD",
                                rows.getTimestamp(5).toInstant(),
                                rows.getTimestamp(6).toInstant(),
                                since,
                                live,
                                rows.getString(8)));
                    }
                }
            }
            return nodes;
        });
    }

    private <T> T run(String what, SqlWork<T> work) {
        try {
            return database.transaction(work);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot " + what + ": " + e.getMessage(), e);
        }
    }
}
