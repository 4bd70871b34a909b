package dev.spur.sqs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A queue's settable attributes: which names exist, their defaults, and the ranges SQS accepts
 * (InvalidAttributeName for an unknown name, InvalidAttributeValue for a bad value). Values are kept as
 * the strings the API carries.
 */
record QueueSettings(Map<String, String> values) {
    static final int MAX_MESSAGE_SIZE = 1_048_576;

    private static final Map<String, String> DEFAULTS = Map.of(
            "DelaySeconds", "0",
            "MaximumMessageSize", Integer.toString(MAX_MESSAGE_SIZE),
            "MessageRetentionPeriod", "345600",
            "ReceiveMessageWaitTimeSeconds", "0",
            "VisibilityTimeout", "30",
            "SqsManagedSseEnabled", "true");

    private static final Set<String> SETTABLE = Set.of(
            "DelaySeconds",
            "MaximumMessageSize",
            "MessageRetentionPeriod",
            "ReceiveMessageWaitTimeSeconds",
            "VisibilityTimeout",
            "RedrivePolicy",
            "RedriveAllowPolicy",
            "Policy",
            "KmsMasterKeyId",
            "KmsDataKeyReusePeriodSeconds",
            "SqsManagedSseEnabled",
            "ContentBasedDeduplication",
            "DeduplicationScope",
            "FifoThroughputLimit");

    QueueSettings {
        values = Map.copyOf(values);
    }

    static QueueSettings defaults(boolean fifo) {
        Map<String, String> v = new TreeMap<>(DEFAULTS);
        if (fifo) {
            v.put("FifoQueue", "true");
            v.put("ContentBasedDeduplication", "false");
            v.put("DeduplicationScope", "queue");
            v.put("FifoThroughputLimit", "perQueue");
        }
        return new QueueSettings(v);
    }

    /**
     * These settings with {@code changes} applied, each name and value checked. {@code FifoQueue} may be
     * given at creation only ({@code creating}) and must match the queue's type.
     */
    QueueSettings with(Map<String, String> changes, boolean fifo, boolean creating) {
        Map<String, String> v = new TreeMap<>(values);
        for (Map.Entry<String, String> e : changes.entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            if (name.equals("FifoQueue") && creating) {
                if (!value.equalsIgnoreCase(Boolean.toString(fifo)) && !(value.equalsIgnoreCase("false") && !fifo)) {
                    throw invalidValue(name);
                }
                continue;
            }
            if (!SETTABLE.contains(name)
                    || (!fifo
                            && Set.of("ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")
                                    .contains(name))) {
                throw SqsException.of(SqsException.Code.INVALID_ATTRIBUTE_NAME, "Unknown Attribute %s.", name);
            }
            switch (name) {
                case "DelaySeconds" -> range(name, value, 0, 900);
                case "MaximumMessageSize" -> range(name, value, 1024, MAX_MESSAGE_SIZE);
                case "MessageRetentionPeriod" -> range(name, value, 60, 1_209_600);
                case "ReceiveMessageWaitTimeSeconds" -> range(name, value, 0, 20);
                case "VisibilityTimeout" -> range(name, value, 0, 43_200);
                case "KmsDataKeyReusePeriodSeconds" -> range(name, value, 60, 86_400);
                case "ContentBasedDeduplication", "SqsManagedSseEnabled" -> bool(name, value);
                case "DeduplicationScope" -> oneOf(name, value, Set.of("queue", "messageGroup"));
                case "FifoThroughputLimit" -> oneOf(name, value, Set.of("perQueue", "perMessageGroupId"));
                case "RedriveAllowPolicy" -> redriveAllow(value);
                case "RedrivePolicy" -> {
                    if (!value.isEmpty()) {
                        redrive(value);
                    }
                }
                default -> {
                    // Policy, KmsMasterKeyId: stored as given
                }
            }
            if (name.equals("RedrivePolicy") && value.isEmpty()) {
                v.remove(name);
            } else {
                v.put(name, value);
            }
        }
        return new QueueSettings(v);
    }

    int integer(String name) {
        return Integer.parseInt(values.getOrDefault(name, DEFAULTS.getOrDefault(name, "0")));
    }

    boolean flag(String name) {
        return Boolean.parseBoolean(values.get(name));
    }

    Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** The redrive policy: its dead-letter queue's ARN and maxReceiveCount. */
    record Redrive(String deadLetterTargetArn, int maxReceiveCount) {}

    Optional<Redrive> redrive() {
        return value("RedrivePolicy").map(QueueSettings::redrive);
    }

    static Redrive redrive(String json) {
        JsonNode node = parse("RedrivePolicy", json);
        JsonNode arn = node.get("deadLetterTargetArn");
        JsonNode count = node.get("maxReceiveCount");
        if (arn == null || !arn.isTextual() || count == null) {
            throw SqsException.of(
                    SqsException.Code.INVALID_PARAMETER_VALUE,
                    "Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map "
                            + "with deadLetterTargetArn and maxReceiveCount.",
                    json);
        }
        int n;
        try {
            n = count.isNumber() ? count.intValue() : Integer.parseInt(count.asText());
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1 || n > 1000) {
            throw SqsException.of(
                    SqsException.Code.INVALID_PARAMETER_VALUE,
                    "Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: %s, "
                            + "valid values are from 1 to 1000 both inclusive.",
                    json,
                    count.asText());
        }
        return new Redrive(arn.asText(), n);
    }

    /** Whether a queue with this RedriveAllowPolicy accepts {@code sourceArn} as a source. */
    boolean allowsSource(String sourceArn) {
        Optional<String> policy = value("RedriveAllowPolicy");
        if (policy.isEmpty()) {
            return true;
        }
        JsonNode node = parse("RedriveAllowPolicy", policy.get());
        return switch (node.path("redrivePermission").asText()) {
            case "denyAll" -> false;
            case "byQueue" -> {
                for (JsonNode arn : node.path("sourceQueueArns")) {
                    if (arn.asText().equals(sourceArn)) {
                        yield true;
                    }
                }
                yield false;
            }
            default -> true;
        };
    }

    private static void redriveAllow(String json) {
        JsonNode node = parse("RedriveAllowPolicy", json);
        String permission = node.path("redrivePermission").asText();
        if (!Set.of("allowAll", "denyAll", "byQueue").contains(permission)) {
            throw SqsException.of(
                    SqsException.Code.INVALID_PARAMETER_VALUE,
                    "Value %s for parameter RedriveAllowPolicy is invalid. Reason: Invalid value for "
                            + "redrivePermission: %s (allowAll, denyAll or byQueue).",
                    json,
                    permission);
        }
        JsonNode sources = node.get("sourceQueueArns");
        boolean listed = sources != null && sources.isArray() && !sources.isEmpty();
        if (permission.equals("byQueue") != listed || (listed && sources.size() > 10)) {
            throw SqsException.of(
                    SqsException.Code.INVALID_PARAMETER_VALUE,
                    "Value %s for parameter RedriveAllowPolicy is invalid. Reason: sourceQueueArns must list 1 to 10 "
                            + "queues exactly when redrivePermission is byQueue.",
                    json);
        }
    }

    private static JsonNode parse(String name, String json) {
        try {
            JsonNode node = Json.MAPPER.readTree(json);
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (IOException e) {
            // reported below
        }
        throw SqsException.of(
                SqsException.Code.INVALID_PARAMETER_VALUE,
                "Value %s for parameter %s is invalid. Reason: Invalid JSON.",
                json,
                name);
    }

    private static void range(String name, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalidValue(name);
    }

    private static void bool(String name, String value) {
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw invalidValue(name);
        }
    }

    private static void oneOf(String name, String value, Set<String> allowed) {
        if (!allowed.contains(value)) {
            throw invalidValue(name);
        }
    }

    private static SqsException invalidValue(String name) {
        return SqsException.of(SqsException.Code.INVALID_ATTRIBUTE_VALUE, "Invalid value for the parameter %s.", name);
    }

    /** The settings as JSON text, for the store. */
    String json() {
        return Json.MAPPER.valueToTree(new TreeMap<>(values)).toString();
    }

    static QueueSettings fromJson(String json) {
        Map<String, String> v = new LinkedHashMap<>();
        try {
            Json.MAPPER
                    .readTree(json)
                    .properties()
                    .forEach(e -> v.put(e.getKey(), e.getValue().asText()));
        } catch (IOException e) {
            throw new IllegalStateException("a stored queue's attributes do not parse", e);
        }
        return new QueueSettings(v);
    }
}
