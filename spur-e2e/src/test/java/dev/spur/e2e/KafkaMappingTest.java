package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.TestKafka;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Self-managed Kafka event-source mappings against a real broker ({@link TestKafka}): the AWS CLI v2
 * creates them, kafka-clients produce, a Python function records what it finished. 10,000 records over
 * three partitions arrive without loss and in order per partition while the function fails on some of
 * them; the consumer group's committed offsets, sampled throughout, never pass a record the function did
 * not finish; a disabled mapping delivers nothing; a filter drops what it should; a batch that keeps
 * failing goes to the on-failure queue after MaximumRetryAttempts; bad requests are refused.
 */
@SpurTest
class KafkaMappingTest {
    static Spur spur;
    static KafkaFixture kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void broker() {
        kafka = new KafkaFixture();
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    private AwsCli.Result aws(String... args) throws Exception {
        return new AwsCli(spur.endpoint(), dir, Map.of()).aws(args);
    }

    /** Deploys the recording function; records whose value starts with "fail:" fail {@code failTimes} times. */
    private String deploy(Path record, int failTimes) throws Exception {
        Path fails = Files.createDirectories(dir.resolve("fails"));
        String name = Spur.uniqueName("kafka-fn");
        spur.create(
                name,
                FunctionPackage.python(KafkaFixture.APP),
                b -> b.timeout(30)
                        .environment(e -> e.variables(Map.of(
                                "RECORD_FILE",
                                record.toString(),
                                "FAIL_DIR",
                                fails.toString(),
                                "FAIL_TIMES",
                                Integer.toString(failTimes)))));
        return name;
    }

    private JsonNode createMapping(String function, String topic, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "lambda",
                "create-event-source-mapping",
                "--function-name",
                function,
                "--self-managed-event-source",
                "{\"Endpoints\":{\"KAFKA_BOOTSTRAP_SERVERS\":[\"" + kafka.bootstrap + "\"]}}",
                "--topics",
                topic,
                "--starting-position",
                "TRIM_HORIZON"));
        args.addAll(List.of(more));
        return aws(args.toArray(String[]::new)).json();
    }

    @Test
    @Timeout(300)
    void tenThousandRecordsOverThreePartitionsArriveInOrderAndCommitsNeverPassAnUndeliveredRecord() throws Exception {
        String topic = Spur.uniqueName("orders");
        kafka.createTopic(topic, 3);
        Path record = dir.resolve("record.jsonl");
        String function = deploy(record, 2);
        JsonNode mapping = createMapping(function, topic, "--batch-size", "100");
        assertThat(mapping.path("State").asText()).isEqualTo("Creating");
        assertThat(mapping.has("EventSourceArn")).isFalse();
        assertThat(mapping.path("Topics").get(0).asText()).isEqualTo(topic);
        assertThat(mapping.path("StartingPosition").asText()).isEqualTo("TRIM_HORIZON");
        assertThat(mapping.path("SelfManagedEventSource")
                        .path("Endpoints")
                        .path("KAFKA_BOOTSTRAP_SERVERS")
                        .get(0)
                        .asText())
                .isEqualTo(kafka.bootstrap);
        String uuid = mapping.path("UUID").asText();
        assertThat(mapping.path("SelfManagedKafkaEventSourceConfig")
                        .path("ConsumerGroupId")
                        .asText())
                .as("the consumer group defaults to the mapping's UUID")
                .isEqualTo(uuid);
        assertThat(aws("lambda", "get-event-source-mapping", "--uuid", uuid)
                        .json()
                        .path("State")
                        .asText())
                .isEqualTo("Enabled");

        // the sampler: committed offsets first, then what the function finished — a commit never leads
        List<String> violations = new CopyOnWriteArrayList<>();
        int[] samples = {0};
        Thread sampler = Thread.ofPlatform().name("offset-sampler").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Map<Integer, Long> committed = kafka.committed(uuid);
                    violations.addAll(KafkaFixture.commitsPastUndelivered(committed, KafkaFixture.delivered(record)));
                    samples[0]++;
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    violations.add("sampler: " + e);
                }
            }
        });

        int total = 10_000;
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(total);
            for (int i = 0; i < total; i++) {
                int partition = i % 3;
                String value = (i % 997 == 5 ? "fail:" : "v:") + partition + ":" + (i / 3);
                records.add(new ProducerRecord<>(
                        topic,
                        partition,
                        ("k" + i).getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8)));
            }
            KafkaFixture.sendAll(producer, records);
        }
        Map<Integer, Long> ends = Map.of(0, 3334L, 1, 3333L, 2, 3333L);
        Await.await(
                "every record committed",
                Duration.ofSeconds(240),
                () -> {
                    try {
                        return kafka.committed(uuid);
                    } catch (Exception e) {
                        return Map.<Integer, Long>of();
                    }
                },
                ends::equals);
        long elapsed = System.nanoTime() - started;
        sampler.interrupt();
        sampler.join();

        List<KafkaFixture.Delivered> delivered = KafkaFixture.delivered(record);
        Map<String, Integer> counts = KafkaFixture.counts(delivered);
        long duplicates = counts.values().stream().filter(n -> n > 1).count();
        System.out.printf(
                Locale.ROOT,
                "KAFKA-MAPPING records=%d delivered=%d distinct=%d duplicates=%d offsetSamples=%d seconds=%.1f "
                        + "brokerStartMs=%d%n",
                total,
                delivered.size(),
                counts.size(),
                duplicates,
                samples[0],
                elapsed / 1e9,
                TestKafka.startMillis());
        assertThat(counts).as("every record finished, none lost").hasSize(total);
        assertThat(duplicates)
                .as("no failure in this run redelivers a finished record")
                .isZero();
        assertThat(violations).as("commits that passed an unfinished record").isEmpty();
        assertThat(samples[0]).isPositive();
        Map<Integer, Long> last = new HashMap<>();
        Map<Integer, Long> lastSequence = new HashMap<>();
        for (KafkaFixture.Delivered d : delivered) {
            assertThat(d.offset())
                    .as("order of partition %d", d.partition())
                    .isGreaterThan(last.getOrDefault(d.partition(), -1L));
            last.put(d.partition(), d.offset());
            String[] parts = d.value().split(":");
            assertThat(Integer.parseInt(parts[1])).isEqualTo(d.partition());
            long sequence = Long.parseLong(parts[2]);
            assertThat(sequence).isGreaterThan(lastSequence.getOrDefault(d.partition(), -1L));
            lastSequence.put(d.partition(), sequence);
        }
        long poisoned =
                delivered.stream().filter(d -> d.value().startsWith("fail:")).count();
        assertThat(poisoned).as("records that failed twice, then succeeded").isEqualTo(11);
        assertThat(Files.list(dir.resolve("fails")).count()).isEqualTo(11);
    }

    @Test
    @Timeout(120)
    void theEventIsLambdasSelfManagedKafkaShape() throws Exception {
        String topic = Spur.uniqueName("shape");
        kafka.createTopic(topic, 1);
        Path record = dir.resolve("record.jsonl");
        String function = deploy(record, 0);
        createMapping(function, topic);
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(
                    topic, 0, "key-1".getBytes(StandardCharsets.UTF_8), "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
            r.headers().add(new RecordHeader("headerKey", "headerValue".getBytes(StandardCharsets.UTF_8)));
            producer.send(r).get();
        }
        JsonNode line = Await.await(
                        "the record", Duration.ofSeconds(60), () -> KafkaFixture.delivered(record), l -> !l.isEmpty())
                .getFirst()
                .line();
        assertThat(line.path("source").asText()).isEqualTo("SelfManagedKafka");
        assertThat(line.path("servers").asText()).isEqualTo(kafka.bootstrap);
        assertThat(line.path("key").asText()).isEqualTo(topic + "-0");
        JsonNode r = line.path("record");
        assertThat(r.path("topic").asText()).isEqualTo(topic);
        assertThat(r.path("partition").isInt()).isTrue();
        assertThat(r.path("offset").asLong()).isZero();
        assertThat(r.path("timestamp").asLong()).isPositive();
        assertThat(r.path("timestampType").asText()).isEqualTo("CREATE_TIME");
        assertThat(r.path("key").asText()).isEqualTo("a2V5LTE=");
        assertThat(r.path("value").asText()).isEqualTo("eyJhIjoxfQ==");
        assertThat(r.path("headers").toString())
                .isEqualTo("[{\"headerKey\":[104,101,97,100,101,114,86,97,108,117,101]}]");
    }

    @Test
    @Timeout(120)
    void aDisabledMappingDeliversNothingUntilEnabled() throws Exception {
        String topic = Spur.uniqueName("disabled");
        kafka.createTopic(topic, 1);
        Path record = dir.resolve("record.jsonl");
        String function = deploy(record, 0);
        JsonNode mapping = createMapping(function, topic, "--no-enabled");
        String uuid = mapping.path("UUID").asText();
        assertThat(aws("lambda", "get-event-source-mapping", "--uuid", uuid)
                        .json()
                        .path("State")
                        .asText())
                .isEqualTo("Disabled");
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (int i = 0; i < 20; i++) {
                KafkaFixture.send(producer, topic, 0, "k", "v:" + i);
            }
        }
        Thread.sleep(3_000); // a disabled mapping has no consumer: nothing may arrive, and nothing is committed
        assertThat(KafkaFixture.delivered(record)).isEmpty();
        assertThat(kafka.committed(uuid)).isEmpty();
        aws("lambda", "update-event-source-mapping", "--uuid", uuid, "--enabled");
        Await.await(
                "the records after enabling",
                Duration.ofSeconds(60),
                () -> KafkaFixture.delivered(record),
                l -> l.size() == 20);
    }

    @Test
    @Timeout(120)
    void aFilterDropsWhatItShouldAndCommitsPastIt() throws Exception {
        String topic = Spur.uniqueName("filtered");
        kafka.createTopic(topic, 1);
        Path record = dir.resolve("record.jsonl");
        String function = deploy(record, 0);
        String uuid = createMapping(
                        function,
                        topic,
                        "--filter-criteria",
                        "{\"Filters\":[{\"Pattern\":\"{\\\"value\\\":{\\\"keep\\\":[true]}}\"}]}")
                .path("UUID")
                .asText();
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (int i = 0; i < 30; i++) {
                String value = switch (i % 3) {
                    case 0 -> "{\"keep\":true,\"i\":" + i + "}";
                    case 1 -> "{\"keep\":false,\"i\":" + i + "}";
                    default -> "keep plain text " + i;
                };
                KafkaFixture.send(producer, topic, 0, "k", value);
            }
        }
        Await.await(
                "all 30 committed",
                Duration.ofSeconds(60),
                () -> {
                    try {
                        return kafka.committed(uuid);
                    } catch (Exception e) {
                        return Map.<Integer, Long>of();
                    }
                },
                c -> Long.valueOf(30).equals(c.get(0)));
        List<KafkaFixture.Delivered> delivered = KafkaFixture.delivered(record);
        assertThat(delivered).hasSize(10);
        assertThat(delivered).allSatisfy(d -> assertThat(d.value()).contains("\"keep\":true"));
    }

    @Test
    @Timeout(120)
    void aBatchFailingPastMaximumRetryAttemptsGoesToTheOnFailureQueueAndThePartitionMovesOn() throws Exception {
        String topic = Spur.uniqueName("poison");
        kafka.createTopic(topic, 1);
        Path record = dir.resolve("record.jsonl");
        String function = deploy(record, 1_000);
        try (SqsClient sqs = SqsClient.builder()
                .endpointOverride(URI.create(spur.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("spur", "spur")))
                .build()) {
            String queue = Spur.uniqueName("kafka-dlq");
            String url = sqs.createQueue(b -> b.queueName(queue)).queueUrl();
            String arn = "arn:aws:sqs:us-east-1:000000000000:" + queue;
            String uuid = createMapping(
                            function,
                            topic,
                            "--batch-size",
                            "1",
                            "--maximum-retry-attempts",
                            "2",
                            "--destination-config",
                            "{\"OnFailure\":{\"Destination\":\"" + arn + "\"}}")
                    .path("UUID")
                    .asText();
            try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
                KafkaFixture.send(producer, topic, 0, "k", "v:before");
                KafkaFixture.send(producer, topic, 0, "k", "fail:always");
                KafkaFixture.send(producer, topic, 0, "k", "v:after");
            }
            List<Message> got = Await.await(
                    "the failure record",
                    Duration.ofSeconds(60),
                    () -> sqs.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(1))
                            .messages(),
                    m -> !m.isEmpty());
            JsonNode failure = Json.MAPPER.readTree(got.getFirst().body());
            assertThat(failure.path("requestContext").path("condition").asText())
                    .isEqualTo("RetryAttemptsExhausted");
            assertThat(failure.path("requestContext")
                            .path("approximateInvokeCount")
                            .asInt())
                    .isEqualTo(3);
            JsonNode info = failure.path("KafkaBatchInfo");
            assertThat(info.path("topic").asText()).isEqualTo(topic);
            assertThat(info.path("firstOffset").asLong()).isEqualTo(1);
            assertThat(info.path("lastOffset").asLong()).isEqualTo(1);
            Await.await(
                    "the record after the poison one",
                    Duration.ofSeconds(60),
                    () -> KafkaFixture.delivered(record).stream()
                            .map(KafkaFixture.Delivered::value)
                            .toList(),
                    l -> l.equals(List.of("v:before", "v:after")));
            Await.await(
                    "the offset past all three",
                    Duration.ofSeconds(30),
                    () -> {
                        try {
                            return kafka.committed(uuid);
                        } catch (Exception e) {
                            return Map.<Integer, Long>of();
                        }
                    },
                    c -> Long.valueOf(3).equals(c.get(0)));
        }
    }

    @Test
    void badKafkaMappingsAreRefusedWithLambdasErrorShape() throws Exception {
        String function = deploy(dir.resolve("unused.jsonl"), 0);
        String servers = "{\"Endpoints\":{\"KAFKA_BOOTSTRAP_SERVERS\":[\"" + kafka.bootstrap + "\"]}}";
        AwsCli.Result twoTopics = aws(
                "lambda",
                "create-event-source-mapping",
                "--function-name",
                function,
                "--self-managed-event-source",
                servers,
                "--topics",
                "a",
                "b",
                "--starting-position",
                "LATEST");
        assertThat(twoTopics.exit()).isNotZero();
        assertThat(twoTopics.err()).contains("InvalidParameterValueException").contains("exactly one topic");
        AwsCli.Result timestamp = aws(
                "lambda",
                "create-event-source-mapping",
                "--function-name",
                function,
                "--self-managed-event-source",
                servers,
                "--topics",
                "a",
                "--starting-position",
                "AT_TIMESTAMP",
                "--starting-position-timestamp",
                "2026-01-01T00:00:00Z");
        assertThat(timestamp.exit()).isNotZero();
        assertThat(timestamp.err()).contains("TRIM_HORIZON or LATEST");
        AwsCli.Result batch = aws(
                "lambda",
                "create-event-source-mapping",
                "--function-name",
                function,
                "--self-managed-event-source",
                "{\"Endpoints\":{\"KAFKA_BOOTSTRAP_SERVERS\":[\"not a server\"]}}",
                "--topics",
                "a",
                "--starting-position",
                "LATEST");
        assertThat(batch.exit()).isNotZero();
        assertThat(batch.err()).contains("expected host:port");
        AwsCli.Result destination = aws(
                "lambda",
                "create-event-source-mapping",
                "--function-name",
                function,
                "--self-managed-event-source",
                servers,
                "--topics",
                "a",
                "--starting-position",
                "LATEST",
                "--destination-config",
                "{\"OnFailure\":{\"Destination\":\"arn:aws:sns:us-east-1:000000000000:t\"}}");
        assertThat(destination.exit()).isNotZero();
        assertThat(destination.err()).contains("only to its own SQS queues");
        assertThat(aws("lambda", "list-event-source-mappings", "--function-name", function)
                        .json()
                        .path("EventSourceMappings")
                        .size())
                .as("nothing half-made stays behind")
                .isZero();
    }
}
