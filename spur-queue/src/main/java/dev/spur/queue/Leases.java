package dev.spur.queue;

import dev.spur.common.FunctionKey;
import dev.spur.store.Database;
import java.lang.System.Logger.Level;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Claims and leases on the shared queue's {@code events} table.
 *
 * <p>Claim: one statement, {@code UPDATE ... FROM (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n)}, takes up to
 * {@code n} due events that no one holds — no lease, or a lease that has expired by the database's clock
 * ({@code now()}) — and marks them {@code owner = node, lease_until = now() + lease}. {@code SKIP LOCKED}
 * lets nodes claim side by side without waiting on each other's rows; the row lock lasts only that
 * statement. Events of the functions this node has warm are claimed first (a second pass takes the rest).
 * Order within a pass: {@code visible_at}, then enqueue order.
 *
 * <p>Renewal: while this node holds events (claimed, not yet completed, retried or dead-lettered) one
 * platform thread ({@code spur-queue-leases}) extends their leases every lease/3, so a long invocation
 * keeps its event however long it runs, and a node that stops renewing (it died, or lost the database
 * for longer than a lease) loses its events to others after at most one lease.
 *
 * <p>Claims and renewals commit with {@code synchronous_commit = off}: losing one in a database crash only
 * makes an event claimable again, which at-least-once allows; every outcome (complete, retry, dead
 * letter) commits durably.
 */
final class Leases implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Leases.class.getName());
    private static final String RETURNING = " RETURNING e.id, e.account, e.region, e.function_name, e.qualifier, "
            + "e.payload, e.enqueued_at, e.attempts, e.visible_at, e.origin, e.seq";
    private static final String CLAIM = "UPDATE events e SET owner = ?, lease_until = now() + make_interval(secs => ?) "
            + "FROM (SELECT id FROM events WHERE visible_at <= ? AND (lease_until IS NULL OR lease_until < now()) %s "
            + "ORDER BY visible_at, seq LIMIT ? FOR UPDATE SKIP LOCKED) due WHERE e.id = due.id" + RETURNING;
    private static final String WARM =
            "AND (account, region, function_name) IN " + "(SELECT * FROM unnest(?::text[], ?::text[], ?::text[]))";

    private final Database database;
    private final String node;
    private final Duration lease;
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private final Thread renewer;
    private volatile boolean closed;

    Leases(Database database, String node, Duration lease) {
        this.database = database;
        this.node = node;
        this.lease = lease;
        this.renewer = Thread.ofPlatform().name("spur-queue-leases").daemon().start(this::renewLoop);
    }

    /** A claimed event and its enqueue order. */
    record Claimed(QueuedEvent event, long seq) {}

    /**
     * Claims up to {@code max} events due at {@code now} (the queue's clock), {@code warm} functions'
     * first; they are held by this node from now on.
     */
    List<QueuedEvent> claim(int max, Instant now, Set<FunctionKey> warm) throws SQLException {
        List<Claimed> claimed = new ArrayList<>();
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                try (Statement statement = c.createStatement()) {
                    statement.execute("SET LOCAL synchronous_commit TO OFF");
                }
                if (!warm.isEmpty()) {
                    claimed.addAll(claim(c, max, now, warm));
                }
                if (claimed.size() < max) {
                    claimed.addAll(claim(c, max - claimed.size(), now, Set.of()));
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        List<QueuedEvent> events = new ArrayList<>(claimed.size());
        claimed.stream()
                .sorted(Comparator.comparing((Claimed e) -> e.event().visibleAt())
                        .thenComparingLong(Claimed::seq))
                .forEach(e -> {
                    held.add(e.event().id());
                    events.add(e.event());
                });
        return events;
    }

    private List<Claimed> claim(Connection c, int max, Instant now, Set<FunctionKey> warm) throws SQLException {
        List<Claimed> out = new ArrayList<>();
        try (PreparedStatement update = c.prepareStatement(CLAIM.formatted(warm.isEmpty() ? "" : WARM))) {
            int i = 1;
            update.setString(i++, node);
            update.setDouble(i++, lease.toMillis() / 1000.0);
            update.setLong(i++, now.toEpochMilli());
            if (!warm.isEmpty()) {
                List<FunctionKey> keys = List.copyOf(warm);
                update.setArray(
                        i++, texts(c, keys.stream().map(FunctionKey::account).toList()));
                update.setArray(
                        i++, texts(c, keys.stream().map(FunctionKey::region).toList()));
                update.setArray(
                        i++, texts(c, keys.stream().map(FunctionKey::name).toList()));
            }
            update.setInt(i, max);
            try (ResultSet rows = update.executeQuery()) {
                while (rows.next()) {
                    out.add(new Claimed(
                            new QueuedEvent(
                                    rows.getString(1),
                                    new FunctionKey(rows.getString(2), rows.getString(3), rows.getString(4)),
                                    rows.getString(5),
                                    rows.getBytes(6),
                                    Instant.ofEpochMilli(rows.getLong(7)),
                                    rows.getInt(8),
                                    Instant.ofEpochMilli(rows.getLong(9)),
                                    rows.getString(10)),
                            rows.getLong(11)));
                }
            }
        }
        return out;
    }

    private static Array texts(Connection c, List<String> values) throws SQLException {
        return c.createArrayOf("text", values.toArray());
    }

    /** The event's outcome was recorded (or it was released): stop renewing it. */
    void forget(String id) {
        held.remove(id);
    }

    int held() {
        return held.size();
    }

    /**
     * Extends every lease this node holds; a lease someone else has taken since is not touched. Rows another
     * transaction holds locked are skipped, not waited for: they are the queue writer's — an event being
     * completed, retried or dead-lettered, in an order of its own — and waiting for them in this statement's
     * order deadlocked against the writer's batch. A skipped lease is renewed at the next round (a third of
     * the lease away) if the writer's change did not commit.
     */
    void renew() throws SQLException {
        if (held.isEmpty()) {
            return;
        }
        database.transaction(c -> {
            try (Statement statement = c.createStatement()) {
                statement.execute("SET LOCAL synchronous_commit TO OFF");
            }
            try (PreparedStatement update =
                    c.prepareStatement("UPDATE events SET lease_until = now() + make_interval(secs => ?) WHERE id IN "
                            + "(SELECT id FROM events WHERE owner = ? AND id = ANY(?) FOR UPDATE SKIP LOCKED)")) {
                update.setDouble(1, lease.toMillis() / 1000.0);
                update.setString(2, node);
                update.setArray(3, texts(c, List.copyOf(held)));
                return update.executeUpdate();
            }
        });
    }

    /** Gives up every lease of this node at once (a clean stop), so other nodes need not wait for expiry. */
    void releaseAll() throws SQLException {
        database.transaction(c -> {
            try (PreparedStatement update =
                    c.prepareStatement("UPDATE events SET owner = NULL, lease_until = NULL WHERE owner = ?")) {
                update.setString(1, node);
                return update.executeUpdate();
            }
        });
        held.clear();
    }

    private void renewLoop() {
        long every = Math.max(1, lease.toMillis() / 3);
        while (!closed) {
            try {
                Thread.sleep(every);
                renew();
            } catch (InterruptedException e) {
                return;
            } catch (SQLException | RuntimeException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "could not renew the leases of " + held.size() + " queued events", e);
                }
            }
        }
    }

    /** Stops renewing; leases held now expire on their own unless {@link #releaseAll} ran. */
    @Override
    public void close() {
        closed = true;
        renewer.interrupt();
        boolean interrupted = false;
        while (renewer.isAlive()) {
            try {
                renewer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
