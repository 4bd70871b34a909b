package dev.spur.triggers;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Lambda's self-managed Kafka event, as AWS documents it: {@code eventSource} {@code SelfManagedKafka},
 * {@code bootstrapServers} (comma-separated), {@code records} keyed {@code <topic>-<partition>}; each record
 * with topic, partition, offset, timestamp, timestampType, key and value in base64 (absent when null), and
 * headers as a list of one-entry objects whose value is the header's bytes as numbers 0–255.
 */
final class KafkaEvents {
    private KafkaEvents() {}

    static ObjectNode event(String bootstrapServers, String topic, int partition, List<ObjectNode> records) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.put("eventSource", "SelfManagedKafka");
        event.put("bootstrapServers", bootstrapServers);
        event.putObject("records").putArray(topic + "-" + partition).addAll(records);
        return event;
    }

    /** One record: key and value base64 (absent when null), headers as arrays of byte values. */
    static ObjectNode record(ConsumerRecord<byte[], byte[]> r) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("topic", r.topic());
        out.put("partition", r.partition());
        out.put("offset", r.offset());
        out.put("timestamp", r.timestamp());
        out.put("timestampType", r.timestampType().name());
        if (r.key() != null) {
            out.put("key", Base64.getEncoder().encodeToString(r.key()));
        }
        if (r.value() != null) {
            out.put("value", Base64.getEncoder().encodeToString(r.value()));
        }
        ArrayNode headers = out.putArray("headers");
        for (Header h : r.headers()) {
            ArrayNode bytes = headers.addObject().putArray(h.key());
            if (h.value() != null) {
                for (byte b : h.value()) {
                    bytes.add(b & 0xff);
                }
            }
        }
        return out;
    }
}
