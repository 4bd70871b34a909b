package dev.spur.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the Kafka mapping tests share: the broker ({@link TestKafka}), topics, a producer, the consumer
 * group's committed offsets (AdminClient), and a Python function that appends every record of a batch
 * it finished to a file — after raising, {@code FAIL_TIMES} times per record, for records whose value
 * starts with {@code fail:} (counted in files under {@code FAIL_DIR}).
 */
final class KafkaFixture {
    static final String APP = """
            import base64, json, os

            def handler(event, context):
                fails = os.environ.get("FAIL_DIR")
                times = int(os.environ.get("FAIL_TIMES", "0"))
                lines = []
                for key, records in event["records"].items():
                    for r in records:
                        value = base64.b64decode(r["value"]).decode() if "value" in r else None
                        if fails and value is not None and value.startswith("fail:"):
                            marker = os.path.join(fails, "%s-%d-%d" % (r["topic"], r["partition"], r["offset"]))
                            n = int(open(marker).read()) if os.path.exists(marker) else 0
                            if n < times:
                                with open(marker, "w") as f:
                                    f.write(str(n + 1))
                                raise ValueError("injected failure %d of %s" % (n + 1, value))
                        lines.append(json.dumps({"p": r["partition"], "o": r["offset"], "v": value, "key": key,
                                                 "source": event["eventSource"],
                                                 "servers": event["bootstrapServers"], "record": r}))
                fd = os.open(os.environ["RECORD_FILE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
                os.write(fd, ("\\n".join(lines) + "\\n").encode())
                os.close(fd)
                return {"records": len(lines)}
            """;

    /** One record the function finished. */
    record Delivered(int partition, long offset, String value, JsonNode line) {}

    final String bootstrap;
    final Admin admin;

    KafkaFixture() {
        this(TestKafka.bootstrapServers());
    }

    KafkaFixture(String bootstrap) {
        this.bootstrap = bootstrap;
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        this.admin = Admin.create(p);
    }

    void createTopic(String topic, int partitions) throws ExecutionException, InterruptedException {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                .all()
                .get();
    }

    KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** Sends {@code value} to a partition and waits for the broker's acknowledgement. */
    static RecordMetadata send(
            KafkaProducer<byte[], byte[]> producer, String topic, int partition, String key, String value)
            throws ExecutionException, InterruptedException {
        return producer.send(new ProducerRecord<>(
                        topic, partition, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)))
                .get();
    }

    /** Sends many records and waits for every acknowledgement. */
    static void sendAll(KafkaProducer<byte[], byte[]> producer, List<ProducerRecord<byte[], byte[]>> records)
            throws ExecutionException, InterruptedException {
        List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
        for (ProducerRecord<byte[], byte[]> r : records) {
            acks.add(producer.send(r));
        }
        for (Future<RecordMetadata> ack : acks) {
            ack.get();
        }
    }

    /** The consumer group's committed offsets by partition (none before its first commit). */
    Map<Integer, Long> committed(String group) throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
        Map<Integer, Long> out = new TreeMap<>();
        offsets.forEach((tp, o) -> {
            if (o != null) {
                out.put(tp.partition(), o.offset());
            }
        });
        return out;
    }

    /** Every record the function finished, in the order it wrote them. */
    static List<Delivered> delivered(Path file) {
        List<Delivered> out = new ArrayList<>();
        for (JsonNode line : Recorder.lines(file)) {
            out.add(new Delivered(
                    line.get("p").asInt(),
                    line.get("o").asLong(),
                    line.path("v").asText(null),
                    line));
        }
        return out;
    }

    /** How many times each (partition, offset) was finished. */
    static Map<String, Integer> counts(List<Delivered> delivered) {
        Map<String, Integer> counts = new HashMap<>();
        delivered.forEach(d -> counts.merge(d.partition() + ":" + d.offset(), 1, Integer::sum));
        return counts;
    }

    /**
     * The committed offsets that pass a record the function has not finished: for each partition, an
     * offset below the committed one that is missing from {@code delivered} (read after the offsets).
     */
    static List<String> commitsPastUndelivered(Map<Integer, Long> committed, List<Delivered> delivered) {
        Map<Integer, Set<Long>> seen = new HashMap<>();
        delivered.forEach(
                d -> seen.computeIfAbsent(d.partition(), k -> new HashSet<>()).add(d.offset()));
        List<String> violations = new ArrayList<>();
        committed.forEach((partition, next) -> {
            Set<Long> mine = seen.getOrDefault(partition, Set.of());
            for (long o = 0; o < next; o++) {
                if (!mine.contains(o)) {
                    violations.add(
                            "partition " + partition + " committed " + next + " but offset " + o + " undelivered");
                    return;
                }
            }
        });
        return violations;
    }

    void close() {
        admin.close();
    }
}
