package dev.spur.sqs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import dev.spur.queue.MessageStore;
import dev.spur.queue.MessageStore.StoredMessage;
import dev.spur.queue.MessageStore.StoredQueue;
import dev.spur.queue.PubSubStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * SQS's queue semantics over a {@link MessageStore}: queue names and attributes as SQS validates them,
 * message validation and digests, deduplication, delays, visibility, redrive and long polling. Both wire
 * protocols ({@link SqsService}) and the event-source pollers use this one object.
 *
 * <p>Long polling: a receive that finds nothing waits on {@link Arrivals} until a send to the queue
 * commits, or until the earliest invisible message comes due (the store says when), or until its wait
 * is over — it never polls on a tick. On a fleet a send on another node reaches this one as a wake-up
 * ({@link #announceSendsTo}: the node that sent announces the queue, batched; {@link #woken} on every node);
 * since a wake-up can be lost, a wait there is also cut to one second at a time (see ARCHITECTURE.md).
 *
 * <p>Messages are checked and digested by {@link OutgoingMessages}. Queue definitions are cached in
 * memory after their first use and dropped on change or delete.
 */
public final class Queues {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,80}");
    private static final Pattern FIFO_NAME = Pattern.compile("[A-Za-z0-9_-]{1,75}\\.fifo");
    private static final Duration DEDUP_WINDOW = Duration.ofMinutes(5);
    private static final Duration FLEET_WAIT_SLICE = Duration.ofSeconds(1);

    private final MessageStore store;
    private final InstantSource clock;
    private final boolean shared;
    private final Arrivals arrivals = new Arrivals();
    private final ConcurrentMap<String, Loaded> cache = new ConcurrentHashMap<>();
    private volatile Consumer<String> announce = key -> {};

    private Queues(MessageStore store, InstantSource clock, boolean shared) {
        this.store = store;
        this.clock = clock;
        this.shared = shared;
    }

    /**
     * Queues on {@code store}; {@code shared} when other nodes use the same database (their sends do not
     * wake this node's waiters, so a long poll looks again every second).
     */
    public static Queues create(MessageStore store, InstantSource clock, boolean shared) {
        return new Queues(store, clock, shared);
    }

    /** From now on every committed send also hands its queue's key to {@code announce} (for the other nodes). */
    public void announceSendsTo(Consumer<String> announce) {
        this.announce = announce;
    }

    /** Another node announced a send to the queue {@code key}: wakes this node's waiters on it. */
    public void woken(String key) {
        arrivals.arrived(key);
    }

    /** A queue and its settings. */
    record Loaded(QueueRef ref, StoredQueue stored, QueueSettings settings) {}

    /** A message to send, as the API gives it ({@code messageAttributes} in the JSON protocol's shape, or null). */
    record Outgoing(String body, JsonNode messageAttributes, Integer delaySeconds, String groupId, String dedupId) {}

    /** What a send answers. */
    record SendResult(String messageId, String md5OfBody, String md5OfAttributes, String sequenceNumber) {}

    /**
     * A received message: its system attributes (all of them; the API filters by the names asked for),
     * its message attributes in the JSON protocol's shape (or null), and its receipt handle.
     */
    public record Message(
            String messageId,
            String receiptHandle,
            String body,
            String md5OfBody,
            String md5OfMessageAttributes,
            JsonNode messageAttributes,
            Map<String, String> attributes) {}

    // ---- queues

    QueueRef create(
            String account, String region, String name, Map<String, String> attributes, Map<String, String> tags) {
        boolean fifo = Boolean.parseBoolean(attributes.getOrDefault("FifoQueue", "false"));
        if (fifo ? !FIFO_NAME.matcher(name).matches() : !NAME.matcher(name).matches()) {
            throw SqsException.of(
                    SqsException.Code.INVALID_PARAMETER_VALUE,
                    fifo || name.endsWith(".fifo")
                            ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
                                    + "underscores, must end with .fifo suffix and be 1 to 80 in length."
                            : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
        }
        QueueRef ref = new QueueRef(account, name, region);
        QueueSettings settings = QueueSettings.defaults(fifo).with(attributes, fifo, true);
        settings.redrive().ifPresent(r -> checkRedrive(ref, r));
        Instant now = clock.instant();
        StoredQueue stored = new StoredQueue(
                account,
                name,
                region,
                fifo,
                now,
                now,
                settings.json(),
                Json.MAPPER.valueToTree(tags).toString());
        Optional<StoredQueue> existing = store.createQueue(stored);
        if (existing.isPresent()) {
            QueueSettings had = QueueSettings.fromJson(existing.get().attributes());
            for (Map.Entry<String, String> e : attributes.entrySet()) {
                if (!e.getKey().equals("FifoQueue")
                        && !e.getValue().equals(had.values().get(e.getKey()))) {
                    throw SqsException.of(
                            SqsException.Code.QUEUE_NAME_EXISTS,
                            "A queue already exists with the same name and a different value for attribute %s",
                            e.getKey());
                }
            }
            return new QueueRef(account, name, existing.get().region());
        }
        return ref;
    }

    /** The queue, or QueueDoesNotExist. */
    Loaded require(String account, String name) {
        Loaded loaded = cache.get(account + "/" + name);
        if (loaded != null) {
            return loaded;
        }
        StoredQueue stored = store.queue(account, name).orElseThrow(SqsException::noQueue);
        loaded = new Loaded(
                new QueueRef(account, name, stored.region()), stored, QueueSettings.fromJson(stored.attributes()));
        cache.put(account + "/" + name, loaded);
        return loaded;
    }

    /** The queue an ARN names, if it exists. */
    public Optional<QueueRef> find(String arn) {
        return QueueRef.fromArn(arn)
                .flatMap(r ->
                        store.queue(r.account(), r.name()).map(s -> new QueueRef(s.account(), s.name(), s.region())));
    }

    List<QueueRef> list(String account, String prefix) {
        List<QueueRef> out = new ArrayList<>();
        for (StoredQueue q : store.queues(account, prefix)) {
            out.add(new QueueRef(q.account(), q.name(), q.region()));
        }
        return out;
    }

    void delete(QueueRef q) {
        cache.remove(q.key());
        if (!store.deleteQueue(q.account(), q.name())) {
            throw SqsException.noQueue();
        }
        cache.remove(q.key());
        arrivals.arrived(q.key());
    }

    void setAttributes(QueueRef q, Map<String, String> changes) {
        Loaded loaded = require(q.account(), q.name());
        QueueSettings settings = loaded.settings().with(changes, loaded.stored().fifo(), false);
        settings.redrive().ifPresent(r -> checkRedrive(q, r));
        StoredQueue s = loaded.stored();
        StoredQueue updated = new StoredQueue(
                s.account(), s.name(), s.region(), s.fifo(), s.createdAt(), clock.instant(), settings.json(), s.tags());
        cache.remove(q.key());
        if (!store.updateQueue(updated)) {
            throw SqsException.noQueue();
        }
        cache.remove(q.key());
    }

    private void checkRedrive(QueueRef source, QueueSettings.Redrive redrive) {
        Optional<QueueRef> target = QueueRef.fromArn(redrive.deadLetterTargetArn());
        Optional<StoredQueue> dlq = target.flatMap(t -> store.queue(t.account(), t.name()));
        String json = "{\"deadLetterTargetArn\":\"" + redrive.deadLetterTargetArn() + "\",\"maxReceiveCount\":"
                + redrive.maxReceiveCount() + "}";
        if (dlq.isEmpty()) {
            throw SqsException.invalidParameter("RedrivePolicy", json, "Dead letter target does not exist");
        }
        if (dlq.get().fifo() != source.fifo()) {
            throw SqsException.invalidParameter(
                    "RedrivePolicy", json, "Dead-letter queue and source queue must be of the same type");
        }
        if (!QueueSettings.fromJson(dlq.get().attributes()).allowsSource(source.arn())) {
            throw SqsException.invalidParameter(
                    "RedrivePolicy", json, "Dead-letter queue's RedriveAllowPolicy does not allow this source queue");
        }
    }

    /** Every attribute of the queue, settable and computed, by SQS's names. */
    Map<String, String> attributes(QueueRef q) {
        Loaded loaded = require(q.account(), q.name());
        Map<String, String> out = new LinkedHashMap<>(loaded.settings().values());
        MessageStore.Counts counts = store.counts(q.account(), q.name(), clock.instant());
        out.put("QueueArn", q.arn());
        out.put("ApproximateNumberOfMessages", Long.toString(counts.visible()));
        out.put("ApproximateNumberOfMessagesNotVisible", Long.toString(counts.inFlight()));
        out.put("ApproximateNumberOfMessagesDelayed", Long.toString(counts.delayed()));
        out.put("CreatedTimestamp", Long.toString(loaded.stored().createdAt().getEpochSecond()));
        out.put(
                "LastModifiedTimestamp",
                Long.toString(loaded.stored().modifiedAt().getEpochSecond()));
        return out;
    }

    int purge(QueueRef q) {
        require(q.account(), q.name());
        return store.purge(q.account(), q.name());
    }

    // ---- messages

    /** Sends messages in one commit; each entry's outcome or its error, in order. */
    List<Object> send(QueueRef q, List<Outgoing> messages) {
        Loaded loaded = require(q.account(), q.name());
        boolean fifo = loaded.stored().fifo();
        Instant now = clock.instant();
        List<Object> outcomes = new ArrayList<>(messages.size());
        List<MessageStore.NewMessage> valid = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (Outgoing m : messages) {
            try {
                MessageStore.NewMessage stored = OutgoingMessages.validate(loaded, m, now);
                positions.add(outcomes.size());
                valid.add(stored);
                outcomes.add(stored);
            } catch (SqsException e) {
                outcomes.add(e);
            }
        }
        if (!valid.isEmpty()) {
            List<MessageStore.Sent> sent =
                    store.send(q.account(), q.name(), valid, now, fifo ? now.plus(DEDUP_WINDOW) : null);
            for (int i = 0; i < sent.size(); i++) {
                MessageStore.NewMessage m = valid.get(i);
                MessageStore.Sent s = sent.get(i);
                outcomes.set(
                        positions.get(i),
                        new SendResult(
                                s.messageId(), m.md5OfBody(), m.md5OfAttributes(), fifo ? s.sequenceNumber() : null));
            }
            arrivals.arrived(q.key());
            announce.accept(q.key());
        }
        return outcomes;
    }

    /**
     * A message another service (SNS, EventBridge) delivers to the queue an ARN names, checked as a send
     * is and made ready for {@link PubSubStore#deliver} (which writes it with the rest of its publish);
     * {@code messageAttributes} in the JSON protocol's shape, or null; group and deduplication ids only
     * used on a FIFO queue. Call {@link #delivered} once the delivery committed.
     *
     * @return empty if there is no such queue
     * @throws SqsException if the queue refuses the message (size, characters, a FIFO queue without a group)
     */
    public Optional<PubSubStore.QueueMessage> prepareDelivery(
            String queueArn, String body, JsonNode messageAttributes, String groupId, String dedupId) {
        Optional<QueueRef> ref = QueueRef.fromArn(queueArn);
        if (ref.isEmpty()) {
            return Optional.empty();
        }
        Loaded loaded;
        try {
            loaded = require(ref.get().account(), ref.get().name());
        } catch (SqsException e) {
            return Optional.empty();
        }
        boolean fifo = loaded.stored().fifo();
        Instant now = clock.instant();
        MessageStore.NewMessage m = OutgoingMessages.validate(
                loaded, new Outgoing(body, messageAttributes, null, fifo ? groupId : null, fifo ? dedupId : null), now);
        return Optional.of(new PubSubStore.QueueMessage(
                loaded.ref().account(), loaded.ref().name(), m, fifo ? now.plus(DEDUP_WINDOW) : null));
    }

    /** Wakes the queue's long polls after a {@link #prepareDelivery}'s message committed. */
    public void delivered(PubSubStore.QueueMessage message) {
        arrivals.arrived(message.account() + "/" + message.queue());
    }

    /**
     * Sends one message with a body and nothing else — how Spur's own parts write to a queue (a Kafka
     * mapping's on-failure destination). Durable when it returns; throws the {@link SqsException} a send of
     * it would answer (a queue gone, a body too large). A FIFO queue is given the message group "spur" and a
     * random deduplication id.
     */
    public String sendBody(QueueRef q, String body) {
        boolean fifo = q.fifo();
        Object outcome = send(
                        q,
                        List.of(new Outgoing(
                                body,
                                null,
                                null,
                                fifo ? "spur" : null,
                                fifo ? UUID.randomUUID().toString() : null)))
                .getFirst();
        if (outcome instanceof SqsException e) {
            throw e;
        }
        return ((SendResult) outcome).messageId();
    }

    /**
     * Receives up to {@code max} messages (1–10), leased for {@code visibility} seconds (the queue's
     * timeout if null); waits up to {@code wait} for one to arrive.
     */
    public List<Message> receive(QueueRef q, int max, Integer visibility, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Loaded loaded = require(q.account(), q.name());
            long seen = arrivals.seen(q.key());
            Instant now = clock.instant();
            int timeout = visibility != null ? visibility : loaded.settings().integer("VisibilityTimeout");
            Optional<MessageStore.Redrive> redrive = loaded.settings()
                    .redrive()
                    .flatMap(r -> QueueRef.fromArn(r.deadLetterTargetArn())
                            .map(t -> new MessageStore.Redrive(t.account(), t.name(), r.maxReceiveCount())));
            MessageStore.Received received = store.receive(
                    q.account(),
                    q.name(),
                    loaded.stored().fifo(),
                    max,
                    now,
                    now.plusSeconds(timeout),
                    now.minusSeconds(loaded.settings().integer("MessageRetentionPeriod")),
                    redrive);
            if (!received.messages().isEmpty()) {
                List<Message> out = new ArrayList<>(received.messages().size());
                for (StoredMessage m : received.messages()) {
                    out.add(message(loaded, m));
                }
                return out;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return List.of();
            }
            Duration sleep = Duration.ofNanos(left);
            if (received.nextVisible().isPresent()) {
                Duration untilVisible =
                        Duration.between(now, received.nextVisible().get()).plusMillis(1);
                sleep = untilVisible.compareTo(sleep) < 0 ? untilVisible : sleep;
            }
            if (shared && sleep.compareTo(FLEET_WAIT_SLICE) > 0) {
                sleep = FLEET_WAIT_SLICE;
            }
            arrivals.await(q.key(), seen, sleep);
        }
    }

    private Message message(Loaded queue, StoredMessage m) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("SenderId", queue.ref().account());
        attributes.put("SentTimestamp", Long.toString(m.sentAt().toEpochMilli()));
        attributes.put("ApproximateReceiveCount", Integer.toString(m.receiveCount()));
        attributes.put(
                "ApproximateFirstReceiveTimestamp",
                Long.toString(m.firstReceiveAt().toEpochMilli()));
        if (queue.stored().fifo()) {
            attributes.put("SequenceNumber", m.sequenceNumber());
            attributes.put("MessageDeduplicationId", m.dedupId());
            attributes.put("MessageGroupId", m.groupId());
        }
        JsonNode messageAttributes = null;
        if (m.attributes() != null) {
            try {
                messageAttributes = Json.MAPPER.readTree(m.attributes());
            } catch (IOException e) {
                throw SqsException.internal("a stored message's attributes do not parse", e);
            }
        }
        return new Message(
                m.id(),
                ReceiptHandle.encode(queue.ref(), m.id(), m.receipt()),
                m.body(),
                m.md5OfBody(),
                m.md5OfAttributes(),
                messageAttributes,
                attributes);
    }

    /** Deletes a received message; a stale receipt handle (the message was received again since) deletes nothing. */
    public void delete(QueueRef q, String receiptHandle) {
        require(q.account(), q.name());
        ReceiptHandle h = ReceiptHandle.decode(q, receiptHandle);
        store.delete(q.account(), q.name(), h.messageId(), h.receipt());
    }

    /** Deletes received messages in one commit; stale handles delete nothing. */
    public void deleteAll(QueueRef q, List<String> receiptHandles) {
        if (receiptHandles.isEmpty()) {
            return;
        }
        require(q.account(), q.name());
        List<Map.Entry<String, String>> messages = new ArrayList<>(receiptHandles.size());
        for (String handle : receiptHandles) {
            ReceiptHandle h = ReceiptHandle.decode(q, handle);
            messages.add(Map.entry(h.messageId(), h.receipt()));
        }
        store.deleteAll(q.account(), q.name(), messages);
    }

    void changeVisibility(QueueRef q, String receiptHandle, int seconds) {
        require(q.account(), q.name());
        if (seconds < 0 || seconds > 43_200) {
            throw SqsException.invalidParameter(
                    "VisibilityTimeout", seconds, "VisibilityTimeout must be >= 0 and <= 43200");
        }
        ReceiptHandle h = ReceiptHandle.decode(q, receiptHandle);
        Instant now = clock.instant();
        switch (store.changeVisibility(
                q.account(), q.name(), h.messageId(), h.receipt(), now, now.plusSeconds(seconds))) {
            case CHANGED -> {
                if (seconds == 0) {
                    arrivals.arrived(q.key());
                }
            }
            case NOT_IN_FLIGHT ->
                throw SqsException.of(
                        SqsException.Code.MESSAGE_NOT_INFLIGHT,
                        "Message does not exist or is not available for visibility timeout change.");
            case STALE ->
                throw SqsException.of(
                        SqsException.Code.RECEIPT_HANDLE_IS_INVALID,
                        "The receipt handle \"%s\" is not valid for this queue: the message was received again or deleted.",
                        receiptHandle);
        }
    }

    /** Lets a message come back at once (an event-source poller's failed batch, with a zero backoff). */
    public void release(QueueRef q, String receiptHandle) {
        try {
            changeVisibility(q, receiptHandle, 0);
        } catch (SqsException e) {
            // received again or gone meanwhile: nothing to release
        }
    }

    /**
     * Wakes the receivers waiting on a queue whose messages were stored by another writer of the same
     * database (S3's notifications, committed with the object they describe).
     */
    public void arrived(String account, String queue) {
        arrivals.arrived(account + "/" + queue);
    }

    /** The queue's visibility timeout, in seconds. */
    public int visibilityTimeout(QueueRef q) {
        return require(q.account(), q.name()).settings().integer("VisibilityTimeout");
    }

    /** A mark to wait from: {@link #awaitArrival} returns when a send commits after it. */
    public long arrivals(QueueRef q) {
        return arrivals.seen(q.key());
    }

    public boolean awaitArrival(QueueRef q, long seen, Duration max) throws InterruptedException {
        return arrivals.await(q.key(), seen, max);
    }

    /** A JSON-protocol attribute value of type String, for tests and tools. */
    static ObjectNode stringAttribute(String value) {
        ObjectNode v = Json.MAPPER.createObjectNode();
        v.put("DataType", "String");
        v.put("StringValue", value);
        return v;
    }
}
