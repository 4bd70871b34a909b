package dev.spur.queue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@link MessageStore} in SQL that SQLite and PostgreSQL both speak, every call one operation of the
 * event queue's {@link GroupCommitWriter} (reads too: they are cheap, and a read then never sees a
 * state between two commits of the writer).
 *
 * <p>On PostgreSQL, several nodes' writers share the tables: a receive locks the rows it leases
 * ({@code FOR UPDATE SKIP LOCKED}, so two nodes never lease one message), and a FIFO receive first takes
 * a transaction advisory lock on its queue, so "one message group in flight" holds across nodes. SQLite
 * has one writer, which serialises everything already.
 */
final class SqlMessageStore implements MessageStore {
    private static final String QUEUE_COLUMNS =
            "account, name, region, fifo, created_at, modified_at, attributes, tags";
    private static final String MESSAGE_COLUMNS = "seq, id, body, attributes, md5_body, md5_attributes, group_id, "
            + "dedup_id, sent_at, receive_count, first_receive_at, visible_at";

    /** How many messages a FIFO receive looks at to fill a batch from one group. */
    private static final int FIFO_LOOKAHEAD = 500;

    private final GroupCommitWriter writer;
    private final boolean postgres;

    SqlMessageStore(GroupCommitWriter writer, boolean postgres) {
        this.writer = writer;
        this.postgres = postgres;
    }

    @Override
    public Optional<StoredQueue> createQueue(StoredQueue q) {
        return writer.submit(c -> {
            Optional<StoredQueue> existing = find(c, q.account(), q.name());
            if (existing.isPresent()) {
                return existing;
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO sqs_queues (" + QUEUE_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, q.account());
                insert.setString(2, q.name());
                insert.setString(3, q.region());
                insert.setInt(4, q.fifo() ? 1 : 0);
                insert.setLong(5, q.createdAt().toEpochMilli());
                insert.setLong(6, q.modifiedAt().toEpochMilli());
                insert.setString(7, q.attributes());
                insert.setString(8, q.tags());
                insert.executeUpdate();
            }
            return Optional.empty();
        });
    }

    @Override
    public Optional<StoredQueue> queue(String account, String name) {
        return writer.submit(c -> find(c, account, name));
    }

    @Override
    public List<StoredQueue> queues(String account, String prefix) {
        return writer.submit(c -> {
            String sql = "SELECT " + QUEUE_COLUMNS + " FROM sqs_queues" + (account == null ? "" : " WHERE account = ?")
                    + " ORDER BY account, name";
            List<StoredQueue> out = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(sql)) {
                if (account != null) {
                    select.setString(1, account);
                }
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        StoredQueue q = queue(rows);
                        if (prefix == null || q.name().startsWith(prefix)) {
                            out.add(q);
                        }
                    }
                }
            }
            return out;
        });
    }

    @Override
    public boolean updateQueue(StoredQueue q) {
        return writer.submit(c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE sqs_queues SET attributes = ?, tags = ?, modified_at = ? WHERE account = ? AND name = ?")) {
                update.setString(1, q.attributes());
                update.setString(2, q.tags());
                update.setLong(3, q.modifiedAt().toEpochMilli());
                update.setString(4, q.account());
                update.setString(5, q.name());
                return update.executeUpdate() > 0;
            }
        });
    }

    @Override
    public boolean deleteQueue(String account, String name) {
        return writer.submit(c -> {
            for (String table : List.of("sqs_messages", "sqs_dedup")) {
                try (PreparedStatement delete =
                        c.prepareStatement("DELETE FROM " + table + " WHERE account = ? AND queue = ?")) {
                    delete.setString(1, account);
                    delete.setString(2, name);
                    delete.executeUpdate();
                }
            }
            try (PreparedStatement delete =
                    c.prepareStatement("DELETE FROM sqs_queues WHERE account = ? AND name = ?")) {
                delete.setString(1, account);
                delete.setString(2, name);
                return delete.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<Sent> send(String account, String queue, List<NewMessage> messages, Instant now, Instant dedupUntil) {
        return writer.submit(c -> sendIn(c, account, queue, messages, now, dedupUntil));
    }

    /** {@link #send} within a transaction already open on the writer's thread. */
    static List<Sent> sendIn(
            Connection c, String account, String queue, List<NewMessage> messages, Instant now, Instant dedupUntil)
            throws SQLException {
        List<Sent> out = new ArrayList<>(messages.size());
        try (PreparedStatement insert = c.prepareStatement(INSERT_MESSAGE)) {
            for (NewMessage m : messages) {
                if (dedupUntil != null && m.dedupId() != null) {
                    Optional<Sent> earlier = duplicate(c, account, queue, m.dedupId(), now);
                    if (earlier.isPresent()) {
                        out.add(earlier.get());
                        continue;
                    }
                }
                String sequence = sequenceNumber(insert(insert, account, queue, m, now));
                if (dedupUntil != null && m.dedupId() != null) {
                    remember(c, account, queue, m, sequence, dedupUntil);
                }
                out.add(new Sent(m.id(), sequence, false));
            }
        }
        return out;
    }

    static final String INSERT_MESSAGE = "INSERT INTO sqs_messages (account, queue, id, body, "
            + "attributes, md5_body, md5_attributes, group_id, dedup_id, sent_at, visible_at, receive_count) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING seq";

    static long insert(PreparedStatement insert, String account, String queue, NewMessage m, Instant now)
            throws SQLException {
        insert.setString(1, account);
        insert.setString(2, queue);
        insert.setString(3, m.id());
        insert.setString(4, m.body());
        insert.setString(5, m.attributes());
        insert.setString(6, m.md5OfBody());
        insert.setString(7, m.md5OfAttributes());
        insert.setString(8, m.groupId());
        insert.setString(9, m.dedupId());
        insert.setLong(10, now.toEpochMilli());
        insert.setLong(11, m.visibleAt().toEpochMilli());
        try (ResultSet rows = insert.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static Optional<Sent> duplicate(Connection c, String account, String queue, String dedupId, Instant now)
            throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT message_id, sequence FROM sqs_dedup "
                + "WHERE account = ? AND queue = ? AND dedup_id = ? AND expires_at > ?")) {
            select.setString(1, account);
            select.setString(2, queue);
            select.setString(3, dedupId);
            select.setLong(4, now.toEpochMilli());
            try (ResultSet rows = select.executeQuery()) {
                return rows.next()
                        ? Optional.of(new Sent(rows.getString(1), rows.getString(2), true))
                        : Optional.empty();
            }
        }
    }

    private static void remember(
            Connection c, String account, String queue, NewMessage m, String sequence, Instant until)
            throws SQLException {
        try (PreparedStatement upsert = c.prepareStatement("INSERT INTO sqs_dedup "
                + "(account, queue, dedup_id, message_id, sequence, expires_at) VALUES (?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (account, queue, dedup_id) DO UPDATE SET message_id = excluded.message_id, "
                + "sequence = excluded.sequence, expires_at = excluded.expires_at")) {
            upsert.setString(1, account);
            upsert.setString(2, queue);
            upsert.setString(3, m.dedupId());
            upsert.setString(4, m.id());
            upsert.setString(5, sequence);
            upsert.setLong(6, until.toEpochMilli());
            upsert.executeUpdate();
        }
    }

    @Override
    public Received receive(
            String account,
            String queue,
            boolean fifo,
            int max,
            Instant now,
            Instant visibleUntil,
            Instant retainedSince,
            Optional<Redrive> redrive) {
        return writer.submit(c -> {
            if (postgres && fifo) {
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                    lock.setString(1, account + "/" + queue);
                    lock.executeQuery().close();
                }
            }
            long nowMillis = now.toEpochMilli();
            List<StoredMessage> taken = new ArrayList<>(max);
            // Candidates in send order; redriven and expired ones do not count, so look a little further.
            String sql = "SELECT " + MESSAGE_COLUMNS + " FROM sqs_messages WHERE account = ? AND queue = ? "
                    + "AND visible_at <= ?"
                    + (fifo
                            ? " AND (group_id NOT IN (SELECT group_id FROM sqs_messages WHERE account = ? AND queue = ?"
                                    + " AND visible_at > ? AND receive_count > 0))"
                            : "")
                    + " ORDER BY seq LIMIT ?" + (postgres && !fifo ? " FOR UPDATE SKIP LOCKED" : "");
            List<Candidate> candidates = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(sql)) {
                int i = 1;
                select.setString(i++, account);
                select.setString(i++, queue);
                select.setLong(i++, nowMillis);
                if (fifo) {
                    select.setString(i++, account);
                    select.setString(i++, queue);
                    select.setLong(i++, nowMillis);
                }
                select.setInt(i, fifo ? FIFO_LOOKAHEAD : max * 4 + 10);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        candidates.add(candidate(rows));
                    }
                }
            }
            if (fifo) {
                candidates = byGroup(candidates);
            }
            PreparedStatement lease = null;
            try {
                for (Candidate m : candidates) {
                    if (taken.size() >= max) {
                        break;
                    }
                    if (m.sentAt() < retainedSince.toEpochMilli()) {
                        deleteRow(c, m.seq());
                        continue;
                    }
                    if (redrive.isPresent()
                            && m.receiveCount() >= redrive.get().maxReceiveCount()
                            && moveToDeadLetters(c, m.seq(), redrive.get(), nowMillis)) {
                        continue;
                    }
                    String receipt = UUID.randomUUID().toString();
                    long first = m.firstReceiveAt() == 0 ? nowMillis : m.firstReceiveAt();
                    if (lease == null) {
                        lease = c.prepareStatement("UPDATE sqs_messages SET visible_at = ?, "
                                + "receive_count = receive_count + 1, first_receive_at = ?, receipt = ? WHERE seq = ?");
                    }
                    lease.setLong(1, visibleUntil.toEpochMilli());
                    lease.setLong(2, first);
                    lease.setString(3, receipt);
                    lease.setLong(4, m.seq());
                    lease.executeUpdate();
                    taken.add(new StoredMessage(
                            m.id(),
                            m.body(),
                            m.attributes(),
                            m.md5OfBody(),
                            m.md5OfAttributes(),
                            m.groupId(),
                            m.dedupId(),
                            sequenceNumber(m.seq()),
                            Instant.ofEpochMilli(m.sentAt()),
                            m.receiveCount() + 1,
                            Instant.ofEpochMilli(first),
                            receipt));
                }
            } finally {
                if (lease != null) {
                    lease.close();
                }
            }
            // when the next message comes due matters only to a receiver that got nothing and will wait
            return new Received(taken, taken.isEmpty() ? nextVisible(c, account, queue, nowMillis) : Optional.empty());
        });
    }

    /**
     * A FIFO receive returns as many messages of one group as it can (as SQS does, so that other receivers
     * get the other groups): the candidates regrouped, groups in the order of their first message, each
     * group's messages in send order.
     */
    private static List<Candidate> byGroup(List<Candidate> candidates) {
        Map<String, List<Candidate>> groups = new LinkedHashMap<>();
        for (Candidate c : candidates) {
            groups.computeIfAbsent(c.groupId(), g -> new ArrayList<>()).add(c);
        }
        List<Candidate> out = new ArrayList<>(candidates.size());
        groups.values().forEach(out::addAll);
        return out;
    }

    private static Optional<Instant> nextVisible(Connection c, String account, String queue, long now)
            throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT MIN(visible_at) FROM sqs_messages WHERE account = ? AND queue = ? AND visible_at > ?")) {
            select.setString(1, account);
            select.setString(2, queue);
            select.setLong(3, now);
            try (ResultSet rows = select.executeQuery()) {
                long next = rows.next() ? rows.getLong(1) : 0;
                return next == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(next));
            }
        }
    }

    private static void deleteRow(Connection c, long seq) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM sqs_messages WHERE seq = ?")) {
            delete.setLong(1, seq);
            delete.executeUpdate();
        }
    }

    /**
     * A copy in the dead-letter queue, visible now, received 0 times there, and the original deleted; false
     * (nothing changed) if the dead-letter queue does not exist.
     */
    private static boolean moveToDeadLetters(Connection c, long seq, Redrive to, long now) throws SQLException {
        try (PreparedStatement copy = c.prepareStatement("INSERT INTO sqs_messages (account, queue, id, body, "
                + "attributes, md5_body, md5_attributes, group_id, dedup_id, sent_at, visible_at, receive_count) "
                + "SELECT ?, ?, id, body, attributes, md5_body, md5_attributes, group_id, dedup_id, sent_at, ?, 0 "
                + "FROM sqs_messages WHERE seq = ? "
                + "AND EXISTS (SELECT 1 FROM sqs_queues WHERE account = ? AND name = ?) "
                + "AND NOT EXISTS (SELECT 1 FROM sqs_messages WHERE account = ? AND queue = ? AND id = "
                + "(SELECT id FROM sqs_messages WHERE seq = ?))")) {
            copy.setString(1, to.account());
            copy.setString(2, to.queue());
            copy.setLong(3, now);
            copy.setLong(4, seq);
            copy.setString(5, to.account());
            copy.setString(6, to.queue());
            copy.setString(7, to.account());
            copy.setString(8, to.queue());
            copy.setLong(9, seq);
            if (copy.executeUpdate() == 0) {
                return false;
            }
        }
        deleteRow(c, seq);
        return true;
    }

    @Override
    public boolean delete(String account, String queue, String id, String receipt) {
        return writer.submit(new GroupCommitWriter.Statement<Boolean>() {
            @Override
            public String sql() {
                return "DELETE FROM sqs_messages WHERE account = ? AND queue = ? AND id = ? AND receipt = ?";
            }

            @Override
            public void bind(PreparedStatement delete) throws SQLException {
                delete.setString(1, account);
                delete.setString(2, queue);
                delete.setString(3, id);
                delete.setString(4, receipt);
            }

            @Override
            public Boolean result(int deleted) {
                return deleted > 0;
            }
        });
    }

    @Override
    public List<Boolean> deleteAll(String account, String queue, List<Map.Entry<String, String>> messages) {
        return writer.submit(c -> {
            List<Boolean> out = new ArrayList<>(messages.size());
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM sqs_messages WHERE account = ? AND queue = ? AND id = ? AND receipt = ?")) {
                for (Map.Entry<String, String> m : messages) {
                    delete.setString(1, account);
                    delete.setString(2, queue);
                    delete.setString(3, m.getKey());
                    delete.setString(4, m.getValue());
                    out.add(delete.executeUpdate() > 0);
                }
            }
            return out;
        });
    }

    @Override
    public Visibility changeVisibility(
            String account, String queue, String id, String receipt, Instant now, Instant visibleAt) {
        return writer.submit(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT seq, receipt, visible_at, receive_count "
                    + "FROM sqs_messages WHERE account = ? AND queue = ? AND id = ?")) {
                select.setString(1, account);
                select.setString(2, queue);
                select.setString(3, id);
                try (ResultSet rows = select.executeQuery()) {
                    if (!rows.next() || !receipt.equals(rows.getString(2))) {
                        return Visibility.STALE;
                    }
                    if (rows.getInt(4) == 0 || rows.getLong(3) <= now.toEpochMilli()) {
                        return Visibility.NOT_IN_FLIGHT;
                    }
                    try (PreparedStatement update =
                            c.prepareStatement("UPDATE sqs_messages SET visible_at = ? WHERE seq = ?")) {
                        update.setLong(1, visibleAt.toEpochMilli());
                        update.setLong(2, rows.getLong(1));
                        update.executeUpdate();
                    }
                    return Visibility.CHANGED;
                }
            }
        });
    }

    @Override
    public int purge(String account, String queue) {
        return writer.submit(c -> {
            try (PreparedStatement delete =
                    c.prepareStatement("DELETE FROM sqs_messages WHERE account = ? AND queue = ?")) {
                delete.setString(1, account);
                delete.setString(2, queue);
                return delete.executeUpdate();
            }
        });
    }

    @Override
    public Counts counts(String account, String queue, Instant now) {
        return writer.submit(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT "
                    + "COALESCE(SUM(CASE WHEN visible_at <= ? THEN 1 ELSE 0 END), 0), "
                    + "COALESCE(SUM(CASE WHEN visible_at > ? AND receive_count > 0 THEN 1 ELSE 0 END), 0), "
                    + "COALESCE(SUM(CASE WHEN visible_at > ? AND receive_count = 0 THEN 1 ELSE 0 END), 0) "
                    + "FROM sqs_messages WHERE account = ? AND queue = ?")) {
                long n = now.toEpochMilli();
                select.setLong(1, n);
                select.setLong(2, n);
                select.setLong(3, n);
                select.setString(4, account);
                select.setString(5, queue);
                try (ResultSet rows = select.executeQuery()) {
                    rows.next();
                    return new Counts(rows.getLong(1), rows.getLong(2), rows.getLong(3));
                }
            }
        });
    }

    private static Optional<StoredQueue> find(Connection c, String account, String name) throws SQLException {
        try (PreparedStatement select =
                c.prepareStatement("SELECT " + QUEUE_COLUMNS + " FROM sqs_queues WHERE account = ? AND name = ?")) {
            select.setString(1, account);
            select.setString(2, name);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(queue(rows)) : Optional.empty();
            }
        }
    }

    private static StoredQueue queue(ResultSet rows) throws SQLException {
        return new StoredQueue(
                rows.getString(1),
                rows.getString(2),
                rows.getString(3),
                rows.getInt(4) != 0,
                Instant.ofEpochMilli(rows.getLong(5)),
                Instant.ofEpochMilli(rows.getLong(6)),
                rows.getString(7),
                rows.getString(8));
    }

    private static Candidate candidate(ResultSet rows) throws SQLException {
        return new Candidate(
                rows.getLong(1),
                rows.getString(2),
                rows.getString(3),
                rows.getString(4),
                rows.getString(5),
                rows.getString(6),
                rows.getString(7),
                rows.getString(8),
                rows.getLong(9),
                rows.getInt(10),
                rows.getLong(11));
    }

    /** A FIFO queue's sequence number: the send order, as the 20 decimal digits SQS shows. */
    static String sequenceNumber(long seq) {
        return String.format("%020d", seq);
    }

    private record Candidate(
            long seq,
            String id,
            String body,
            String attributes,
            String md5OfBody,
            String md5OfAttributes,
            String groupId,
            String dedupId,
            long sentAt,
            int receiveCount,
            long firstReceiveAt) {}
}
