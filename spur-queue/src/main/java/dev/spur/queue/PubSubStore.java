package dev.spur.queue;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * SNS topics and subscriptions, EventBridge buses and rules — and the deliveries of a publish — in the
 * event queue's own database, written through its {@link GroupCommitWriter}.
 *
 * <p>Resources are JSON documents keyed by account, kind and name (what a document holds is its
 * service's business). {@link #deliver} is why they live here and not in the metadata store: every
 * delivery a publish fans out to — asynchronous events for functions, messages for SQS queues — is
 * written in <b>one</b> transaction of the writer, so a publish that returned has all of them
 * committed and fsynced, and a publish that threw (or whose process died) has none.
 *
 * <p>Failure semantics: each call is one transaction; a call that returned is durable, a call that
 * threw wrote nothing. Safe from many threads; concurrent calls share commits.
 */
public interface PubSubStore {

    /** The store on {@code queue}'s database and writer (an {@link EventQueue#sqlite} or {@link EventQueue#postgres}). */
    static PubSubStore on(EventQueue queue) {
        return switch (queue) {
            case SqliteEventQueue q -> new SqlPubSubStore(q.writer(), q::insertEvent, q::insertedEvent, () -> {});
            case PostgresEventQueue q ->
                new SqlPubSubStore(q.writer(), q::insertEvent, q::insertedEvent, () -> q.wakeTakers(true));
            default -> throw new IllegalArgumentException("no pub/sub store on " + queue.getClass());
        };
    }

    /** One stored resource: {@code kind} e.g. {@code topic}, {@code subscription}, {@code bus}, {@code rule}. */
    record Resource(String account, String kind, String name, String document) {
        public Resource {
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(document, "document");
        }
    }

    /** Stores {@code resource} unless its name is taken; returns the one already there, if any. */
    Optional<Resource> create(Resource resource);

    /** Replaces an existing resource's document; false if there is none. */
    boolean replace(Resource resource);

    Optional<Resource> get(String account, String kind, String name);

    /** An account's resources of a kind whose names start with {@code prefix}, by name; every account's with {@code account} null. */
    List<Resource> list(String account, String kind, String prefix);

    /**
     * Deletes a resource and, in the same transaction, the resources of {@code dependentKind} whose names
     * start with {@code dependentPrefix} (a topic's subscriptions); both null for none. False if the
     * resource was not there (its dependents are deleted anyway).
     */
    boolean delete(String account, String kind, String name, String dependentKind, String dependentPrefix);

    /**
     * A message for an SQS queue: on a FIFO queue {@code dedupUntil} is the end of the deduplication
     * window (null on a standard queue).
     */
    record QueueMessage(String account, String queue, MessageStore.NewMessage message, Instant dedupUntil) {
        public QueueMessage {
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(queue, "queue");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * What a delivery stored: how many events, and per message (in order) what the queue stored — empty
     * for a queue that no longer exists (the message is dropped, as SNS drops it).
     */
    record Delivered(int events, List<Optional<MessageStore.Sent>> messages) {}

    /**
     * Writes every event and every message in one transaction: durable when this returns, nothing
     * written when it throws. An event whose id is already queued is not stored again (a repeat of the
     * same delivery). Messages go to their queues in order, deduplicated on FIFO queues as a send is.
     *
     * @throws dev.spur.common.LambdaException 500 ({@code internal}) if the transaction failed
     */
    Delivered deliver(List<QueuedEvent> events, List<QueueMessage> messages, Instant now);
}
