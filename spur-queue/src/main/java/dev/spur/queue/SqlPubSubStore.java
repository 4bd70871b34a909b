package dev.spur.queue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** {@link PubSubStore} in SQL both databases speak, on the event queue's writer. */
final class SqlPubSubStore implements PubSubStore {

    /** Inserts an event within the writer's transaction (the queue's own statement); false if its id is taken. */
    @FunctionalInterface
    interface EventInsert {
        boolean insert(Connection c, QueuedEvent event) throws SQLException;
    }

    private static final String COLUMNS = "account, kind, name, document";

    private final GroupCommitWriter writer;
    private final EventInsert insertEvent;
    private final Consumer<QueuedEvent> insertedEvent;
    private final Runnable wakeTakers;

    SqlPubSubStore(
            GroupCommitWriter writer,
            EventInsert insertEvent,
            Consumer<QueuedEvent> insertedEvent,
            Runnable wakeTakers) {
        this.writer = writer;
        this.insertEvent = insertEvent;
        this.insertedEvent = insertedEvent;
        this.wakeTakers = wakeTakers;
    }

    @Override
    public Optional<Resource> create(Resource r) {
        return writer.submit(c -> {
            Optional<Resource> existing = find(c, r.account(), r.kind(), r.name());
            if (existing.isPresent()) {
                return existing;
            }
            try (PreparedStatement insert =
                    c.prepareStatement("INSERT INTO pubsub_resources (" + COLUMNS + ") VALUES (?, ?, ?, ?)")) {
                insert.setString(1, r.account());
                insert.setString(2, r.kind());
                insert.setString(3, r.name());
                insert.setString(4, r.document());
                insert.executeUpdate();
            }
            return Optional.<Resource>empty();
        });
    }

    @Override
    public boolean replace(Resource r) {
        return writer.submit(c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE pubsub_resources SET document = ? WHERE account = ? AND kind = ? AND name = ?")) {
                update.setString(1, r.document());
                update.setString(2, r.account());
                update.setString(3, r.kind());
                update.setString(4, r.name());
                return update.executeUpdate() > 0;
            }
        });
    }

    @Override
    public Optional<Resource> get(String account, String kind, String name) {
        return writer.submit(c -> find(c, account, kind, name));
    }

    @Override
    public List<Resource> list(String account, String kind, String prefix) {
        return writer.submit(c -> {
            String sql = "SELECT " + COLUMNS + " FROM pubsub_resources WHERE kind = ? "
                    + "AND substr(name, 1, length(?)) = ?" + (account == null ? "" : " AND account = ?")
                    + " ORDER BY account, name";
            try (PreparedStatement select = c.prepareStatement(sql)) {
                select.setString(1, kind);
                select.setString(2, prefix);
                select.setString(3, prefix);
                if (account != null) {
                    select.setString(4, account);
                }
                List<Resource> out = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        out.add(new Resource(
                                rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public boolean delete(String account, String kind, String name, String dependentKind, String dependentPrefix) {
        return writer.submit(c -> {
            if (dependentKind != null) {
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM pubsub_resources WHERE account = ? "
                        + "AND kind = ? AND substr(name, 1, length(?)) = ?")) {
                    delete.setString(1, account);
                    delete.setString(2, dependentKind);
                    delete.setString(3, dependentPrefix);
                    delete.setString(4, dependentPrefix);
                    delete.executeUpdate();
                }
            }
            try (PreparedStatement delete =
                    c.prepareStatement("DELETE FROM pubsub_resources WHERE account = ? AND kind = ? AND name = ?")) {
                delete.setString(1, account);
                delete.setString(2, kind);
                delete.setString(3, name);
                return delete.executeUpdate() > 0;
            }
        });
    }

    @Override
    public Delivered deliver(List<QueuedEvent> events, List<QueueMessage> messages, Instant now) {
        List<QueuedEvent> stored = new ArrayList<>(events.size());
        for (QueuedEvent e : events) {
            stored.add(new QueuedEvent(
                    e.id(),
                    e.function(),
                    e.qualifier(),
                    e.payload(),
                    SqliteEventQueue.millis(e.enqueuedAt()),
                    e.attempts(),
                    SqliteEventQueue.millis(e.visibleAt()),
                    e.origin()));
        }
        Delivered delivered = writer.submit(new GroupCommitWriter.Operation<Delivered>() {
            private final List<QueuedEvent> inserted = new ArrayList<>();

            @Override
            public Delivered write(Connection c) throws SQLException {
                inserted.clear(); // a batch that rolled back is written again, alone
                for (QueuedEvent e : stored) {
                    if (insertEvent.insert(c, e)) {
                        inserted.add(e);
                    }
                }
                List<Optional<MessageStore.Sent>> sent = new ArrayList<>(messages.size());
                for (QueueMessage m : messages) {
                    if (!queueExists(c, m.account(), m.queue())) {
                        sent.add(Optional.empty());
                        continue;
                    }
                    List<MessageStore.Sent> one = SqlMessageStore.sendIn(
                            c, m.account(), m.queue(), List.of(m.message()), now, m.dedupUntil());
                    sent.add(Optional.of(one.getFirst()));
                }
                return new Delivered(inserted.size(), sent);
            }

            @Override
            public void committed(Delivered result) {
                inserted.forEach(insertedEvent);
            }
        });
        if (delivered.events() > 0) {
            wakeTakers.run();
        }
        return delivered;
    }

    private static boolean queueExists(Connection c, String account, String queue) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT 1 FROM sqs_queues WHERE account = ? AND name = ?")) {
            select.setString(1, account);
            select.setString(2, queue);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static Optional<Resource> find(Connection c, String account, String kind, String name) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM pubsub_resources WHERE account = ? AND kind = ? AND name = ?")) {
            select.setString(1, account);
            select.setString(2, kind);
            select.setString(3, name);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next()
                        ? Optional.of(new Resource(
                                rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4)))
                        : Optional.empty();
            }
        }
    }
}
