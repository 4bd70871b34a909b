package dev.spur.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import dev.spur.pools.PoolSettings;
import dev.spur.server.SpurServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
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
 * {@code spur bench --kafka <bootstrap>}: one self-managed Kafka mapping of a Spur in this JVM against the
 * broker given:
 * <ol>
 *   <li><b>records/s through one mapping</b>: {@value #RECORDS} records of 100 bytes produced first to a
 *       topic of three partitions, then a mapping (BatchSize 100, TRIM_HORIZON) to a Python no-op; from the
 *       mapping's creation until the consumer group has committed every partition's end (cold start
 *       included).</li>
 *   <li><b>produce → invoke</b>: one record at a time (acknowledged by the broker) to a one-partition topic
 *       whose mapping (BatchSize 1) feeds a Python function that writes {@code time.time_ns()} first; the
 *       latency is that time minus the wall time just before the send.</li>
 * </ol>
 */
public final class KafkaThroughput {
    static final int RECORDS = 20_000;
    private static final int LATENCY_SAMPLES = 200;

    private static final String STAMP = """
            import base64, os, time
            FD = os.open(os.environ["OUT"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            def handler(event, context):
                t = time.time_ns()
                for records in event["records"].values():
                    for r in records:
                        os.write(FD, (base64.b64decode(r["value"]).decode() + " " + str(t) + "\\n").encode())
                return {}
            """;
    private static final String NOOP = """
            def handler(event, context):
                return {}
            """;

    private KafkaThroughput() {}

    public record Result(double recordsPerSecond, double p50Millis, double p99Millis) {}

    public static Result measure(String bootstrap, PrintStream log) throws Exception {
        Path dir = Files.createTempDirectory("spur-bench-kafka-");
        SpurServer.Options options = SpurServer.Options.defaults(dir.resolve("data"))
                .withPort(0)
                .withPools(PoolSettings.defaults().withAccountConcurrency(1000));
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (SpurServer server = SpurServer.start(options);
                Admin kafka = Admin.create(admin);
                KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            URI endpoint = URI.create(server.endpoint());
            String run = UUID.randomUUID().toString().substring(0, 8);
            log.println("== " + RECORDS + " records through one mapping (BatchSize 100)");
            double rate = drain(endpoint, kafka, producer, bootstrap, "bench-drain-" + run);
            log.println("== produce → invoke (BatchSize 1)");
            double[] latency =
                    latency(endpoint, kafka, producer, bootstrap, "bench-latency-" + run, dir.resolve("stamps.txt"));
            return new Result(rate, latency[0], latency[1]);
        }
    }

    private static double drain(
            URI endpoint, Admin kafka, KafkaProducer<byte[], byte[]> producer, String bootstrap, String topic)
            throws Exception {
        kafka.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        byte[] value = "z".repeat(100).getBytes(StandardCharsets.UTF_8);
        List<Future<RecordMetadata>> acks = new ArrayList<>(RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            acks.add(producer.send(new ProducerRecord<>(topic, i % 3, null, value)));
        }
        for (Future<RecordMetadata> ack : acks) {
            ack.get();
        }
        createFunction(endpoint, topic + "-fn", NOOP, Map.of());
        long start = System.nanoTime();
        String group = createMapping(endpoint, bootstrap, topic, topic + "-fn", 100);
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed = kafka.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get();
            long done = 0;
            for (OffsetAndMetadata o : committed.values()) {
                done += o == null ? 0 : o.offset();
            }
            if (done >= RECORDS) {
                break;
            }
            Thread.sleep(20);
        }
        return RECORDS / ((System.nanoTime() - start) / 1e9);
    }

    private static double[] latency(
            URI endpoint,
            Admin kafka,
            KafkaProducer<byte[], byte[]> producer,
            String bootstrap,
            String topic,
            Path stamps)
            throws Exception {
        kafka.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        createFunction(endpoint, topic + "-fn", STAMP, Map.of("OUT", stamps.toString()));
        createMapping(endpoint, bootstrap, topic, topic + "-fn", 1);
        double[] samples = new double[LATENCY_SAMPLES];
        for (int i = -10; i < LATENCY_SAMPLES; i++) {
            String id = "r" + (i + 10);
            Instant sentAt = Instant.now();
            producer.send(new ProducerRecord<>(topic, 0, null, id.getBytes(StandardCharsets.UTF_8)))
                    .get();
            long ran = awaitStamp(stamps, id);
            if (i >= 0) {
                long sentNanos = sentAt.getEpochSecond() * 1_000_000_000L + sentAt.getNano();
                samples[i] = (ran - sentNanos) / 1e6;
            }
        }
        Arrays.sort(samples);
        return new double[] {samples[samples.length / 2], samples[(int) (samples.length * 0.99)]};
    }

    private static long awaitStamp(Path stamps, String id) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(stamps)) {
                List<String> lines = Files.readAllLines(stamps);
                for (int i = lines.size() - 1; i >= 0; i--) {
                    String[] parts = lines.get(i).split(" ");
                    if (parts.length == 2 && parts[0].equals(id)) {
                        return Long.parseLong(parts[1]);
                    }
                }
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("record " + id + " never reached the function");
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** Creates the mapping; answers its consumer group (its UUID). */
    private static String createMapping(URI endpoint, String bootstrap, String topic, String function, int batchSize)
            throws IOException {
        ObjectNode m = Json.MAPPER
                .createObjectNode()
                .put("FunctionName", function)
                .put("BatchSize", batchSize)
                .put("StartingPosition", "TRIM_HORIZON");
        m.putArray("Topics").add(topic);
        m.putObject("SelfManagedEventSource")
                .putObject("Endpoints")
                .putArray("KAFKA_BOOTSTRAP_SERVERS")
                .add(bootstrap);
        try (BenchClient client = new BenchClient(endpoint)) {
            BenchClient.Response r = client.send(
                    "POST",
                    "/2015-03-31/event-source-mappings",
                    Map.of("Content-Type", "application/json"),
                    m.toString().getBytes(StandardCharsets.UTF_8));
            if (r.status() != 202) {
                throw new IllegalStateException("cannot create the mapping: " + r.text());
            }
            return Json.MAPPER.readTree(r.body()).path("UUID").asText();
        }
    }

    public static String markdown(Result r, String bootstrap) {
        return String.format(
                Locale.ROOT,
                """
                One self-managed Kafka mapping (%s; broker %s).
                Records/s: %,d records of 100 B over 3 partitions, BatchSize 100, Python no-op, from the mapping's \
                creation until every offset is committed (cold start included). produce → invoke: BatchSize 1, \
                one acknowledged record at a time, Python function stamping time.time_ns() first.

                | records/s through one mapping | produce → invoke p50 | p99 |
                |---:|---:|---:|
                | %.0f | %.1f ms | %.1f ms |
                """,
                Machine.describe(),
                bootstrap,
                RECORDS,
                r.recordsPerSecond(),
                r.p50Millis(),
                r.p99Millis());
    }

    /** A Python function created over Lambda's REST API, as the SQS benchmark makes them. */
    private static void createFunction(URI endpoint, String name, String source, Map<String, String> env)
            throws IOException {
        ObjectNode fn = Json.MAPPER
                .createObjectNode()
                .put("FunctionName", name)
                .put("Runtime", "python3.12")
                .put("Handler", "app.handler")
                .put("Role", "arn:aws:iam::000000000000:role/bench")
                .put("Timeout", 30);
        fn.putObject("Code").put("ZipFile", Base64.getEncoder().encodeToString(Functions.zipOf("app.py", source)));
        ObjectNode variables = fn.putObject("Environment").putObject("Variables");
        env.forEach(variables::put);
        try (BenchClient client = new BenchClient(endpoint)) {
            BenchClient.Response r = client.send(
                    "POST",
                    "/2015-03-31/functions",
                    Map.of("Content-Type", "application/json"),
                    fn.toString().getBytes(StandardCharsets.UTF_8));
            if (r.status() != 201) {
                throw new IllegalStateException("cannot create " + name + ": " + r.text());
            }
        }
    }
}
