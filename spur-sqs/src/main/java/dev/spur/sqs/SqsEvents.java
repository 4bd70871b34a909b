package dev.spur.sqs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The event Lambda hands a function for SQS messages, as AWS documents it: {@code Records[]} with
 * {@code messageId}, {@code receiptHandle}, {@code body}, {@code attributes} (the system attributes),
 * {@code messageAttributes} (each with {@code stringValue}/{@code binaryValue},
 * {@code stringListValues}, {@code binaryListValues} and {@code dataType}), {@code md5OfBody}
 * (and {@code md5OfMessageAttributes} when there are attributes), {@code eventSource} {@code aws:sqs},
 * {@code eventSourceARN} and {@code awsRegion}.
 */
public final class SqsEvents {
    private SqsEvents() {}

    public static ObjectNode event(QueueRef queue, List<Queues.Message> messages) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Queues.Message m : messages) {
            records.add(record(queue, m));
        }
        return event;
    }

    public static ObjectNode record(QueueRef queue, Queues.Message m) {
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("messageId", m.messageId());
        r.put("receiptHandle", m.receiptHandle());
        r.put("body", m.body());
        ObjectNode attributes = r.putObject("attributes");
        for (Map.Entry<String, String> a : m.attributes().entrySet()) {
            attributes.put(a.getKey(), a.getValue());
        }
        ObjectNode messageAttributes = r.putObject("messageAttributes");
        if (m.messageAttributes() != null) {
            Iterator<Map.Entry<String, JsonNode>> fields =
                    m.messageAttributes().properties().iterator();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                JsonNode v = e.getValue();
                ObjectNode a = messageAttributes.putObject(e.getKey());
                if (v.hasNonNull("StringValue")) {
                    a.put("stringValue", v.get("StringValue").asText());
                }
                if (v.hasNonNull("BinaryValue")) {
                    a.put("binaryValue", v.get("BinaryValue").asText());
                }
                a.putArray("stringListValues");
                a.putArray("binaryListValues");
                a.put("dataType", v.path("DataType").asText());
            }
        }
        r.put("md5OfBody", m.md5OfBody());
        if (m.md5OfMessageAttributes() != null) {
            r.put("md5OfMessageAttributes", m.md5OfMessageAttributes());
        }
        r.put("eventSource", "aws:sqs");
        r.put("eventSourceARN", queue.arn());
        r.put("awsRegion", queue.region());
        return r;
    }
}
