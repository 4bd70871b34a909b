package dev.spur.queue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * SQS-compatible queues and their messages, kept in the event queue's own database (SQLite's
 * {@code queue.db}, or the fleet's PostgreSQL) and written through its {@link GroupCommitWriter}:
 * not a second queue engine, the same durability and the same group commit.
 *
 * <p>Model. A message is visible when its {@code visibleAt} has come. Receiving it is taking a lease:
 * {@code visibleAt} moves to the end of the visibility timeout, the receive count goes up and a new
 * receipt is drawn, so a receipt from an earlier receive no longer deletes it. A delete that names the
 * current receipt ends it; a failure (or a crash of whoever received it) simply lets the lease run out.
 * On a FIFO queue a message group with a message in flight hands out nothing else until that one is
 * deleted or visible again; groups are handed out in send order.
 *
 * <p>Failure semantics: every call is one transaction of the writer's batch; a call that returns is
 * committed and fsynced (a send that returned survives {@code kill -9}), a call that throws wrote
 * nothing. A receive whose caller died before reading the answer has still taken its lease: the
 * messages come back after the visibility timeout (at least once). Redrive to a dead-letter queue
 * (insert there, delete here) is one transaction.
 *
 * <p>Every method is safe from many threads. Times are the caller's clock.
 */
public interface MessageStore {

    /** The store on {@code queue}'s database and writer (an {@link EventQueue#sqlite} or {@link EventQueue#postgres}). */
    static MessageStore on(EventQueue queue) {
        return switch (queue) {
            case SqliteEventQueue q -> new SqlMessageStore(q.writer(), false);
            case PostgresEventQueue q -> new SqlMessageStore(q.writer(), true);
            default -> throw new IllegalArgumentException("no message store on " + queue.getClass());
        };
    }

    /** A queue as stored: {@code attributes} and {@code tags} are JSON objects of strings. */
    record StoredQueue(
            String account,
            String name,
            String region,
            boolean fifo,
            Instant createdAt,
            Instant modifiedAt,
            String attributes,
            String tags) {
        public StoredQueue {
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(attributes, "attributes");
            Objects.requireNonNull(tags, "tags");
        }
    }

    /**
     * A message to store. {@code attributes} is the message attributes' JSON (or null), {@code groupId}
     * and {@code dedupId} are null on a standard queue.
     */
    record NewMessage(
            String id,
            String body,
            String attributes,
            String md5OfBody,
            String md5OfAttributes,
            String groupId,
            String dedupId,
            Instant visibleAt) {}

    /** What a send stored: the id (an earlier message's for a duplicate) and a FIFO sequence number. */
    record Sent(String messageId, String sequenceNumber, boolean duplicate) {}

    /** A message as received: {@code receipt} is the token of this receive. */
    record StoredMessage(
            String id,
            String body,
            String attributes,
            String md5OfBody,
            String md5OfAttributes,
            String groupId,
            String dedupId,
            String sequenceNumber,
            Instant sentAt,
            int receiveCount,
            Instant firstReceiveAt,
            String receipt) {}

    /** Where a message goes once it has been received {@code maxReceiveCount} times. */
    record Redrive(String account, String queue, int maxReceiveCount) {}

    /**
     * What a receive took; when it took nothing, also when the earliest message becomes visible (to
     * sleep exactly that long when waiting).
     */
    record Received(List<StoredMessage> messages, Optional<Instant> nextVisible) {}

    /** ApproximateNumberOfMessages, …NotVisible (received, in flight) and …Delayed (never received yet). */
    record Counts(long visible, long inFlight, long delayed) {}

    /** The outcome of a visibility change. */
    enum Visibility {
        CHANGED,
        /** The message is not in flight (never received, or visible again). */
        NOT_IN_FLIGHT,
        /** The receipt is not the message's latest, or the message is gone. */
        STALE
    }

    /** Stores a new queue; if the name is taken, stores nothing and returns the existing one. */
    Optional<StoredQueue> createQueue(StoredQueue queue);

    Optional<StoredQueue> queue(String account, String name);

    /** An account's queues whose names start with {@code prefix}, by name; every account's with {@code account} null. */
    List<StoredQueue> queues(String account, String prefix);

    /** Replaces a queue's attributes, tags and modification time; false if it is gone. */
    boolean updateQueue(StoredQueue queue);

    /** Deletes a queue with all its messages, in one transaction; false if there was none. */
    boolean deleteQueue(String account, String name);

    /**
     * Stores messages, in order, in one transaction. On a FIFO queue ({@code dedupUntil} not null) a
     * message whose deduplication id was sent within the window is not stored again: its entry answers
     * with the first message's id and sequence number.
     */
    List<Sent> send(String account, String queue, List<NewMessage> messages, Instant now, Instant dedupUntil);

    /**
     * Takes up to {@code max} visible messages, leasing them until {@code visibleUntil}. Messages sent
     * before {@code retainedSince} are deleted instead; with a redrive, a message already received
     * {@code maxReceiveCount} times moves to the dead-letter queue instead (visible there at once).
     */
    Received receive(
            String account,
            String queue,
            boolean fifo,
            int max,
            Instant now,
            Instant visibleUntil,
            Instant retainedSince,
            Optional<Redrive> redrive);

    /** Deletes the message if {@code receipt} is its latest; false otherwise (stale or gone). */
    boolean delete(String account, String queue, String id, String receipt);

    /**
     * Deletes several received messages in one transaction, each only if its receipt is its latest;
     * {@code messages} pairs a message id with a receipt. Returns, in order, whether each was deleted.
     */
    List<Boolean> deleteAll(String account, String queue, List<Map.Entry<String, String>> messages);

    Visibility changeVisibility(
            String account, String queue, String id, String receipt, Instant now, Instant visibleAt);

    /** Deletes every message of the queue; returns how many. */
    int purge(String account, String queue);

    Counts counts(String account, String queue, Instant now);
}
