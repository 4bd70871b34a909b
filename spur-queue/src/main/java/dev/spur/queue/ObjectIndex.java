package dev.spur.queue;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The S3-compatible object store's index (spur-s3): buckets, objects, multipart uploads and parts, kept
 * in the event queue's own database and written through its {@link GroupCommitWriter}. The bytes live
 * in files the caller wrote and fsynced before calling; a row names its file by {@code contentId}.
 *
 * <p>Why here: an object's change and the notifications it causes — asynchronous events for Lambda
 * targets, messages for SQS targets — are committed in <b>one transaction</b>, so an object that is
 * visible always has its notifications queued, across {@code kill -9} (at least once: a retried PUT
 * notifies again).
 *
 * <p>Failure semantics: every mutating call returns after its transaction committed (fsynced on SQLite,
 * {@code synchronous_commit} on PostgreSQL); one that throws wrote nothing. Files of replaced or deleted
 * objects are the caller's to remove after the call returned; a crash in between leaves a file no row
 * names, which the caller sweeps at start ({@link #contentIds}).
 */
public interface ObjectIndex {

    /** The index on {@code queue}'s database and writer. */
    static ObjectIndex on(EventQueue queue) {
        return switch (queue) {
            case SqliteEventQueue q -> new SqlObjectIndex(q.writer(), q::eventsCommitted);
            case PostgresEventQueue q -> new SqlObjectIndex(q.writer(), q::eventsCommitted);
            default -> throw new IllegalArgumentException("no object index on " + queue.getClass());
        };
    }

    /** A bucket: its name is global; it belongs to {@code account}. {@code notifications} is JSON. */
    record Bucket(String name, String account, String region, Instant createdAt, String notifications) {
        public Bucket {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(notifications, "notifications");
        }
    }

    /** An object as indexed; {@code metadata} is a JSON object, {@code etag} quoted. */
    record StoredObject(
            String bucket,
            String key,
            long size,
            String etag,
            String contentId,
            Instant lastModified,
            String metadata,
            String sequencer) {}

    /** A multipart upload in progress. */
    record Upload(String id, String bucket, String key, Instant initiated, String metadata) {}

    /** An uploaded part. */
    record Part(int number, long size, String etag, String contentId, Instant lastModified) {}

    /** A message for an SQS queue, stored with the change that caused it. */
    record QueueMessage(String account, String queue, MessageStore.NewMessage message) {}

    /** What a change notifies: events for functions and messages for queues. */
    record Notifications(List<QueuedEvent> events, List<QueueMessage> messages) {
        public static final Notifications NONE = new Notifications(List.of(), List.of());

        public Notifications {
            events = List.copyOf(events);
            messages = List.copyOf(messages);
        }

        public boolean isEmpty() {
            return events.isEmpty() && messages.isEmpty();
        }
    }

    enum BucketDeletion {
        DELETED,
        NOT_EMPTY,
        MISSING
    }

    /** Stores a new bucket; if the name is taken, stores nothing and returns the existing one. */
    Optional<Bucket> createBucket(Bucket bucket);

    Optional<Bucket> bucket(String name);

    /** An account's buckets by name; every account's with {@code account} null. */
    List<Bucket> buckets(String account);

    /** Deletes an empty bucket (with no uploads in progress either). */
    BucketDeletion deleteBucket(String name);

    /**
     * Replaces the bucket's notification configuration and stores {@code testMessages} (S3's
     * {@code s3:TestEvent}) in the same transaction; false if the bucket is gone.
     */
    boolean setNotifications(String bucket, String notifications, List<QueueMessage> testMessages, Instant now);

    /**
     * Makes {@code object} visible under its key with its notifications, in one transaction.
     *
     * @return the object it replaced (whose file may now be removed)
     * @throws dev.spur.common.LambdaException 404 if the bucket is gone (nothing stored)
     */
    Optional<StoredObject> put(StoredObject object, Notifications notifications);

    Optional<StoredObject> object(String bucket, String key);

    /**
     * Deletes the object and stores the notifications {@code notify} makes of it, in one transaction.
     *
     * @return the deleted object, or empty when there was none (nothing notified)
     */
    Optional<StoredObject> delete(String bucket, String key, Instant now, Function<StoredObject, Notifications> notify);

    /** Up to {@code max} objects of a bucket with keys after {@code after} ("" = from the start), in byte order. */
    List<StoredObject> list(String bucket, String after, int max);

    void createUpload(Upload upload);

    Optional<Upload> upload(String id);

    /** A bucket's uploads in progress, by key then initiation. */
    List<Upload> uploads(String bucket);

    /**
     * Stores a part of an upload.
     *
     * @return the part it replaced (same number)
     * @throws dev.spur.common.LambdaException 404 if the upload is gone (nothing stored)
     */
    Optional<Part> putPart(String uploadId, Part part);

    /** An upload's parts by number. */
    List<Part> parts(String uploadId);

    /**
     * Completes an upload: the object becomes visible with its notifications, and the upload and its parts'
     * rows go, in one transaction.
     *
     * @return the object it replaced
     * @throws dev.spur.common.LambdaException 404 if the upload is gone (nothing stored)
     */
    Optional<StoredObject> complete(String uploadId, StoredObject object, Notifications notifications);

    /** Deletes an upload and its parts' rows; returns the parts (whose files may now be removed), empty if none. */
    Optional<List<Part>> abort(String uploadId);

    /** Every content id a row names (objects and parts), to sweep files no row names. */
    Set<String> contentIds();
}
