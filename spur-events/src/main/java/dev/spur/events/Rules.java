package dev.spur.events;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.queue.PubSubStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Buses and rules as the store keeps them: one JSON document each (a rule holds its targets). */
final class Rules {
    static final String BUS = "bus";
    static final String RULE = "rule";
    static final String DEFAULT_BUS = "default";

    private Rules() {}

    record Bus(String name, String account, String region, String description, Map<String, String> tags) {
        Bus {
            tags = Map.copyOf(tags);
        }

        String arn() {
            return busArn(region, account, name);
        }
    }

    static String busArn(String region, String account, String name) {
        return "arn:aws:events:" + region + ":" + account + ":event-bus/" + name;
    }

    /**
     * A target: {@code input} a literal JSON text sent instead of the event, {@code inputPath} a path into
     * the event, {@code inputTransformer} its paths map and template; {@code sqsGroupId} a FIFO queue's group.
     */
    record Target(
            String id, String arn, String input, String inputPath, JsonNode inputTransformer, String sqsGroupId) {}

    record Rule(
            String name,
            String bus,
            String account,
            String region,
            String eventPattern,
            String scheduleExpression,
            String state,
            String description,
            List<Target> targets) {
        Rule {
            targets = List.copyOf(targets);
        }

        String arn() {
            return "arn:aws:events:" + region + ":" + account + ":rule/" + (bus.equals(DEFAULT_BUS) ? "" : bus + "/")
                    + name;
        }

        boolean enabled() {
            return "ENABLED".equals(state);
        }

        Rule with(String newState, List<Target> newTargets) {
            return new Rule(
                    name, bus, account, region, eventPattern, scheduleExpression, newState, description, newTargets);
        }

        PubSubStore.Resource resource() {
            return new PubSubStore.Resource(account, RULE, bus + "/" + name, write(this));
        }
    }

    static Bus bus(PubSubStore.Resource r) {
        return read(r.document(), new TypeReference<Bus>() {});
    }

    static Rule rule(PubSubStore.Resource r) {
        return read(r.document(), new TypeReference<Rule>() {});
    }

    static String write(Object value) {
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
            throw new UncheckedIOException("A stored EventBridge document cannot be read: " + json, e);
        }
    }
}
