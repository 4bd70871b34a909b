package dev.spur.sns;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.spur.common.Json;
import dev.spur.queue.PubSubStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Topics and subscriptions as the store keeps them: one JSON document each. */
final class Records {
    static final String TOPIC = "topic";
    static final String SUBSCRIPTION = "subscription";

    private Records() {}

    /** A topic: {@code attributes} are the ones set (DisplayName, Policy, ContentBasedDeduplication, …). */
    record Topic(
            String arn,
            String name,
            String account,
            String region,
            boolean fifo,
            Map<String, String> attributes,
            Map<String, String> tags) {
        Topic {
            attributes = Map.copyOf(attributes);
            tags = Map.copyOf(tags);
        }

        boolean contentBasedDeduplication() {
            return Boolean.parseBoolean(attributes.getOrDefault("ContentBasedDeduplication", "false"));
        }

        PubSubStore.Resource resource() {
            return new PubSubStore.Resource(account, TOPIC, arn, write(this));
        }

        Topic withAttributes(Map<String, String> changed) {
            Map<String, String> merged = new LinkedHashMap<>(attributes);
            merged.putAll(changed);
            return new Topic(arn, name, account, region, fifo, merged, tags);
        }
    }

    /** A subscription: {@code attributes} are the ones set (RawMessageDelivery, FilterPolicy, FilterPolicyScope, …). */
    record Subscription(
            String arn,
            String topicArn,
            String account,
            String protocol,
            String endpoint,
            Map<String, String> attributes) {
        Subscription {
            attributes = Map.copyOf(attributes);
        }

        boolean raw() {
            return Boolean.parseBoolean(attributes.getOrDefault("RawMessageDelivery", "false"));
        }

        PubSubStore.Resource resource() {
            return new PubSubStore.Resource(account, SUBSCRIPTION, arn, write(this));
        }

        Subscription withAttributes(Map<String, String> changed) {
            Map<String, String> merged = new LinkedHashMap<>(attributes);
            merged.putAll(changed);
            merged.values().removeIf(String::isEmpty);
            return new Subscription(arn, topicArn, account, protocol, endpoint, merged);
        }
    }

    static Topic topic(PubSubStore.Resource r) {
        return read(r.document(), new TypeReference<Topic>() {});
    }

    static Subscription subscription(PubSubStore.Resource r) {
        return read(r.document(), new TypeReference<Subscription>() {});
    }

    private static String write(Object value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("A stored SNS document cannot be read: " + json, e);
        }
    }
}
