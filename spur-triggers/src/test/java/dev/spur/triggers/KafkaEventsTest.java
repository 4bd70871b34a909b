package dev.spur.triggers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The self-managed Kafka event against AWS's documented example, and FilterCriteria on its records. */
class KafkaEventsTest {
    static ConsumerRecord<byte[], byte[]> consumed(String key, String value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader("headerKey", "headerValue".getBytes(StandardCharsets.UTF_8)));
        return new ConsumerRecord<>(
                "mytopic",
                0,
                15,
                1545084650987L,
                TimestampType.CREATE_TIME,
                -1,
                -1,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8),
                headers,
                Optional.empty());
    }

    @Test
    void theEventHasAwssDocumentedShape() {
        ObjectNode record = KafkaEvents.record(consumed(null, "Hello, this is a test."));
        ObjectNode event = KafkaEvents.event("b-1:9092,b-2:9092", "mytopic", 0, List.of(record));
        assertThat(event.toString())
                .isEqualTo("{\"eventSource\":\"SelfManagedKafka\",\"bootstrapServers\":\"b-1:9092,b-2:9092\","
                        + "\"records\":{\"mytopic-0\":[{\"topic\":\"mytopic\",\"partition\":0,\"offset\":15,"
                        + "\"timestamp\":1545084650987,\"timestampType\":\"CREATE_TIME\","
                        + "\"value\":\"SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==\","
                        + "\"headers\":[{\"headerKey\":[104,101,97,100,101,114,86,97,108,117,101]}]}]}}");
    }

    @Test
    void aKeyIsBase64AndHeaderBytesAreUnsigned() {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>(
                "t",
                2,
                0,
                0L,
                TimestampType.LOG_APPEND_TIME,
                -1,
                -1,
                new byte[] {1, 2},
                null,
                new RecordHeaders(List.of(new RecordHeader("h", new byte[] {(byte) 0xff, 0}))),
                Optional.empty());
        ObjectNode record = KafkaEvents.record(r);
        assertThat(record.path("key").asText()).isEqualTo("AQI=");
        assertThat(record.has("value")).isFalse();
        assertThat(record.path("timestampType").asText()).isEqualTo("LOG_APPEND_TIME");
        assertThat(record.path("headers").toString()).isEqualTo("[{\"h\":[255,0]}]");
    }

    @Test
    void aFilterMatchesTheDecodedValueAsJsonOrAsText() {
        Filters json = Filters.of(List.of("{\"value\":{\"kind\":[\"order\"]}}"));
        assertThat(json.passesKafka(KafkaEvents.record(consumed("k", "{\"kind\":\"order\"}"))))
                .isTrue();
        assertThat(json.passesKafka(KafkaEvents.record(consumed("k", "{\"kind\":\"refund\"}"))))
                .isFalse();
        assertThat(json.passesKafka(KafkaEvents.record(consumed("k", "order")))).isFalse();
        Filters text = Filters.of(List.of("{\"value\":[{\"prefix\":\"ping\"}]}"));
        assertThat(text.passesKafka(KafkaEvents.record(consumed("k", "ping 1"))))
                .isTrue();
        assertThat(text.passesKafka(KafkaEvents.record(consumed("k", null)))).isFalse();
        assertThat(Filters.of(List.of()).passesKafka(KafkaEvents.record(consumed("k", null))))
                .isTrue();
    }
}
