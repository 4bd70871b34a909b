package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.testing.Await;
import dev.spur.testing.Directories;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * A Kafka mapping across a {@code kill -9} of the Spur process: 10,000 records over three partitions,
 * the process killed once the function has finished 3,000 of them and restarted on the same data
 * directory. The restarted mapping resumes from the consumer group's committed offsets: no record is
 * lost, each partition's records arrive in order (a replay after the kill starts at the committed offset),
 * and the duplicates are at most the one batch that was in flight (the poller has one batch at a time).
 */
class KafkaCrashTest {
    private static final int RECORDS = 10_000;
    private static final int BATCH = 100;
    private static final int KILL_AFTER = 3_000;

    @Test
    @Timeout(300)
    void noRecordIsLostAndDuplicatesStayWithinTheBatchInFlightAcrossAKill9() throws Exception {
        KafkaFixture kafka = new KafkaFixture();
        Path work = Files.createTempDirectory("spur-kafka-crash-");
        Path data = work.resolve("data");
        Path log = work.resolve("server.log");
        Path record = work.resolve("record.jsonl");
        String topic = Spur.uniqueName("crash");
        kafka.createTopic(topic, 3);
        ServerProcess server = ServerProcess.start(data, 4, log);
        try {
            String endpoint = "http://127.0.0.1:" + server.port();
            String function;
            try (LambdaClient lambda = Spur.client(endpoint, "spur", "spur")) {
                function = Spur.deploy(
                        lambda,
                        "kafka-crash",
                        FunctionPackage.python(KafkaFixture.APP),
                        b -> b.timeout(30).environment(e -> e.variables(Map.of("RECORD_FILE", record.toString()))));
            }
            String uuid = new AwsCli(endpoint, work, Map.of())
                    .aws(
                            "lambda",
                            "create-event-source-mapping",
                            "--function-name",
                            function,
                            "--self-managed-event-source",
                            "{\"Endpoints\":{\"KAFKA_BOOTSTRAP_SERVERS\":[\"" + kafka.bootstrap + "\"]}}",
                            "--topics",
                            topic,
                            "--starting-position",
                            "TRIM_HORIZON",
                            "--batch-size",
                            Integer.toString(BATCH))
                    .json()
                    .path("UUID")
                    .asText();
            try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
                List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(RECORDS);
                for (int i = 0; i < RECORDS; i++) {
                    records.add(new ProducerRecord<>(
                            topic,
                            i % 3,
                            ("k" + i).getBytes(StandardCharsets.UTF_8),
                            ("v:" + (i % 3) + ":" + (i / 3)).getBytes(StandardCharsets.UTF_8)));
                }
                KafkaFixture.sendAll(producer, records);
            }
            Await.await(
                    KILL_AFTER + " records finished",
                    Duration.ofSeconds(120),
                    () -> KafkaFixture.delivered(record).size(),
                    n -> n >= KILL_AFTER);
            server.kill9();
            int atKill = KafkaFixture.delivered(record).size();
            Map<Integer, Long> committedAtKill = kafka.committed(uuid);
            server = ServerProcess.start(data, 4, log);
            Map<Integer, Long> ends = Map.of(0, 3334L, 1, 3333L, 2, 3333L);
            Await.await(
                    "every record committed after the restart",
                    Duration.ofSeconds(180),
                    () -> {
                        try {
                            return kafka.committed(uuid);
                        } catch (Exception e) {
                            return Map.<Integer, Long>of();
                        }
                    },
                    ends::equals);

            List<KafkaFixture.Delivered> delivered = KafkaFixture.delivered(record);
            Map<String, Integer> counts = KafkaFixture.counts(delivered);
            long duplicates = counts.values().stream().mapToLong(n -> n - 1).sum();
            System.out.printf(
                    Locale.ROOT,
                    "KAFKA-CRASH records=%d finishedAtKill=%d committedAtKill=%s delivered=%d distinct=%d lost=%d "
                            + "duplicates=%d (batch size %d)%n",
                    RECORDS,
                    atKill,
                    committedAtKill,
                    delivered.size(),
                    counts.size(),
                    RECORDS - counts.size(),
                    duplicates,
                    BATCH);
            assertThat(counts).as("every record finished, none lost").hasSize(RECORDS);
            assertThat(duplicates)
                    .as("duplicates: at most the one batch in flight at the kill")
                    .isLessThanOrEqualTo(BATCH);
            // order per partition: first deliveries in increasing offset order; a replay starts at the
            // committed offset and goes forward again
            Map<Integer, Long> last = new HashMap<>();
            Set<String> seen = new HashSet<>();
            for (KafkaFixture.Delivered d : delivered) {
                if (seen.add(d.partition() + ":" + d.offset())) {
                    assertThat(d.offset())
                            .as("first deliveries of partition %d in order", d.partition())
                            .isEqualTo(last.getOrDefault(d.partition(), -1L) + 1);
                    last.put(d.partition(), d.offset());
                }
            }
        } catch (Throwable t) {
            System.err.println("The Spur processes' output (" + log + "):");
            List<String> output = Files.readAllLines(log);
            output.subList(Math.max(0, output.size() - 60), output.size()).forEach(System.err::println);
            throw t;
        } finally {
            server.close();
            kafka.close();
            Directories.deleteTree(work);
        }
    }
}
