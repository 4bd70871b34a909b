package dev.spur.sqs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Each SQS operation: the JSON protocol's input shape in, its output shape out (null for none). Parsing
 * touches no state; every change goes through {@link Queues}.
 */
final class SqsOperations {
    private static final Pattern BATCH_ID = Pattern.compile("[A-Za-z0-9_-]{1,80}");
    private static final int MAX_BATCH = 10;

    private final Queues queues;

    SqsOperations(Queues queues) {
        this.queues = queues;
    }

    JsonNode run(String operation, ObjectNode in, SqsService.Request r) throws InterruptedException {
        return switch (operation) {
            case "CreateQueue" -> createQueue(in, r);
            case "GetQueueUrl" -> getQueueUrl(in, r);
            case "ListQueues" -> listQueues(in, r);
            case "DeleteQueue" -> {
                queues.delete(queue(in, r));
                yield null;
            }
            case "GetQueueAttributes" -> getQueueAttributes(in, r);
            case "SetQueueAttributes" -> {
                queues.setAttributes(queue(in, r), strings(in.get("Attributes")));
                yield null;
            }
            case "PurgeQueue" -> {
                queues.purge(queue(in, r));
                yield null;
            }
            case "SendMessage" -> sendMessage(in, r);
            case "SendMessageBatch" -> sendMessageBatch(in, r);
            case "ReceiveMessage" -> receiveMessage(in, r);
            case "DeleteMessage" -> {
                queues.delete(queue(in, r), text(in, "ReceiptHandle", true));
                yield null;
            }
            case "DeleteMessageBatch" -> deleteMessageBatch(in, r);
            case "ChangeMessageVisibility" -> {
                queues.changeVisibility(
                        queue(in, r), text(in, "ReceiptHandle", true), integer(in, "VisibilityTimeout", null, true));
                yield null;
            }
            case "ChangeMessageVisibilityBatch" -> changeVisibilityBatch(in, r);
            default ->
                throw SqsException.of(
                        SqsException.Code.INVALID_ACTION, "The action %s is not valid for this endpoint.", operation);
        };
    }

    private JsonNode createQueue(ObjectNode in, SqsService.Request r) {
        String name = text(in, "QueueName", true);
        QueueRef q =
                queues.create(r.account(), r.region(), name, strings(in.get("Attributes")), strings(in.get("tags")));
        return Json.MAPPER.createObjectNode().put("QueueUrl", q.url(r.endpoint()));
    }

    private JsonNode getQueueUrl(ObjectNode in, SqsService.Request r) {
        String name = text(in, "QueueName", true);
        String owner = text(in, "QueueOwnerAWSAccountId", false);
        if (owner != null && !owner.equals(r.account())) {
            throw SqsException.noQueue();
        }
        Queues.Loaded q = queues.require(r.account(), name);
        return Json.MAPPER.createObjectNode().put("QueueUrl", q.ref().url(r.endpoint()));
    }

    private JsonNode listQueues(ObjectNode in, SqsService.Request r) {
        String prefix = text(in, "QueueNamePrefix", false);
        Integer max = integer(in, "MaxResults", null, false);
        if (max != null && (max < 1 || max > 1000)) {
            throw SqsException.invalidParameter("MaxResults", max, "MaxResults must be an integer between 1 and 1000.");
        }
        String after = text(in, "NextToken", false);
        String afterName =
                after == null ? null : new String(Base64.getUrlDecoder().decode(after), StandardCharsets.UTF_8);
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode urls = Json.MAPPER.createArrayNode();
        int limit = max == null ? 1000 : max;
        String last = null;
        boolean more = false;
        for (QueueRef q : queues.list(r.account(), prefix)) {
            if (afterName != null && q.name().compareTo(afterName) <= 0) {
                continue;
            }
            if (urls.size() == limit) {
                more = true;
                break;
            }
            urls.add(q.url(r.endpoint()));
            last = q.name();
        }
        if (!urls.isEmpty()) {
            out.set("QueueUrls", urls);
        }
        if (more && max != null) {
            out.put(
                    "NextToken",
                    Base64.getUrlEncoder().withoutPadding().encodeToString(last.getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private JsonNode getQueueAttributes(ObjectNode in, SqsService.Request r) {
        Map<String, String> all = queues.attributes(queue(in, r));
        List<String> names = list(in.get("AttributeNames"));
        ObjectNode attributes = Json.MAPPER.createObjectNode();
        boolean everything = names.contains("All");
        for (String name : names) {
            if (!name.equals("All") && !all.containsKey(name) && !KNOWN_ATTRIBUTES.contains(name)) {
                throw SqsException.of(SqsException.Code.INVALID_ATTRIBUTE_NAME, "Unknown Attribute %s.", name);
            }
        }
        all.forEach((k, v) -> {
            if (everything || names.contains(k)) {
                attributes.put(k, v);
            }
        });
        ObjectNode out = Json.MAPPER.createObjectNode();
        if (!attributes.isEmpty()) {
            out.set("Attributes", attributes);
        }
        return out;
    }

    private static final Set<String> KNOWN_ATTRIBUTES = Set.of(
            "Policy",
            "VisibilityTimeout",
            "MaximumMessageSize",
            "MessageRetentionPeriod",
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "CreatedTimestamp",
            "LastModifiedTimestamp",
            "QueueArn",
            "ApproximateNumberOfMessagesDelayed",
            "DelaySeconds",
            "ReceiveMessageWaitTimeSeconds",
            "RedrivePolicy",
            "FifoQueue",
            "ContentBasedDeduplication",
            "KmsMasterKeyId",
            "KmsDataKeyReusePeriodSeconds",
            "DeduplicationScope",
            "FifoThroughputLimit",
            "RedriveAllowPolicy",
            "SqsManagedSseEnabled");

    private JsonNode sendMessage(ObjectNode in, SqsService.Request r) {
        QueueRef q = queue(in, r);
        Object outcome = queues.send(q, List.of(outgoing(in))).getFirst();
        if (outcome instanceof SqsException e) {
            throw e;
        }
        Queues.SendResult sent = (Queues.SendResult) outcome;
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("MD5OfMessageBody", sent.md5OfBody());
        if (sent.md5OfAttributes() != null) {
            out.put("MD5OfMessageAttributes", sent.md5OfAttributes());
        }
        out.put("MessageId", sent.messageId());
        if (sent.sequenceNumber() != null) {
            out.put("SequenceNumber", sent.sequenceNumber());
        }
        return out;
    }

    private JsonNode sendMessageBatch(ObjectNode in, SqsService.Request r) {
        QueueRef q = queue(in, r);
        List<JsonNode> entries = entries(in);
        int total = 0;
        List<Queues.Outgoing> outgoing = new ArrayList<>(entries.size());
        for (JsonNode e : entries) {
            Queues.Outgoing m = outgoing((ObjectNode) e);
            total += m.body() == null ? 0 : m.body().getBytes(StandardCharsets.UTF_8).length;
            outgoing.add(m);
        }
        if (total > QueueSettings.MAX_MESSAGE_SIZE) {
            throw SqsException.of(
                    SqsException.Code.BATCH_REQUEST_TOO_LONG,
                    "Batch requests cannot be longer than %d bytes. You have sent %d bytes.",
                    QueueSettings.MAX_MESSAGE_SIZE,
                    total);
        }
        List<Object> outcomes = queues.send(q, outgoing);
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode successful = out.putArray("Successful");
        ArrayNode failed = out.putArray("Failed");
        for (int i = 0; i < entries.size(); i++) {
            String id = entries.get(i).path("Id").asText();
            if (outcomes.get(i) instanceof Queues.SendResult sent) {
                ObjectNode s = successful.addObject();
                s.put("Id", id);
                s.put("MessageId", sent.messageId());
                s.put("MD5OfMessageBody", sent.md5OfBody());
                if (sent.md5OfAttributes() != null) {
                    s.put("MD5OfMessageAttributes", sent.md5OfAttributes());
                }
                if (sent.sequenceNumber() != null) {
                    s.put("SequenceNumber", sent.sequenceNumber());
                }
            } else {
                failed.add(failure(id, (SqsException) outcomes.get(i)));
            }
        }
        return out;
    }

    private static ObjectNode failure(String id, SqsException e) {
        ObjectNode f = Json.MAPPER.createObjectNode();
        f.put("Id", id);
        f.put("SenderFault", e.code().senderFault());
        f.put("Code", e.queryCode());
        f.put("Message", e.getMessage());
        return f;
    }

    private static Queues.Outgoing outgoing(ObjectNode in) {
        JsonNode attributes = in.get("MessageAttributes");
        return new Queues.Outgoing(
                text(in, "MessageBody", false),
                attributes != null && attributes.isObject() ? attributes : null,
                integer(in, "DelaySeconds", null, false),
                text(in, "MessageGroupId", false),
                text(in, "MessageDeduplicationId", false));
    }

    private JsonNode receiveMessage(ObjectNode in, SqsService.Request r) throws InterruptedException {
        QueueRef q = queue(in, r);
        Queues.Loaded loaded = queues.require(q.account(), q.name());
        int max = integer(in, "MaxNumberOfMessages", 1, false);
        if (max < 1 || max > MAX_BATCH) {
            throw SqsException.invalidParameter("MaxNumberOfMessages", max, "Must be between 1 and 10, if provided.");
        }
        int wait = integer(in, "WaitTimeSeconds", loaded.settings().integer("ReceiveMessageWaitTimeSeconds"), false);
        if (wait < 0 || wait > 20) {
            throw SqsException.invalidParameter("WaitTimeSeconds", wait, "Must be >= 0 and <= 20, if provided.");
        }
        Integer visibility = integer(in, "VisibilityTimeout", null, false);
        if (visibility != null && (visibility < 0 || visibility > 43_200)) {
            throw SqsException.invalidParameter(
                    "VisibilityTimeout", visibility, "Must be >= 0 and <= 43200, if provided.");
        }
        Set<String> system = new HashSet<>(list(in.get("AttributeNames")));
        system.addAll(list(in.get("MessageSystemAttributeNames")));
        List<String> wanted = list(in.get("MessageAttributeNames"));
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode messages = Json.MAPPER.createArrayNode();
        for (Queues.Message m : queues.receive(q, max, visibility, Duration.ofSeconds(wait))) {
            ObjectNode message = messages.addObject();
            message.put("MessageId", m.messageId());
            message.put("ReceiptHandle", m.receiptHandle());
            message.put("MD5OfBody", m.md5OfBody());
            message.put("Body", m.body());
            ObjectNode attributes = Json.MAPPER.createObjectNode();
            m.attributes().forEach((k, v) -> {
                if (system.contains("All") || system.contains(k)) {
                    attributes.put(k, v);
                }
            });
            if (!attributes.isEmpty()) {
                message.set("Attributes", attributes);
            }
            ObjectNode chosen = selectAttributes(m.messageAttributes(), wanted);
            if (!chosen.isEmpty()) {
                message.put("MD5OfMessageAttributes", MessageMd5.ofAttributes(chosen));
                message.set("MessageAttributes", chosen);
            }
        }
        if (!messages.isEmpty()) {
            out.set("Messages", messages);
        }
        return out;
    }

    /** The attributes named: {@code All} or {@code .*} for every one, {@code prefix.*} for a prefix, or exact names. */
    static ObjectNode selectAttributes(JsonNode attributes, List<String> names) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        if (attributes == null || names.isEmpty()) {
            return out;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = attributes.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            for (String n : names) {
                boolean match = n.equals("All")
                        || n.equals(".*")
                        || (n.endsWith(".*") && e.getKey().startsWith(n.substring(0, n.length() - 1)))
                        || n.equals(e.getKey());
                if (match) {
                    out.set(e.getKey(), e.getValue());
                    break;
                }
            }
        }
        return out;
    }

    private JsonNode deleteMessageBatch(ObjectNode in, SqsService.Request r) {
        QueueRef q = queue(in, r);
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode successful = out.putArray("Successful");
        ArrayNode failed = out.putArray("Failed");
        List<String> ids = new ArrayList<>();
        List<String> handles = new ArrayList<>();
        for (JsonNode e : entries(in)) {
            String id = e.path("Id").asText();
            try {
                String handle = text(e, "ReceiptHandle", true);
                ReceiptHandle.decode(q, handle);
                ids.add(id);
                handles.add(handle);
            } catch (SqsException x) {
                failed.add(failure(id, x));
            }
        }
        queues.deleteAll(q, handles); // one commit for the whole batch
        ids.forEach(id -> successful.addObject().put("Id", id));
        return out;
    }

    private JsonNode changeVisibilityBatch(ObjectNode in, SqsService.Request r) {
        QueueRef q = queue(in, r);
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode successful = out.putArray("Successful");
        ArrayNode failed = out.putArray("Failed");
        for (JsonNode e : entries(in)) {
            String id = e.path("Id").asText();
            try {
                ObjectNode entry = (ObjectNode) e;
                queues.changeVisibility(
                        q, text(entry, "ReceiptHandle", true), integer(entry, "VisibilityTimeout", null, true));
                successful.addObject().put("Id", id);
            } catch (SqsException x) {
                failed.add(failure(id, x));
            }
        }
        return out;
    }

    /** A batch's entries, checked as SQS checks them: 1–10, ids well-formed and distinct. */
    private static List<JsonNode> entries(ObjectNode in) {
        JsonNode entries = in.get("Entries");
        if (entries == null || !entries.isArray() || entries.isEmpty()) {
            throw SqsException.of(
                    SqsException.Code.EMPTY_BATCH_REQUEST, "There should be at least one entry in the request.");
        }
        if (entries.size() > MAX_BATCH) {
            throw SqsException.of(
                    SqsException.Code.TOO_MANY_ENTRIES,
                    "Maximum number of entries per request are 10. You have sent %d.",
                    entries.size());
        }
        Set<String> ids = new HashSet<>();
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : entries) {
            String id = e.path("Id").asText("");
            if (!BATCH_ID.matcher(id).matches()) {
                throw SqsException.of(
                        SqsException.Code.INVALID_BATCH_ENTRY_ID,
                        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
                                + "It can be at most 80 letters long.");
            }
            if (!ids.add(id)) {
                throw SqsException.of(SqsException.Code.BATCH_IDS_NOT_DISTINCT, "Id %s repeated.", id);
            }
            if (!e.isObject()) {
                throw SqsException.missing("Id");
            }
            out.add(e);
        }
        return out;
    }

    /** The queue a request's {@code QueueUrl} names: {@code …/<account>/<name>}, the caller's own. */
    private QueueRef queue(ObjectNode in, SqsService.Request r) {
        String url = text(in, "QueueUrl", true);
        String path = url.replaceFirst("^[a-zA-Z]+://[^/]*", "");
        String[] parts = path.split("/");
        if (parts.length < 3) {
            throw SqsException.of(SqsException.Code.INVALID_PARAMETER_VALUE, "Invalid QueueUrl: %s", url);
        }
        String account = parts[parts.length - 2];
        String name = parts[parts.length - 1];
        if (!account.equals(r.account())) {
            throw SqsException.noQueue();
        }
        return queues.require(account, name).ref();
    }

    private static String text(JsonNode in, String name, boolean required) {
        JsonNode v = in.get(name);
        if (v == null || v.isNull()) {
            if (required) {
                throw SqsException.missing(name);
            }
            return null;
        }
        return v.asText();
    }

    private static Integer integer(JsonNode in, String name, Integer otherwise, boolean required) {
        JsonNode v = in.get(name);
        if (v == null || v.isNull()) {
            if (required) {
                throw SqsException.missing(name);
            }
            return otherwise;
        }
        if (v.isIntegralNumber()) {
            return v.intValue();
        }
        try {
            return Integer.parseInt(v.asText().trim());
        } catch (NumberFormatException e) {
            throw SqsException.invalidParameter(name, v.asText(), "Must be an integer.");
        }
    }

    private static List<String> list(JsonNode v) {
        List<String> out = new ArrayList<>();
        if (v != null && v.isArray()) {
            v.forEach(s -> out.add(s.asText()));
        }
        return out;
    }

    private static Map<String, String> strings(JsonNode v) {
        Map<String, String> out = new LinkedHashMap<>();
        if (v != null && v.isObject()) {
            v.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }
}
