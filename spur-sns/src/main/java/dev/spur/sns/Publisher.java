package dev.spur.sns;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.FunctionKey;
import dev.spur.common.Json;
import dev.spur.queue.PubSubStore;
import dev.spur.queue.QueuedEvent;
import dev.spur.sns.Records.Subscription;
import dev.spur.sns.Records.Topic;
import dev.spur.sqs.Queues;
import dev.spur.sqs.SqsException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Publish, step by step: check the message as SNS does (size, subject, attributes, message structure,
 * FIFO group and deduplication ids), pick the subscriptions whose filter policy passes, turn the message
 * into each one's delivery — an asynchronous event carrying the SNS Lambda event for a {@code lambda}
 * subscription, a message (the JSON notification, or the raw message with its attributes) for an
 * {@code sqs} one — and write all of them with {@link PubSubStore#deliver}: one transaction, durable
 * before the answer. A batch writes every entry's deliveries in that one transaction too.
 */
final class Publisher {
    private static final System.Logger LOG = System.getLogger(Publisher.class.getName());
    static final int MAX_MESSAGE = 256 * 1024;
    private static final Pattern FUNCTION_ARN = Pattern.compile(
            "arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\\d{12}):function:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9$_-]{1,128}))?");
    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,256}");
    private static final Pattern GROUP_ID = Pattern.compile("[\\x21-\\x7e]{1,128}");

    private final PubSubStore store;
    private final Queues queues;
    private final InstantSource clock;
    private final Supplier<String> endpoint;
    private final AtomicLong sequence = new AtomicLong();

    Publisher(PubSubStore store, Queues queues, InstantSource clock, Supplier<String> endpoint) {
        this.store = store;
        this.queues = queues;
        this.clock = clock;
        this.endpoint = endpoint;
    }

    /** A topic and its subscriptions with their compiled filter policies, as one publish sees them. */
    record Snapshot(Topic topic, List<Target> targets) {
        static Snapshot of(Topic topic, List<Subscription> subscriptions) {
            List<Target> targets = new ArrayList<>();
            for (Subscription s : subscriptions) {
                String policy = s.attributes().get("FilterPolicy");
                Optional<FilterPolicy> filter = policy == null || policy.isEmpty()
                        ? Optional.empty()
                        : Optional.of(FilterPolicy.compile(
                                policy, s.attributes().getOrDefault("FilterPolicyScope", FilterPolicy.ATTRIBUTES)));
                targets.add(new Target(s, filter));
            }
            return new Snapshot(topic, List.copyOf(targets));
        }
    }

    record Target(Subscription subscription, Optional<FilterPolicy> filter) {}

    /** The function a Lambda subscription's endpoint names, with its qualifier ("" for none). */
    static Optional<Map.Entry<FunctionKey, String>> function(String endpoint) {
        Matcher m = FUNCTION_ARN.matcher(endpoint);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(
                Map.entry(new FunctionKey(m.group(2), m.group(1), m.group(3)), m.group(4) == null ? "" : m.group(4)));
    }

    Topics.Published publish(Snapshot snapshot, Publication p) {
        Deliveries deliveries = new Deliveries();
        Topics.Published published = prepare(snapshot, p, deliveries);
        deliveries.write();
        return published;
    }

    List<Object> publishBatch(Snapshot snapshot, List<Publication> entries) {
        Deliveries deliveries = new Deliveries();
        List<Object> outcomes = new ArrayList<>(entries.size());
        for (Publication p : entries) {
            try {
                outcomes.add(prepare(snapshot, p, deliveries));
            } catch (SnsException e) {
                outcomes.add(e);
            }
        }
        deliveries.write();
        return outcomes;
    }

    /** What one publish (or batch) writes. */
    private final class Deliveries {
        final List<QueuedEvent> events = new ArrayList<>();
        final List<PubSubStore.QueueMessage> messages = new ArrayList<>();

        void write() {
            if (events.isEmpty() && messages.isEmpty()) {
                return;
            }
            PubSubStore.Delivered delivered = store.deliver(events, messages, clock.instant());
            for (int i = 0; i < messages.size(); i++) {
                if (delivered.messages().get(i).isPresent()) {
                    queues.delivered(messages.get(i));
                }
            }
        }
    }

    private Topics.Published prepare(Snapshot snapshot, Publication p, Deliveries out) {
        Topic topic = snapshot.topic();
        check(topic, p);
        JsonNode structure = p.jsonStructure() ? structure(p.message()) : null;
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String sequenceNumber = topic.fifo() ? String.format("%020d", nextSequence(now)) : null;
        String dedupId = topic.fifo() ? p.deduplicationId().orElseGet(() -> sha256(p.message())) : null;
        Notification n = new Notification(
                UUID.randomUUID().toString(),
                topic.arn(),
                p.subject(),
                p.message(),
                now,
                p.attributes(),
                sequenceNumber,
                endpoint.get());
        for (Target t : snapshot.targets()) {
            Subscription s = t.subscription();
            String message = structure == null ? p.message() : messageFor(structure, s.protocol());
            if (t.filter().isPresent() && !t.filter().get().passes(p.attributes(), message)) {
                continue;
            }
            switch (s.protocol()) {
                case "lambda" ->
                    function(s.endpoint())
                            .ifPresent(f -> out.events.add(new QueuedEvent(
                                    UUID.randomUUID().toString(),
                                    f.getKey(),
                                    f.getValue(),
                                    n.lambdaEvent(s.arn(), message),
                                    now,
                                    0,
                                    now,
                                    "sns:" + s.arn())));
                case "sqs" -> {
                    String body = s.raw() ? message : n.sqsEnvelope(s.arn(), message);
                    JsonNode attributes = s.raw() && !p.attributes().isEmpty() ? n.sqsAttributes() : null;
                    try {
                        queues.prepareDelivery(
                                        s.endpoint(),
                                        body,
                                        attributes,
                                        p.groupId().orElse(null),
                                        dedupId)
                                .ifPresent(out.messages::add);
                    } catch (SqsException e) {
                        LOG.log(
                                System.Logger.Level.WARNING,
                                "{0} refused a message of {1}: {2}",
                                s.endpoint(),
                                topic.arn(),
                                e.getMessage());
                    }
                }
                default -> {
                    // only lambda and sqs subscriptions can be made
                }
            }
        }
        return new Topics.Published(n.messageId(), Optional.ofNullable(sequenceNumber));
    }

    private long nextSequence(Instant now) {
        long floor = now.toEpochMilli() * 1_000_000L;
        return sequence.updateAndGet(s -> Math.max(s + 1, floor));
    }

    private static void check(Topic topic, Publication p) {
        if (p.message().isEmpty()) {
            throw SnsException.invalid("Empty message");
        }
        int size = p.message().getBytes(StandardCharsets.UTF_8).length;
        for (Map.Entry<String, MessageAttribute> e : p.attributes().entrySet()) {
            checkAttribute(e.getKey(), e.getValue());
            size += e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + e.getValue().dataType().getBytes(StandardCharsets.UTF_8).length
                    + e.getValue().value().getBytes(StandardCharsets.UTF_8).length;
        }
        if (size > MAX_MESSAGE) {
            throw SnsException.invalid("Message too long");
        }
        if (p.subject().isPresent()) {
            String s = p.subject().get();
            if (s.isEmpty() || s.length() > 100 || !s.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                throw SnsException.invalid("Subject");
            }
        }
        if (topic.fifo()) {
            if (p.groupId().isEmpty()) {
                throw SnsException.invalid("The MessageGroupId parameter is required for FIFO topics");
            }
            if (!GROUP_ID.matcher(p.groupId().get()).matches()) {
                throw SnsException.invalid("MessageGroupId");
            }
            if (p.deduplicationId().isEmpty() && !topic.contentBasedDeduplication()) {
                throw SnsException.invalid("The topic should either have ContentBasedDeduplication enabled or "
                        + "MessageDeduplicationId provided explicitly");
            }
            if (p.deduplicationId().isPresent()
                    && !GROUP_ID.matcher(p.deduplicationId().get()).matches()) {
                throw SnsException.invalid("MessageDeduplicationId");
            }
        } else if (p.deduplicationId().isPresent()) {
            throw SnsException.invalid("MessageDeduplicationId Reason: The request includes "
                    + "MessageDeduplicationId parameter that is not valid for this topic type");
        }
    }

    private static void checkAttribute(String name, MessageAttribute a) {
        if (!ATTRIBUTE_NAME.matcher(name).matches() || name.startsWith("AWS.") || name.startsWith("Amazon.")) {
            throw SnsException.of(
                    SnsException.Code.INVALID_PARAMETER_VALUE, "The message attribute name '%s' is invalid.", name);
        }
        switch (a.baseType()) {
            case "String", "Binary" -> {}
            case "Number" -> {
                try {
                    new BigDecimal(a.value());
                } catch (NumberFormatException e) {
                    throw SnsException.of(
                            SnsException.Code.INVALID_PARAMETER_VALUE,
                            "Could not cast message attribute '%s' value to number.",
                            name);
                }
            }
            case "String.Array" -> {
                JsonNode array;
                try {
                    array = Json.MAPPER.readTree(a.value());
                } catch (IOException e) {
                    array = null;
                }
                if (array == null || !array.isArray()) {
                    throw SnsException.of(
                            SnsException.Code.INVALID_PARAMETER_VALUE,
                            "The message attribute '%s' has an invalid message attribute type, the set of supported "
                                    + "type prefixes is Binary, Number, and String.",
                            name);
                }
            }
            default ->
                throw SnsException.of(
                        SnsException.Code.INVALID_PARAMETER_VALUE,
                        "The message attribute '%s' has an invalid message attribute type, the set of supported type "
                                + "prefixes is Binary, Number, and String.",
                        name);
        }
        if (a.value().isEmpty()) {
            throw SnsException.of(
                    SnsException.Code.INVALID_PARAMETER_VALUE,
                    "The message attribute '%s' must contain non-empty message attribute value for message "
                            + "attribute type '%s'.",
                    name,
                    a.dataType());
        }
    }

    /** MessageStructure {@code json}: an object with a {@code default} string. */
    private static JsonNode structure(String message) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(message);
        } catch (IOException e) {
            throw SnsException.invalid("Message Structure - JSON message body failed to parse");
        }
        if (node == null || !node.isObject()) {
            throw SnsException.invalid("Message Structure - JSON message body failed to parse");
        }
        if (!node.path("default").isTextual()) {
            throw SnsException.invalid("Message Structure - No default entry in JSON message body");
        }
        return node;
    }

    private static String messageFor(JsonNode structure, String protocol) {
        JsonNode specific = structure.get(protocol);
        return specific != null && specific.isTextual()
                ? specific.asText()
                : structure.get("default").asText();
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
