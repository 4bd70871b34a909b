package dev.spur.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.FunctionKey;
import dev.spur.common.Json;
import dev.spur.pools.PoolSettings;
import dev.spur.server.Fleet;
import dev.spur.server.SpurServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * {@code spur bench --cluster}: Spur as a fleet, nodes in this JVM on one PostgreSQL database, each with a data
 * directory of its own and plain-process environments (Python 3.12):
 *
 * <ul>
 *   <li>throughput of a function that sleeps 50 ms, one node against three, each node hosting at most
 *       {@value #ENVIRONMENTS_PER_NODE} environments (its memory capacity: a node full answers 429, and the
 *       entry node tries the next), {@value #ENVIRONMENTS_PER_NODE} closed-loop clients per node of the larger
 *       fleet, round-robin over the nodes (a refused call waits 5 ms);
 *   <li>warm hits on a Zipf workload over {@value #ZIPF_FUNCTIONS} functions, clients round-robin over three nodes,
 *       with affinity routing and without (each node runs what it receives): the share of invocations that found
 *       a warm environment, from the environments the nodes started;
 *   <li>the cost of the proxy hop: a warm no-op invoked through its owner and through another node, p50/p99;
 *   <li>change propagation: a configuration change on one node until another answers it, p50/p99;
 *   <li>asynchronous accepted events/s with the queue on PostgreSQL next to SQLite ({@link AsyncStores}).
 * </ul>
 *
 * Every figure is printed with the load average when it was taken: the machine may be shared.
 */
public final class ClusterBench {
    static final int ENVIRONMENTS_PER_NODE = 4;
    static final int ZIPF_FUNCTIONS = 100;
    private static final int MEMORY_MB = 128;
    /** A node of the throughput runs: room for {@value #ENVIRONMENTS_PER_NODE} environments. */
    private static final long SMALL_NODE_MB = (long) ENVIRONMENTS_PER_NODE * MEMORY_MB;
    /** A node of the other runs: room for every function of the Zipf workload (nothing evicted). */
    private static final long LARGE_NODE_MB = 2L * ZIPF_FUNCTIONS * MEMORY_MB;

    private static final String SLEEP = """
            import time

            def handler(event, context):
                time.sleep(0.05)
                return "ok"
            """;
    private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.US_ASCII);
    private static final String NOOP = """
            def handler(event, context):
                return "ok"
            """;

    private ClusterBench() {}

    /** How long and how much. */
    public record Options(String databaseUrl, double seconds, int zipfInvocations, int hopSamples, int changes) {
        public static Options standard(String url) {
            return new Options(url, 20, 3000, 500, 50);
        }

        public static Options quick(String url) {
            return new Options(url, 4, 300, 50, 10);
        }
    }

    /** One figure: what, the value, the load average when it was taken. */
    public record Row(String measure, String value, String load) {}

    public static List<Row> run(Options o, PrintStream log) throws Exception {
        List<Row> rows = new ArrayList<>();
        double one;
        try (Nodes fleet = Nodes.start(o.databaseUrl(), 1, true, SMALL_NODE_MB, log)) {
            String load = loadAverage();
            one = fleet.throughput(ENVIRONMENTS_PER_NODE * 3, o.seconds());
            rows.add(new Row("throughput, 1 node, 50 ms function (invocations/s)", fmt(one), load));
        }
        try (Nodes fleet = Nodes.start(o.databaseUrl(), 3, true, SMALL_NODE_MB, log)) {
            String load = loadAverage();
            double three = fleet.throughput(ENVIRONMENTS_PER_NODE * 3, o.seconds());
            rows.add(new Row(
                    "throughput, 3 nodes, 50 ms function (invocations/s)",
                    fmt(three) + " (" + String.format(Locale.ROOT, "%.2f", three / one) + "× one node)",
                    load));
        }
        try (Nodes fleet = Nodes.start(o.databaseUrl(), 3, true, LARGE_NODE_MB, log)) {
            String load = loadAverage();
            rows.add(new Row(
                    "warm hits, Zipf over " + ZIPF_FUNCTIONS + " functions, 3 nodes, affinity routing",
                    percent(fleet.zipf(o.zipfInvocations())),
                    load));
            load = loadAverage();
            rows.add(new Row(
                    "proxy hop (through another node vs the owner), p50 / p99 ms", fleet.hop(o.hopSamples()), load));
            load = loadAverage();
            rows.add(new Row(
                    "change propagation, node A to node B, p50 / p99 ms", fleet.propagation(o.changes()), load));
        }
        try (Nodes fleet = Nodes.start(o.databaseUrl(), 3, false, LARGE_NODE_MB, log)) {
            String load = loadAverage();
            rows.add(new Row(
                    "warm hits, Zipf over " + ZIPF_FUNCTIONS
                            + " functions, 3 nodes, no affinity (each node runs what it gets)",
                    percent(fleet.zipf(o.zipfInvocations())),
                    load));
        }
        String load = loadAverage();
        for (AsyncStores.Row r : AsyncStores.measure(Optional.of(o.databaseUrl()), o.seconds() / 2, log)) {
            rows.add(new Row(
                    "asynchronous accepted events/s, " + r.store(),
                    fmt(r.result().acceptedPerSecond()),
                    load));
        }
        return rows;
    }

    public static String markdown(List<Row> rows) {
        StringBuilder sb = new StringBuilder(
                Machine.describe() + "\n\n| measure | value | load average (1/5/15 min) |\n" + "|---|---:|---|\n");
        for (Row r : rows) {
            sb.append("| ")
                    .append(r.measure())
                    .append(" | ")
                    .append(r.value())
                    .append(" | ")
                    .append(r.load())
                    .append(" |\n");
        }
        return sb.toString();
    }

    /** A fleet of nodes in this JVM. */
    private static final class Nodes implements AutoCloseable {
        private final List<SpurServer> servers;
        private final List<Path> dirs;
        private final PrintStream log;
        private int next;

        private Nodes(List<SpurServer> servers, List<Path> dirs, PrintStream log) {
            this.servers = servers;
            this.dirs = dirs;
            this.log = log;
        }

        static Nodes start(String url, int n, boolean affinity, long memoryMb, PrintStream log)
                throws IOException, InterruptedException {
            List<SpurServer> servers = new ArrayList<>();
            List<Path> dirs = new ArrayList<>();
            String fleetId = UUID.randomUUID().toString().substring(0, 6);
            for (int i = 0; i < n; i++) {
                Path dir = Files.createTempDirectory("spur-bench-cluster-");
                dirs.add(dir);
                servers.add(SpurServer.start(SpurServer.Options.defaults(dir)
                        .withPort(0)
                        .withDatabase(Optional.of(url))
                        .withPools(PoolSettings.defaults()
                                .withMemoryCapacityMb(memoryMb)
                                // Σ MemorySize within the capacity: a node holds exactly what its size says,
                                // whatever the environments really use (the default overcommit would let a
                                // "4-environment" node run 16 sleeping functions and bind nothing).
                                .withMemoryOvercommit(1))
                        .withFleet(Fleet.NONE
                                .withNodeName("bench-" + fleetId + "-" + i)
                                .withAffinity(affinity))));
            }
            Thread.sleep(2_500); // every node has seen the others beat
            log.printf(Locale.ROOT, "== %d node(s), affinity %s%n", n, affinity);
            return new Nodes(servers, dirs, log);
        }

        private URI endpoint(int node) {
            return URI.create(servers.get(node).endpoint());
        }

        private URI nextEndpoint() {
            return endpoint(next++ % servers.size());
        }

        String create(String source) throws IOException {
            try (BenchClient client = new BenchClient(endpoint(0))) {
                return Bench.create(
                        client, new Functions.NoOp("python3.12", "python3.12", "app.handler", zip(source)), MEMORY_MB);
            }
        }

        /** Invocations/s of the 50 ms function, {@code clients} closed-loop clients round-robin over the nodes. */
        double throughput(int clients, double seconds) throws Exception {
            String fn = create(SLEEP);
            Thread.sleep(1_500); // every node knows it
            AtomicBoolean measuring = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong done = new AtomicLong();
            AtomicLong throttled = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                URI at = nextEndpoint();
                threads.add(Thread.ofPlatform().start(() -> {
                    try (BenchClient client = new BenchClient(at)) {
                        while (!stop.get()) {
                            BenchClient.Response r = client.send(
                                    "POST", "/2015-03-31/functions/" + fn + "/invocations", Map.of(), EMPTY);
                            if (r.status() == 200) {
                                if (measuring.get()) {
                                    done.incrementAndGet();
                                }
                            } else {
                                throttled.incrementAndGet();
                                Thread.sleep(5);
                            }
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            Thread.sleep(3_000); // environments started
            measuring.set(true);
            long start = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            measuring.set(false);
            double perSecond = done.get() / ((System.nanoTime() - start) / 1e9);
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            log.printf(Locale.ROOT, "throughput %.1f/s (%d refused answers while full)%n", perSecond, throttled.get());
            return perSecond;
        }

        /** The share of {@code invocations} that found a warm environment (Zipf, s = 1, 6 clients round-robin). */
        double zipf(int invocations) throws Exception {
            List<String> functions = new ArrayList<>();
            for (int i = 0; i < ZIPF_FUNCTIONS; i++) {
                functions.add(create(NOOP));
            }
            Thread.sleep(1_500);
            double[] cumulative = new double[ZIPF_FUNCTIONS];
            double sum = 0;
            for (int i = 0; i < ZIPF_FUNCTIONS; i++) {
                sum += 1.0 / (i + 1);
                cumulative[i] = sum;
            }
            double total = sum;
            long before = started();
            AtomicLong sent = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < 6; c++) {
                int seed = c;
                threads.add(Thread.ofPlatform().start(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    List<BenchClient> clients = new ArrayList<>();
                    for (int n = 0; n < servers.size(); n++) {
                        clients.add(new BenchClient(endpoint(n)));
                    }
                    try {
                        long i;
                        while ((i = sent.getAndIncrement()) < invocations) {
                            double u = random.nextDouble() * total;
                            int rank = 0;
                            while (cumulative[rank] < u) {
                                rank++;
                            }
                            BenchClient.Response r =
                                    Bench.invoke(clients.get((int) (i % clients.size())), functions.get(rank), false);
                            if (r.status() != 200) {
                                throw new IOException("invoke failed: " + r.status() + " " + r.text());
                            }
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } finally {
                        clients.forEach(BenchClient::close);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            long cold = started() - before;
            log.printf(Locale.ROOT, "zipf: %d invocations, %d environments started%n", invocations, cold);
            return 1.0 - (double) cold / invocations;
        }

        private long started() {
            return servers.stream()
                    .mapToLong(s -> s.pools().stats().environmentsStarted())
                    .sum();
        }

        /** Latency through the owner and through another node, warm. */
        String hop(int samples) throws Exception {
            String fn = create(NOOP);
            Thread.sleep(1_500);
            try (BenchClient client = new BenchClient(endpoint(0))) {
                Bench.invoke(client, fn, false);
            }
            FunctionKey key = new FunctionKey("000000000000", "us-east-1", fn);
            int owner = -1;
            for (int i = 0; i < servers.size(); i++) {
                if (servers.get(i).pools().liveEnvironments(key) > 0) {
                    owner = i;
                }
            }
            int other = (owner + 1) % servers.size();
            Samples direct = latencies(endpoint(owner), fn, samples);
            Samples hop = latencies(endpoint(other), fn, samples);
            return String.format(
                    Locale.ROOT,
                    "owner %s / %s; via another node %s / %s; hop ≈ %s / %s",
                    Samples.ms(direct.percentileMillis(50)),
                    Samples.ms(direct.percentileMillis(99)),
                    Samples.ms(hop.percentileMillis(50)),
                    Samples.ms(hop.percentileMillis(99)),
                    Samples.ms(hop.percentileMillis(50) - direct.percentileMillis(50)),
                    Samples.ms(hop.percentileMillis(99) - direct.percentileMillis(99)));
        }

        private static Samples latencies(URI at, String fn, int samples) throws IOException {
            Samples s = new Samples();
            try (BenchClient client = new BenchClient(at)) {
                for (int i = 0; i < samples / 5; i++) {
                    Bench.invoke(client, fn, false);
                }
                for (int i = 0; i < samples; i++) {
                    long t0 = System.nanoTime();
                    BenchClient.Response r = Bench.invoke(client, fn, false);
                    s.add(System.nanoTime() - t0);
                    if (r.status() != 200) {
                        throw new IOException("invoke failed: " + r.status() + " " + r.text());
                    }
                }
            }
            return s;
        }

        /** From a configuration change committed on node 0 until node 1 answers it. */
        String propagation(int changes) throws Exception {
            String fn = create(NOOP);
            Samples s = new Samples();
            try (BenchClient a = new BenchClient(endpoint(0));
                    BenchClient b = new BenchClient(endpoint(1))) {
                for (int i = 0; i < changes; i++) {
                    String description = "change-" + i;
                    BenchClient.Response put = a.send(
                            "PUT",
                            "/2015-03-31/functions/" + fn + "/configuration",
                            Map.of("Content-Type", "application/json"),
                            ("{\"Description\":\"" + description + "\"}").getBytes(StandardCharsets.UTF_8));
                    long t0 = System.nanoTime();
                    if (put.status() != 200) {
                        throw new IOException("update failed: " + put.status() + " " + put.text());
                    }
                    while (true) {
                        BenchClient.Response got =
                                b.send("GET", "/2015-03-31/functions/" + fn + "/configuration", Map.of(), new byte[0]);
                        JsonNode config = Json.MAPPER.readTree(got.body());
                        if (description.equals(config.path("Description").asText())) {
                            break;
                        }
                        if (System.nanoTime() - t0 > 10_000_000_000L) {
                            throw new IOException("node B did not see the change in 10 s");
                        }
                        Thread.sleep(1);
                    }
                    s.add(System.nanoTime() - t0);
                }
            }
            return Samples.ms(s.percentileMillis(50)) + " / " + Samples.ms(s.percentileMillis(99));
        }

        @Override
        public void close() {
            for (SpurServer s : servers) {
                s.close();
            }
            for (Path dir : dirs) {
                try {
                    Bench.deleteTree(dir);
                } catch (IOException e) {
                    log.println("cannot delete " + dir + ": " + e.getMessage());
                }
            }
        }
    }

    private static byte[] zip(String source) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                zip.putNextEntry(new ZipEntry("app.py"));
                zip.write(source.getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " / " + parts[1] + " / " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String fmt(double perSecond) {
        return String.format(Locale.ROOT, "%.0f", perSecond);
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f %%", share * 100);
    }
}
