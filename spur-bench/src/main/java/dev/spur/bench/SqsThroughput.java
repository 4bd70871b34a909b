package dev.spur.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.OperatingSystemMXBean;
import dev.spur.common.Json;
import dev.spur.pools.PoolSettings;
import dev.spur.server.SpurServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code spur bench --sqs}: Spur's SQS-compatible queues and an event-source mapping, in this JVM, on the
 * embedded SQLite queue (and, given a URL, on PostgreSQL):
 * <ol>
 *   <li><b>SendMessageBatch accepted/s</b>: {@value #CLIENTS} clients sending batches of ten 100-byte
 *       messages over SQS's JSON protocol for the run's seconds; every 200 is answered after the batch is
 *       committed and fsynced.</li>
 *   <li><b>send → invoke</b>: one message at a time to a queue whose mapping (BatchSize 1) feeds a Python
 *       function that writes {@code time.time_ns()} as its first act; the latency is that time minus the
 *       wall time just before the send (same machine, same clock).</li>
 *   <li><b>messages/s through one mapping</b>: a queue filled with {@value #DRAIN_MESSAGES} messages, then a
 *       mapping with BatchSize 10 and MaximumConcurrency 10 to a Python no-op; from the mapping's creation
 *       until the queue is empty (cold starts included).</li>
 * </ol>
 */
public final class SqsThroughput {
    static final int CLIENTS = 16;
    static final int DRAIN_MESSAGES = 20_000;
    private static final int LATENCY_SAMPLES = 200;
    private static final String JSON = "application/x-amz-json-1.0";

    private static final String STAMP = """
            import os, time
            FD = os.open(os.environ["OUT"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            def handler(event, context):
                t = time.time_ns()
                for r in event["Records"]:
                    os.write(FD, (r["body"] + " " + str(t) + "\\n").encode())
                return {}
            """;
    private static final String NOOP = """
            def handler(event, context):
                return {}
            """;

    private SqsThroughput() {}

    public record Result(
            String store,
            double sendPerSecond,
            double serverCpuMicrosPerMessage,
            double p50Millis,
            double p99Millis,
            double drainPerSecond) {}

    /** Measures on SQLite, then on PostgreSQL at {@code databaseUrl} if given. */
    public static List<Result> measure(Optional<String> databaseUrl, double seconds, PrintStream log) throws Exception {
        List<Result> out = new ArrayList<>();
        out.add(once("SQLite (embedded)", Optional.empty(), seconds, log));
        if (databaseUrl.isPresent()) {
            out.add(once("PostgreSQL (shared)", databaseUrl, seconds, log));
        }
        return out;
    }

    private static Result once(String store, Optional<String> database, double seconds, PrintStream log)
            throws Exception {
        Path dir = Files.createTempDirectory("spur-bench-sqs-");
        SpurServer.Options options = SpurServer.Options.defaults(dir.resolve("data"))
                .withPort(0)
                .withPools(PoolSettings.defaults().withAccountConcurrency(1000))
                .withDatabase(database);
        try (SpurServer server = SpurServer.start(options)) {
            URI endpoint = URI.create(server.endpoint());
            log.println("== " + store + ": SendMessageBatch for " + seconds + " s");
            double[] send = sendRate(endpoint, seconds);
            log.println("== " + store + ": send → invoke");
            double[] latency = latency(endpoint, dir.resolve("stamps.txt"));
            log.println("== " + store + ": " + DRAIN_MESSAGES + " messages through one mapping");
            double drain = drain(endpoint);
            return new Result(store, send[0], send[1], latency[0], latency[1], drain);
        }
    }

    private static double[] sendRate(URI endpoint, double seconds) throws Exception {
        String url = createQueue(endpoint, "bench-send");
        AtomicLong sent = new AtomicLong();
        String body = "x".repeat(100);
        long cpuBefore = processCpuNanos();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (BenchClient client = new BenchClient(endpoint)) {
                    byte[] batch = batch(url, body);
                    while (System.nanoTime() < end) {
                        BenchClient.Response r = sqs(client, "SendMessageBatch", batch);
                        if (r.status() == 200) {
                            sent.addAndGet(10);
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double cpu = (processCpuNanos() - cpuBefore) / 1e3 / sent.get();
        return new double[] {sent.get() / elapsed, cpu};
    }

    private static double[] latency(URI endpoint, Path stamps) throws Exception {
        String url = createQueue(endpoint, "bench-latency");
        createFunction(endpoint, "bench-stamp", STAMP, Map.of("OUT", stamps.toString()));
        createMapping(endpoint, "bench-latency", "bench-stamp", 1, 0);
        double[] samples = new double[LATENCY_SAMPLES];
        try (BenchClient client = new BenchClient(endpoint)) {
            for (int i = -10; i < LATENCY_SAMPLES; i++) {
                String id = "m" + (i + 10);
                Instant sentAt = Instant.now();
                sqs(client, "SendMessage", Json.MAPPER.writeValueAsBytes(Map.of("QueueUrl", url, "MessageBody", id)));
                long ran = awaitStamp(stamps, id);
                if (i >= 0) {
                    long sentNanos = sentAt.getEpochSecond() * 1_000_000_000L + sentAt.getNano();
                    samples[i] = (ran - sentNanos) / 1e6;
                }
            }
        }
        Arrays.sort(samples);
        return new double[] {samples[samples.length / 2], samples[(int) (samples.length * 0.99)]};
    }

    static long awaitStamp(Path stamps, String id) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
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
        throw new IllegalStateException("message " + id + " never reached the function");
    }

    private static double drain(URI endpoint) throws Exception {
        String url = createQueue(endpoint, "bench-drain");
        String body = "y".repeat(100);
        try (BenchClient client = new BenchClient(endpoint)) {
            byte[] batch = batch(url, body);
            for (int i = 0; i < DRAIN_MESSAGES / 10; i++) {
                sqs(client, "SendMessageBatch", batch);
            }
        }
        createFunction(endpoint, "bench-noop", NOOP, Map.of());
        long start = System.nanoTime();
        createMapping(endpoint, "bench-drain", "bench-noop", 10, 10);
        try (BenchClient client = new BenchClient(endpoint)) {
            while (true) {
                JsonNode a = Json.MAPPER
                        .readTree(sqs(
                                        client,
                                        "GetQueueAttributes",
                                        Json.MAPPER.writeValueAsBytes(
                                                Map.of("QueueUrl", url, "AttributeNames", List.of("All"))))
                                .body())
                        .path("Attributes");
                if (a.path("ApproximateNumberOfMessages").asLong() == 0
                        && a.path("ApproximateNumberOfMessagesNotVisible").asLong() == 0) {
                    break;
                }
                Thread.sleep(20);
            }
        }
        return DRAIN_MESSAGES / ((System.nanoTime() - start) / 1e9);
    }

    private static byte[] batch(String url, String body) {
        ObjectNode request = Json.MAPPER.createObjectNode().put("QueueUrl", url);
        ArrayNode entries = request.putArray("Entries");
        for (int i = 0; i < 10; i++) {
            entries.addObject().put("Id", "e" + i).put("MessageBody", body);
        }
        return request.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static BenchClient.Response sqs(BenchClient client, String operation, byte[] body) throws IOException {
        return client.send("POST", "/", Map.of("X-Amz-Target", "AmazonSQS." + operation, "Content-Type", JSON), body);
    }

    private static String createQueue(URI endpoint, String name) throws IOException {
        try (BenchClient client = new BenchClient(endpoint)) {
            BenchClient.Response r =
                    sqs(client, "CreateQueue", Json.MAPPER.writeValueAsBytes(Map.of("QueueName", name)));
            return Json.MAPPER.readTree(r.body()).path("QueueUrl").asText();
        }
    }

    static void createFunction(URI endpoint, String name, String source, Map<String, String> env) throws IOException {
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

    private static void createMapping(URI endpoint, String queue, String function, int batchSize, int concurrency)
            throws IOException {
        ObjectNode m = Json.MAPPER
                .createObjectNode()
                .put("EventSourceArn", "arn:aws:sqs:us-east-1:000000000000:" + queue)
                .put("FunctionName", function)
                .put("BatchSize", batchSize);
        if (concurrency > 0) {
            m.putObject("ScalingConfig").put("MaximumConcurrency", concurrency);
        }
        try (BenchClient client = new BenchClient(endpoint)) {
            BenchClient.Response r = client.send(
                    "POST",
                    "/2015-03-31/event-source-mappings",
                    Map.of("Content-Type", "application/json"),
                    m.toString().getBytes(StandardCharsets.UTF_8));
            if (r.status() != 202) {
                throw new IllegalStateException("cannot create the mapping: " + r.text());
            }
        }
    }

    static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    public static String markdown(List<Result> rows) {
        StringBuilder sb =
                new StringBuilder(String.format(Locale.ROOT, """
                SQS-compatible queues and one event-source mapping (%s).
                SendMessageBatch: %d clients, batches of 10 × 100 B, each 200 after commit + fsync; CPU is this \
                whole JVM's (server and clients) per message. send → invoke: BatchSize 1, Python function, one \
                message at a time. Mapping: %,d messages, BatchSize 10, MaximumConcurrency 10, Python no-op, \
                cold starts included.

                | store | SendMessageBatch msgs/s | CPU µs/msg | send → invoke p50 | p99 | mapping msgs/s |
                |---|---:|---:|---:|---:|---:|
                """, Machine.describe(), CLIENTS, DRAIN_MESSAGES));
        for (Result r : rows) {
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %.0f | %.0f | %.1f ms | %.1f ms | %.0f |%n",
                    r.store(),
                    r.sendPerSecond(),
                    r.serverCpuMicrosPerMessage(),
                    r.p50Millis(),
                    r.p99Millis(),
                    r.drainPerSecond()));
        }
        return sb.toString();
    }
}
