package dev.spur.store;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * {@link Wakeups} over {@code LISTEN}/{@code NOTIFY}. Two platform threads: the announcer waits for keys,
 * takes all announced so far and sends them as one {@code pg_notify} (newline-separated, split below
 * PostgreSQL's 8,000-byte payload limit) on a pooled connection, so under load one notification covers every
 * send of a round trip; the listener holds a connection of its own, {@code LISTEN}s, and hands each key it
 * receives to the consumer. A lost connection is reopened after a second; what was announced meanwhile is
 * lost (the pollers' fallback covers it).
 */
final class PostgresWakeups implements Wakeups {
    private static final System.Logger LOG = System.getLogger(PostgresWakeups.class.getName());
    private static final Pattern CHANNEL = Pattern.compile("[a-z_]{1,60}");
    private static final int PAYLOAD_LIMIT = 7_000;
    private static final int LISTEN_WAIT_MILLIS = 500;

    private final PostgresDatabase database;
    private final String channel;
    private final Consumer<String> woken;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final Semaphore announced = new Semaphore(0);
    private volatile boolean closed;
    private Thread announcer;
    private Thread listener;

    PostgresWakeups(PostgresDatabase database, String channel, Consumer<String> woken) {
        if (!CHANNEL.matcher(channel).matches()) {
            throw new IllegalArgumentException("not a channel name: " + channel);
        }
        this.database = database;
        this.channel = channel;
        this.woken = woken;
    }

    PostgresWakeups start() {
        announcer = Thread.ofPlatform().name("spur-wakeup-announce").daemon().start(this::announceLoop);
        listener = Thread.ofPlatform().name("spur-wakeup-listen").daemon().start(this::listenLoop);
        return this;
    }

    @Override
    public void announce(String key) {
        if (pending.add(key)) {
            announced.release();
        }
    }

    private void announceLoop() {
        while (!closed) {
            try {
                if (!announced.tryAcquire(LISTEN_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                announced.drainPermits();
                List<String> keys = new ArrayList<>(pending);
                pending.removeAll(keys);
                if (!keys.isEmpty()) {
                    send(keys);
                }
            } catch (InterruptedException e) {
                return;
            } catch (SQLException | RuntimeException e) {
                LOG.log(Level.WARNING, "cannot announce on " + channel + " (the pollers will look anyway): " + e);
            }
        }
    }

    private void send(List<String> keys) throws SQLException {
        try (Connection c = database.connection();
                PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            StringBuilder payload = new StringBuilder();
            for (String key : keys) {
                if (payload.length() + key.getBytes(StandardCharsets.UTF_8).length + 1 > PAYLOAD_LIMIT
                        && !payload.isEmpty()) {
                    notify.setString(1, channel);
                    notify.setString(2, payload.toString());
                    notify.execute();
                    payload.setLength(0);
                }
                payload.append(payload.isEmpty() ? "" : "\n").append(key);
            }
            notify.setString(1, channel);
            notify.setString(2, payload.toString());
            notify.execute();
        }
    }

    private void listenLoop() {
        while (!closed) {
            try (Connection c = database.dedicatedConnection()) {
                try (Statement statement = c.createStatement()) {
                    statement.execute("LISTEN " + channel);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] notifications = pg.getNotifications(LISTEN_WAIT_MILLIS);
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            for (String key : n.getParameter().split("\n")) {
                                woken.accept(key);
                            }
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.log(Level.WARNING, "lost the LISTEN connection of " + channel + "; reconnecting in 1 s", e);
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : new Thread[] {announcer, listener}) {
            if (t != null) {
                try {
                    t.join(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
