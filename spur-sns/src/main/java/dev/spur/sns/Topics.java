package dev.spur.sns;

import dev.spur.queue.PubSubStore;
import dev.spur.sns.Records.Subscription;
import dev.spur.sns.Records.Topic;
import dev.spur.sqs.Queues;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * SNS topics and their subscriptions: names, ARNs and attributes validated as SNS does, stored in the
 * event queue's database ({@link PubSubStore}), and {@link #publish} — the seam other services (S3's
 * notifications) call in-process. A topic belongs to the caller's account; its ARN is
 * {@code arn:aws:sns:<region>:<account>:<name>}, a subscription's is the topic's plus {@code :<uuid>}.
 * Lambda and SQS subscriptions are confirmed at once, as SNS confirms them within an account.
 *
 * <p>What a publish delivers is built by {@link Publisher}. Topics and their subscriptions are cached
 * per topic, with their compiled filter policies, and dropped on every change this node makes; on a
 * database other nodes share ({@code shared}) nothing is cached.
 */
public final class Topics {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,256}");
    private static final Pattern FIFO_NAME = Pattern.compile("[A-Za-z0-9_-]{1,251}\\.fifo");
    static final Pattern TOPIC_ARN =
            Pattern.compile("arn:aws[a-z-]*:sns:([a-z0-9-]+):(\\d{12}):([A-Za-z0-9_.-]{1,256})");
    private static final Set<String> TOPIC_ATTRIBUTES = Set.of(
            "DisplayName",
            "Policy",
            "DeliveryPolicy",
            "KmsMasterKeyId",
            "TracingConfig",
            "SignatureVersion",
            "ContentBasedDeduplication",
            "ArchivePolicy",
            "FifoThroughputScope",
            "DataProtectionPolicy");
    private static final Set<String> SUBSCRIPTION_ATTRIBUTES = Set.of(
            "RawMessageDelivery",
            "FilterPolicy",
            "FilterPolicyScope",
            "RedrivePolicy",
            "DeliveryPolicy",
            "SubscriptionRoleArn",
            "ReplayPolicy");
    static final int PAGE = 100;

    private final PubSubStore store;
    private final boolean shared;
    private final Publisher publisher;
    private final ConcurrentMap<String, Publisher.Snapshot> cache = new ConcurrentHashMap<>();
    private final AtomicLong changes = new AtomicLong(); // a snapshot loaded across a change is not cached

    private Topics(PubSubStore store, Queues queues, InstantSource clock, boolean shared, Supplier<String> endpoint) {
        this.store = store;
        this.shared = shared;
        this.publisher = new Publisher(store, queues, clock, endpoint);
    }

    /**
     * Topics on {@code store}, delivering to {@code queues}; {@code endpoint} is this server's
     * {@code http://host:port} (for the unsubscribe and certificate URLs in notifications), {@code shared}
     * when other nodes use the same database.
     */
    public static Topics create(
            PubSubStore store, Queues queues, InstantSource clock, boolean shared, Supplier<String> endpoint) {
        return new Topics(store, queues, clock, shared, endpoint);
    }

    /** What a publish answers: the message id, and on a FIFO topic its sequence number. */
    public record Published(String messageId, Optional<String> sequenceNumber) {}

    /**
     * Publishes one message to a topic of {@code account}: every subscription whose filter policy passes
     * gets it. Failure semantics: returns only after every delivery is committed and fsynced in one
     * transaction (asynchronous events for Lambda subscriptions, messages for SQS ones); throws with
     * nothing delivered. A subscription's queue that is gone or refuses the message is skipped, as SNS
     * drops a delivery that fails.
     *
     * @throws SnsException NotFound for an unknown topic, InvalidParameter for a message SNS refuses
     */
    public Published publish(String account, String topicArn, Publication publication) {
        return publisher.publish(snapshot(account, topicArn), publication);
    }

    /** PublishBatch: each entry's outcome (a {@link Published} or its {@link SnsException}), one commit for all. */
    List<Object> publishBatch(String account, String topicArn, List<Publication> entries) {
        return publisher.publishBatch(snapshot(account, topicArn), entries);
    }

    // ---- topics

    String createTopic(
            String account, String region, String name, Map<String, String> attributes, Map<String, String> tags) {
        boolean fifo = Boolean.parseBoolean(attributes.getOrDefault("FifoTopic", "false"));
        if (fifo ? !FIFO_NAME.matcher(name).matches() : !NAME.matcher(name).matches()) {
            throw SnsException.invalid(
                    fifo || name.endsWith(".fifo")
                            ? "Topic Name: Fifo Topic names must end with .fifo and must be made up of only uppercase "
                                    + "and lowercase ASCII letters, numbers, underscores, and hyphens, and must be "
                                    + "between 1 and 256 characters long."
                            : "Topic Name");
        }
        Map<String, String> settable = new LinkedHashMap<>(attributes);
        settable.remove("FifoTopic");
        checkTopicAttributes(settable, fifo);
        String arn = "arn:aws:sns:" + region + ":" + account + ":" + name;
        Topic topic = new Topic(arn, name, account, region, fifo, settable, tags);
        Optional<PubSubStore.Resource> existing = store.create(topic.resource());
        if (existing.isPresent()) {
            Topic had = Records.topic(existing.get());
            for (Map.Entry<String, String> e : settable.entrySet()) {
                if (!e.getValue().equals(had.attributes().get(e.getKey()))) {
                    throw SnsException.invalid("Attributes Reason: Topic already exists with different attributes");
                }
            }
            if (had.fifo() != fifo) {
                throw SnsException.invalid("Attributes Reason: Topic already exists with different attributes");
            }
        }
        invalidate(arn);
        return arn;
    }

    private static void checkTopicAttributes(Map<String, String> attributes, boolean fifo) {
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            if (!TOPIC_ATTRIBUTES.contains(e.getKey())) {
                throw SnsException.invalid("AttributeName");
            }
            if (e.getKey().equals("ContentBasedDeduplication")) {
                if (!fifo) {
                    throw SnsException.invalid(
                            "ContentBasedDeduplication: Content-based deduplication can only be set for FIFO topics");
                }
                if (!e.getValue().equals("true") && !e.getValue().equals("false")) {
                    throw SnsException.invalid("ContentBasedDeduplication: must be true or false");
                }
            }
        }
    }

    void deleteTopic(String account, String topicArn) {
        parseTopicArn(topicArn);
        store.delete(account, Records.TOPIC, topicArn, Records.SUBSCRIPTION, topicArn + ":");
        invalidate(topicArn);
    }

    /** A page of the account's topic ARNs after {@code after} (the previous page's NextToken). */
    List<String> listTopics(String account, Optional<String> after) {
        List<String> out = new ArrayList<>();
        for (PubSubStore.Resource r : store.list(account, Records.TOPIC, "")) {
            if (after.isEmpty() || r.name().compareTo(after.get()) > 0) {
                out.add(r.name());
            }
        }
        return out;
    }

    Map<String, String> topicAttributes(String account, String topicArn) {
        Topic topic = topic(account, topicArn);
        List<Subscription> subs = subscriptions(account, topicArn);
        Map<String, String> out = new LinkedHashMap<>();
        out.put("TopicArn", topic.arn());
        out.put("Owner", topic.account());
        out.put("Policy", defaultPolicy(topic));
        out.put("DisplayName", "");
        out.put("SubscriptionsPending", "0");
        out.put("SubscriptionsConfirmed", Integer.toString(subs.size()));
        out.put("SubscriptionsDeleted", "0");
        out.put(
                "EffectiveDeliveryPolicy",
                "{\"http\":{\"defaultHealthyRetryPolicy\":{\"minDelayTarget\":20,\"maxDelayTarget\":20,"
                        + "\"numRetries\":3,\"numMaxDelayRetries\":0,\"numNoDelayRetries\":0,\"numMinDelayRetries\":0,"
                        + "\"backoffFunction\":\"linear\"},\"disableSubscriptionOverrides\":false,"
                        + "\"defaultRequestPolicy\":{\"headerContentType\":\"text/plain; charset=UTF-8\"}}}");
        if (topic.fifo()) {
            out.put("FifoTopic", "true");
            out.put("ContentBasedDeduplication", "false");
        }
        out.putAll(topic.attributes());
        return out;
    }

    void setTopicAttribute(String account, String topicArn, String name, String value) {
        Topic topic = topic(account, topicArn);
        if (name.equals("FifoTopic")) {
            throw SnsException.invalid("AttributeName: FifoTopic cannot be changed");
        }
        Map<String, String> change = Map.of(name, value);
        checkTopicAttributes(change, topic.fifo());
        invalidate(topicArn);
        if (!store.replace(topic.withAttributes(change).resource())) {
            throw SnsException.topicNotFound();
        }
        invalidate(topicArn);
    }

    private static String defaultPolicy(Topic topic) {
        return "{\"Version\":\"2008-10-17\",\"Id\":\"__default_policy_ID\",\"Statement\":[{\"Sid\":"
                + "\"__default_statement_ID\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":["
                + "\"SNS:Publish\",\"SNS:Subscribe\",\"SNS:Receive\",\"SNS:GetTopicAttributes\","
                + "\"SNS:SetTopicAttributes\",\"SNS:DeleteTopic\",\"SNS:ListSubscriptionsByTopic\"],\"Resource\":\""
                + topic.arn() + "\",\"Condition\":{\"StringEquals\":{\"AWS:SourceOwner\":\"" + topic.account()
                + "\"}}}]}";
    }

    Topic topic(String account, String topicArn) {
        parseTopicArn(topicArn);
        return store.get(account, Records.TOPIC, topicArn).map(Records::topic).orElseThrow(SnsException::topicNotFound);
    }

    private static void parseTopicArn(String topicArn) {
        if (!TOPIC_ARN.matcher(topicArn).matches()) {
            throw SnsException.invalid("TopicArn");
        }
    }

    // ---- subscriptions

    String subscribe(
            String account, String topicArn, String protocol, String endpoint, Map<String, String> attributes) {
        Topic topic = topic(account, topicArn);
        switch (protocol) {
            case "lambda" -> {
                if (Publisher.function(endpoint).isEmpty()) {
                    throw SnsException.invalid("Lambda endpoint ARN");
                }
                if (topic.fifo()) {
                    throw SnsException.invalid(
                            "Endpoint Reason: FIFO SNS Topics currently only support FIFO SQS Queues as endpoints");
                }
            }
            case "sqs" -> {
                if (!endpoint.matches("arn:aws[a-z-]*:sqs:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_.-]{1,80}")) {
                    throw SnsException.invalid("SQS endpoint ARN");
                }
                if (topic.fifo() && !endpoint.endsWith(".fifo")) {
                    throw SnsException.invalid(
                            "Endpoint Reason: FIFO SNS Topics currently only support FIFO SQS Queues as endpoints");
                }
                if (!topic.fifo() && endpoint.endsWith(".fifo")) {
                    throw SnsException.invalid("Endpoint Reason: Please use FIFO SNS topic");
                }
            }
            default -> throw SnsException.invalid("Invalid protocol type: " + protocol);
        }
        checkSubscriptionAttributes(protocol, attributes);
        for (Subscription s : subscriptions(account, topicArn)) {
            if (s.protocol().equals(protocol) && s.endpoint().equals(endpoint)) {
                if (!s.attributes().equals(withoutEmpty(attributes)) && !attributes.isEmpty()) {
                    throw SnsException.invalid(
                            "Attributes Reason: Subscription already exists with different attributes");
                }
                return s.arn();
            }
        }
        Subscription sub = new Subscription(
                topicArn + ":" + UUID.randomUUID(), topicArn, account, protocol, endpoint, withoutEmpty(attributes));
        store.create(sub.resource());
        invalidate(topicArn);
        if (store.get(account, Records.TOPIC, topicArn).isEmpty()) { // the topic went meanwhile
            store.delete(account, Records.SUBSCRIPTION, sub.arn(), null, null);
            throw SnsException.topicNotFound();
        }
        return sub.arn();
    }

    private static Map<String, String> withoutEmpty(Map<String, String> attributes) {
        Map<String, String> out = new LinkedHashMap<>(attributes);
        out.values().removeIf(String::isEmpty);
        return out;
    }

    private static void checkSubscriptionAttributes(String protocol, Map<String, String> attributes) {
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            if (!SUBSCRIPTION_ATTRIBUTES.contains(e.getKey())) {
                throw SnsException.invalid("Attributes Reason: Unknown attribute " + e.getKey());
            }
        }
        String raw = attributes.get("RawMessageDelivery");
        if (raw != null) {
            if (!raw.equals("true") && !raw.equals("false")) {
                throw SnsException.invalid(
                        "Attributes Reason: RawMessageDelivery: Invalid value [" + raw + "]. Must be true or false.");
            }
            if (!protocol.equals("sqs") && raw.equals("true")) {
                throw SnsException.invalid("Attributes Reason: Delivery protocol [" + protocol
                        + "] does not support raw message delivery.");
            }
        }
        String policy = attributes.get("FilterPolicy");
        String scope = attributes.getOrDefault("FilterPolicyScope", FilterPolicy.ATTRIBUTES);
        if (policy != null && !policy.isEmpty()) {
            FilterPolicy.compile(policy, scope);
        } else if (attributes.containsKey("FilterPolicyScope")) {
            FilterPolicy.compile("{}", scope); // checks the scope's name
        }
    }

    void unsubscribe(String account, String subscriptionArn) {
        Subscription sub = subscription(account, subscriptionArn);
        store.delete(account, Records.SUBSCRIPTION, subscriptionArn, null, null);
        invalidate(sub.topicArn());
    }

    Subscription subscription(String account, String subscriptionArn) {
        if (subscriptionArn == null || !subscriptionArn.startsWith("arn:")) {
            throw SnsException.invalid("SubscriptionArn");
        }
        return store.get(account, Records.SUBSCRIPTION, subscriptionArn)
                .map(Records::subscription)
                .orElseThrow(SnsException::subscriptionNotFound);
    }

    /** The account's subscriptions, of one topic or (null) all. */
    List<Subscription> subscriptions(String account, String topicArn) {
        List<Subscription> out = new ArrayList<>();
        for (PubSubStore.Resource r :
                store.list(account, Records.SUBSCRIPTION, topicArn == null ? "" : topicArn + ":")) {
            out.add(Records.subscription(r));
        }
        return out;
    }

    Map<String, String> subscriptionAttributes(String account, String subscriptionArn) {
        Subscription s = subscription(account, subscriptionArn);
        Map<String, String> out = new LinkedHashMap<>();
        out.put("SubscriptionArn", s.arn());
        out.put("TopicArn", s.topicArn());
        out.put("Owner", s.account());
        out.put("Protocol", s.protocol());
        out.put("Endpoint", s.endpoint());
        out.put("ConfirmationWasAuthenticated", "true");
        out.put("PendingConfirmation", "false");
        out.put("RawMessageDelivery", "false");
        if (s.attributes().containsKey("FilterPolicy")) {
            out.put("FilterPolicyScope", FilterPolicy.ATTRIBUTES);
        }
        out.putAll(s.attributes());
        return out;
    }

    void setSubscriptionAttribute(String account, String subscriptionArn, String name, String value) {
        Subscription s = subscription(account, subscriptionArn);
        Subscription changed = s.withAttributes(Map.of(name, value));
        Map<String, String> check = new LinkedHashMap<>(changed.attributes());
        if (!SUBSCRIPTION_ATTRIBUTES.contains(name)) {
            throw SnsException.invalid("AttributeName");
        }
        checkSubscriptionAttributes(s.protocol(), check);
        invalidate(s.topicArn());
        if (!store.replace(changed.resource())) {
            throw SnsException.subscriptionNotFound();
        }
        invalidate(s.topicArn());
    }

    // ---- publish

    private Publisher.Snapshot snapshot(String account, String topicArn) {
        if (topicArn == null || !TOPIC_ARN.matcher(topicArn).matches()) {
            throw SnsException.invalid("TopicArn");
        }
        Publisher.Snapshot cached = shared ? null : cache.get(topicArn);
        if (cached != null && cached.topic().account().equals(account)) {
            return cached;
        }
        long seen = changes.get();
        Publisher.Snapshot snapshot = Publisher.Snapshot.of(topic(account, topicArn), subscriptions(account, topicArn));
        if (!shared && changes.get() == seen) {
            cache.put(topicArn, snapshot);
        }
        return snapshot;
    }

    private void invalidate(String topicArn) {
        changes.incrementAndGet();
        cache.remove(topicArn);
    }
}
