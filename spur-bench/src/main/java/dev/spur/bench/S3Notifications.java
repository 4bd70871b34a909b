package dev.spur.bench;

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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code spur bench --s3}: Spur's S3-compatible store on the embedded SQLite queue, in this JVM:
 * <ol>
 *   <li><b>PUT/s</b>: {@value #CLIENTS} clients putting 1 KiB objects for the run's seconds; every 200 is
 *       sent after the bytes are fsynced and the index row committed.</li>
 *   <li><b>PUT → function START</b>: one PUT at a time into a bucket whose notification configuration names a
 *       Python function that writes {@code time.time_ns()} as its first act; the latency is that time minus
 *       the wall time just before the PUT (same machine, same clock): the index and event rows' commit, the
 *       asynchronous dispatcher's take, the invoke.</li>
 * </ol>
 * Requests are path-style with an {@code Authorization} header scoped to {@code s3} (the server runs with
 * {@code --auth none}, which routes by the scope and checks nothing).
 */
public final class S3Notifications {
    static final int CLIENTS = 16;
    private static final int LATENCY_SAMPLES = 200;
    private static final String AUTHORIZATION = "AWS4-HMAC-SHA256 Credential=spur/20260101/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host, Signature=0000";

    private static final String STAMP = """
            import os, time
            FD = os.open(os.environ["OUT"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            def handler(event, context):
                t = time.time_ns()
                for r in event["Records"]:
                    os.write(FD, (r["s3"]["object"]["key"] + " " + str(t) + "\\n").encode())
                return {}
            """;

    private S3Notifications() {}

    public record Result(double putPerSecond, double cpuMicrosPerPut, double p50Millis, double p99Millis) {}

    public static Result measure(double seconds, PrintStream log) throws Exception {
        Path dir = Files.createTempDirectory("spur-bench-s3-");
        SpurServer.Options options = SpurServer.Options.defaults(dir.resolve("data"))
                .withPort(0)
                .withPools(PoolSettings.defaults().withAccountConcurrency(1000));
        try (SpurServer server = SpurServer.start(options)) {
            URI endpoint = URI.create(server.endpoint());
            log.println("== S3: PUT for " + seconds + " s");
            double[] put = putRate(endpoint, seconds);
            log.println("== S3: PUT → function START");
            double[] latency = latency(endpoint, dir.resolve("stamps.txt"));
            return new Result(put[0], put[1], latency[0], latency[1]);
        }
    }

    private static BenchClient.Response s3(BenchClient client, String method, String path, byte[] body)
            throws IOException {
        return client.send(method, path, Map.of("Authorization", AUTHORIZATION), body);
    }

    private static double[] putRate(URI endpoint, double seconds) throws Exception {
        try (BenchClient client = new BenchClient(endpoint)) {
            check(s3(client, "PUT", "/bench-put", new byte[0]));
        }
        AtomicLong put = new AtomicLong();
        byte[] body = "z".repeat(1024).getBytes(StandardCharsets.US_ASCII);
        long cpuBefore = SqsThroughput.processCpuNanos();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            threads.add(Thread.ofPlatform().start(() -> {
                try (BenchClient http = new BenchClient(endpoint)) {
                    for (int i = 0; System.nanoTime() < end; i++) {
                        if (s3(http, "PUT", "/bench-put/c" + client + "/o" + i, body)
                                        .status()
                                == 200) {
                            put.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new double[] {put.get() / elapsed, (SqsThroughput.processCpuNanos() - cpuBefore) / 1e3 / put.get()};
    }

    private static double[] latency(URI endpoint, Path stamps) throws Exception {
        SqsThroughput.createFunction(endpoint, "bench-s3-stamp", STAMP, Map.of("OUT", stamps.toString()));
        String config = "<NotificationConfiguration><CloudFunctionConfiguration><Id>bench</Id><CloudFunction>"
                + "arn:aws:lambda:us-east-1:000000000000:function:bench-s3-stamp</CloudFunction>"
                + "<Event>s3:ObjectCreated:*</Event></CloudFunctionConfiguration></NotificationConfiguration>";
        double[] samples = new double[LATENCY_SAMPLES];
        try (BenchClient client = new BenchClient(endpoint)) {
            check(s3(client, "PUT", "/bench-latency", new byte[0]));
            check(s3(client, "PUT", "/bench-latency?notification", config.getBytes(StandardCharsets.UTF_8)));
            for (int i = -10; i < LATENCY_SAMPLES; i++) {
                String key = "k" + (i + 10);
                Instant sentAt = Instant.now();
                check(s3(client, "PUT", "/bench-latency/" + key, "x".getBytes(StandardCharsets.US_ASCII)));
                long ran = SqsThroughput.awaitStamp(stamps, key);
                if (i >= 0) {
                    long sentNanos = sentAt.getEpochSecond() * 1_000_000_000L + sentAt.getNano();
                    samples[i] = (ran - sentNanos) / 1e6;
                }
            }
        }
        Arrays.sort(samples);
        return new double[] {samples[samples.length / 2], samples[(int) (samples.length * 0.99)]};
    }

    private static void check(BenchClient.Response r) {
        if (r.status() != 200) {
            throw new IllegalStateException("S3 answered " + r.status() + ": " + r.text());
        }
    }

    public static String markdown(Result r) {
        return String.format(
                Locale.ROOT,
                """
                S3-compatible store on the embedded SQLite queue (%s).
                PUT: %d clients, 1 KiB objects, each 200 after the file's fsync + rename and the index row's commit; \
                CPU is this whole JVM's (server and clients) per PUT. PUT → START: one PUT at a time, a Python \
                function notified through the asynchronous path.

                | PUT/s | CPU µs/PUT | PUT → START p50 | p99 |
                |---:|---:|---:|---:|
                | %.0f | %.0f | %.1f ms | %.1f ms |
                """,
                Machine.describe(),
                CLIENTS,
                r.putPerSecond(),
                r.cpuMicrosPerPut(),
                r.p50Millis(),
                r.p99Millis());
    }
}
