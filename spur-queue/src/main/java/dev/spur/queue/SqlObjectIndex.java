package dev.spur.queue;

import dev.spur.common.LambdaException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@link ObjectIndex} in SQL that SQLite and PostgreSQL both run, every call one operation of the event
 * queue's writer (reads too, as {@link SqlMessageStore} does: they see every committed change and no
 * half of one). Notifications are inserted with the event queue's own statements ({@link
 * SqliteEventQueue#INSERT_EVENT}, {@link SqlMessageStore#INSERT_MESSAGE}) in the object's transaction;
 * once it committed, {@code eventsCommitted} hands the events to the queue's takers.
 *
 * <p>Past 400 lines because it is every statement of the index for both databases in one place (as
 * {@link SqlMessageStore} is for SQS): splitting buckets from objects would split the transactions that
 * need both.
 */
final class SqlObjectIndex implements ObjectIndex {
    private static final String OBJECT_COLUMNS =
            "bucket, key, size, etag, content_id, last_modified, metadata, sequencer";
    private static final String BUCKET_COLUMNS = "name, account, region, created_at, notifications";

    private final GroupCommitWriter writer;
    private final Consumer<List<QueuedEvent>> eventsCommitted;

    SqlObjectIndex(GroupCommitWriter writer, Consumer<List<QueuedEvent>> eventsCommitted) {
        this.writer = writer;
        this.eventsCommitted = eventsCommitted;
    }

    // ---- buckets

    @Override
    public Optional<Bucket> createBucket(Bucket b) {
        return writer.submit(c -> {
            Optional<Bucket> existing = findBucket(c, b.name());
            if (existing.isPresent()) {
                return existing;
            }
            try (PreparedStatement insert =
                    c.prepareStatement("INSERT INTO s3_buckets (" + BUCKET_COLUMNS + ") VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, b.name());
                insert.setString(2, b.account());
                insert.setString(3, b.region());
                insert.setLong(4, b.createdAt().toEpochMilli());
                insert.setString(5, b.notifications());
                insert.executeUpdate();
            }
            return Optional.empty();
        });
    }

    @Override
    public Optional<Bucket> bucket(String name) {
        return writer.submit(c -> findBucket(c, name));
    }

    @Override
    public List<Bucket> buckets(String account) {
        return writer.submit(c -> {
            List<Bucket> out = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT " + BUCKET_COLUMNS + " FROM s3_buckets"
                    + (account == null ? "" : " WHERE account = ?") + " ORDER BY name")) {
                if (account != null) {
                    select.setString(1, account);
                }
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        out.add(bucket(rows));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public BucketDeletion deleteBucket(String name) {
        return writer.submit(c -> {
            if (findBucket(c, name).isEmpty()) {
                return BucketDeletion.MISSING;
            }
            if (exists(c, "SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1", name)
                    || exists(c, "SELECT 1 FROM s3_uploads WHERE bucket = ? LIMIT 1", name)) {
                return BucketDeletion.NOT_EMPTY;
            }
            update(c, "DELETE FROM s3_buckets WHERE name = ?", name);
            return BucketDeletion.DELETED;
        });
    }

    @Override
    public boolean setNotifications(String bucket, String notifications, List<QueueMessage> testMessages, Instant now) {
        return writer.submit(c -> {
            if (update(c, "UPDATE s3_buckets SET notifications = ? WHERE name = ?", notifications, bucket) == 0) {
                return false;
            }
            insertMessages(c, testMessages, now);
            return true;
        });
    }

    // ---- objects

    @Override
    public Optional<StoredObject> put(StoredObject object, Notifications notifications) {
        return writer.submit(new GroupCommitWriter.Operation<>() {
            @Override
            public Optional<StoredObject> write(Connection c) throws SQLException {
                if (findBucket(c, object.bucket()).isEmpty()) {
                    throw LambdaException.notFound("The specified bucket does not exist");
                }
                Optional<StoredObject> replaced = replace(c, object);
                storeNotifications(c, notifications, object.lastModified());
                return replaced;
            }

            @Override
            public void committed(Optional<StoredObject> result) {
                if (!notifications.events().isEmpty()) {
                    eventsCommitted.accept(notifications.events());
                }
            }
        });
    }

    @Override
    public Optional<StoredObject> object(String bucket, String key) {
        return writer.submit(c -> findObject(c, bucket, key));
    }

    @Override
    public Optional<StoredObject> delete(
            String bucket, String key, Instant now, Function<StoredObject, Notifications> notify) {
        List<QueuedEvent> stored = new ArrayList<>();
        return writer.submit(new GroupCommitWriter.Operation<>() {
            @Override
            public Optional<StoredObject> write(Connection c) throws SQLException {
                stored.clear(); // a batch that rolled back runs its operations again
                Optional<StoredObject> existing = findObject(c, bucket, key);
                if (existing.isEmpty()) {
                    return existing;
                }
                update(c, "DELETE FROM s3_objects WHERE bucket = ? AND key = ?", bucket, key);
                Notifications n = notify.apply(existing.get());
                storeNotifications(c, n, now);
                stored.addAll(n.events());
                return existing;
            }

            @Override
            public void committed(Optional<StoredObject> result) {
                if (!stored.isEmpty()) {
                    eventsCommitted.accept(List.copyOf(stored));
                }
            }
        });
    }

    @Override
    public List<StoredObject> list(String bucket, String after, int max) {
        return writer.submit(c -> {
            List<StoredObject> out = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT " + OBJECT_COLUMNS
                    + " FROM s3_objects WHERE bucket = ? AND key > ? ORDER BY key LIMIT ?")) {
                select.setString(1, bucket);
                select.setString(2, after);
                select.setInt(3, max);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        out.add(object(rows));
                    }
                }
            }
            return out;
        });
    }

    // ---- multipart uploads

    @Override
    public void createUpload(Upload u) {
        writer.submit(c -> {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO s3_uploads (id, bucket, key, initiated, metadata) VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, u.id());
                insert.setString(2, u.bucket());
                insert.setString(3, u.key());
                insert.setLong(4, u.initiated().toEpochMilli());
                insert.setString(5, u.metadata());
                insert.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<Upload> upload(String id) {
        return writer.submit(c -> findUpload(c, id));
    }

    @Override
    public List<Upload> uploads(String bucket) {
        return writer.submit(c -> {
            List<Upload> out = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT id, bucket, key, initiated, metadata "
                    + "FROM s3_uploads WHERE bucket = ? ORDER BY key, initiated")) {
                select.setString(1, bucket);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        out.add(upload(rows));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public Optional<Part> putPart(String uploadId, Part part) {
        return writer.submit(c -> {
            if (findUpload(c, uploadId).isEmpty()) {
                throw LambdaException.notFound("The specified upload does not exist");
            }
            Optional<Part> replaced = findParts(c, uploadId).stream()
                    .filter(p -> p.number() == part.number())
                    .findFirst();
            update(c, "DELETE FROM s3_parts WHERE upload_id = ? AND number = ?", uploadId, part.number());
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO s3_parts "
                    + "(upload_id, number, size, etag, content_id, last_modified) VALUES (?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, uploadId);
                insert.setInt(2, part.number());
                insert.setLong(3, part.size());
                insert.setString(4, part.etag());
                insert.setString(5, part.contentId());
                insert.setLong(6, part.lastModified().toEpochMilli());
                insert.executeUpdate();
            }
            return replaced;
        });
    }

    @Override
    public List<Part> parts(String uploadId) {
        return writer.submit(c -> findParts(c, uploadId));
    }

    @Override
    public Optional<StoredObject> complete(String uploadId, StoredObject object, Notifications notifications) {
        return writer.submit(new GroupCommitWriter.Operation<>() {
            @Override
            public Optional<StoredObject> write(Connection c) throws SQLException {
                if (findUpload(c, uploadId).isEmpty()) {
                    throw LambdaException.notFound("The specified upload does not exist");
                }
                if (findBucket(c, object.bucket()).isEmpty()) {
                    throw LambdaException.notFound("The specified bucket does not exist");
                }
                update(c, "DELETE FROM s3_parts WHERE upload_id = ?", uploadId);
                update(c, "DELETE FROM s3_uploads WHERE id = ?", uploadId);
                Optional<StoredObject> replaced = replace(c, object);
                storeNotifications(c, notifications, object.lastModified());
                return replaced;
            }

            @Override
            public void committed(Optional<StoredObject> result) {
                if (!notifications.events().isEmpty()) {
                    eventsCommitted.accept(notifications.events());
                }
            }
        });
    }

    @Override
    public Optional<List<Part>> abort(String uploadId) {
        return writer.submit(c -> {
            if (findUpload(c, uploadId).isEmpty()) {
                return Optional.empty();
            }
            List<Part> parts = findParts(c, uploadId);
            update(c, "DELETE FROM s3_parts WHERE upload_id = ?", uploadId);
            update(c, "DELETE FROM s3_uploads WHERE id = ?", uploadId);
            return Optional.of(parts);
        });
    }

    @Override
    public Set<String> contentIds() {
        return writer.submit(c -> {
            Set<String> out = new HashSet<>();
            for (String sql : List.of("SELECT content_id FROM s3_objects", "SELECT content_id FROM s3_parts")) {
                try (PreparedStatement select = c.prepareStatement(sql);
                        ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        out.add(rows.getString(1));
                    }
                }
            }
            return out;
        });
    }

    // ---- in a transaction

    private Optional<StoredObject> replace(Connection c, StoredObject o) throws SQLException {
        Optional<StoredObject> replaced = findObject(c, o.bucket(), o.key());
        if (replaced.isPresent()) {
            update(c, "DELETE FROM s3_objects WHERE bucket = ? AND key = ?", o.bucket(), o.key());
        }
        try (PreparedStatement insert =
                c.prepareStatement("INSERT INTO s3_objects (" + OBJECT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, o.bucket());
            insert.setString(2, o.key());
            insert.setLong(3, o.size());
            insert.setString(4, o.etag());
            insert.setString(5, o.contentId());
            insert.setLong(6, o.lastModified().toEpochMilli());
            insert.setString(7, o.metadata());
            insert.setString(8, o.sequencer());
            insert.executeUpdate();
        }
        return replaced;
    }

    private void storeNotifications(Connection c, Notifications n, Instant now) throws SQLException {
        if (!n.events().isEmpty()) {
            try (PreparedStatement insert = c.prepareStatement(SqliteEventQueue.INSERT_EVENT)) {
                for (QueuedEvent e : n.events()) {
                    SqliteEventQueue.bindEvent(insert, e);
                    insert.setString(11, e.id());
                    if (insert.executeUpdate() == 0) {
                        throw new SQLException("an event with id " + e.id() + " is already queued");
                    }
                }
            }
        }
        insertMessages(c, n.messages(), now);
    }

    private static void insertMessages(Connection c, List<QueueMessage> messages, Instant now) throws SQLException {
        if (messages.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement(SqlMessageStore.INSERT_MESSAGE)) {
            for (QueueMessage m : messages) {
                SqlMessageStore.insert(insert, m.account(), m.queue(), m.message(), now);
            }
        }
    }

    private static Optional<Bucket> findBucket(Connection c, String name) throws SQLException {
        try (PreparedStatement select =
                c.prepareStatement("SELECT " + BUCKET_COLUMNS + " FROM s3_buckets WHERE name = ?")) {
            select.setString(1, name);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(bucket(rows)) : Optional.empty();
            }
        }
    }

    private static Optional<StoredObject> findObject(Connection c, String bucket, String key) throws SQLException {
        try (PreparedStatement select =
                c.prepareStatement("SELECT " + OBJECT_COLUMNS + " FROM s3_objects WHERE bucket = ? AND key = ?")) {
            select.setString(1, bucket);
            select.setString(2, key);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(object(rows)) : Optional.empty();
            }
        }
    }

    private static Optional<Upload> findUpload(Connection c, String id) throws SQLException {
        try (PreparedStatement select =
                c.prepareStatement("SELECT id, bucket, key, initiated, metadata FROM s3_uploads WHERE id = ?")) {
            select.setString(1, id);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(upload(rows)) : Optional.empty();
            }
        }
    }

    private static List<Part> findParts(Connection c, String uploadId) throws SQLException {
        List<Part> out = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("SELECT number, size, etag, content_id, last_modified "
                + "FROM s3_parts WHERE upload_id = ? ORDER BY number")) {
            select.setString(1, uploadId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    out.add(new Part(
                            rows.getInt(1),
                            rows.getLong(2),
                            rows.getString(3),
                            rows.getString(4),
                            Instant.ofEpochMilli(rows.getLong(5))));
                }
            }
        }
        return out;
    }

    private static Bucket bucket(ResultSet rows) throws SQLException {
        return new Bucket(
                rows.getString(1),
                rows.getString(2),
                rows.getString(3),
                Instant.ofEpochMilli(rows.getLong(4)),
                rows.getString(5));
    }

    private static StoredObject object(ResultSet rows) throws SQLException {
        return new StoredObject(
                rows.getString(1),
                rows.getString(2),
                rows.getLong(3),
                rows.getString(4),
                rows.getString(5),
                Instant.ofEpochMilli(rows.getLong(6)),
                rows.getString(7),
                rows.getString(8));
    }

    private static Upload upload(ResultSet rows) throws SQLException {
        return new Upload(
                rows.getString(1),
                rows.getString(2),
                rows.getString(3),
                Instant.ofEpochMilli(rows.getLong(4)),
                rows.getString(5));
    }

    private static boolean exists(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(sql)) {
            select.setString(1, value);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static int update(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                statement.setObject(i + 1, values[i]);
            }
            return statement.executeUpdate();
        }
    }
}
