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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The benchmark behind {@code spur bench}: for a no-op function in each runtime, cold start
 * (first invoke of a fresh function, end to end), warm latency at concurrency 1, throughput at
 * concurrency 1, 8 and 32, and the platform's own overhead (client latency minus the Duration the
 * REPORT line gives); then, when {@value #SIGV4_RUNTIME} is among the runtimes, what SigV4 adds to
 * that overhead ({@link SigV4Overhead}), the asynchronous path ({@link AsyncThroughput}) and what the
 * HTTP gateway adds to a direct Invoke ({@link GatewayOverhead}). Prints Markdown for
 * {@code BENCHMARKS.md}. With {@link Options#sandbox()}, instead, what the linux sandbox adds to cold
 * starts and warm invokes, and its freeze/thaw latency ({@link SandboxOverhead}).
 *
 * <p>It starts its own Spur in this JVM on an ephemeral port with a temporary data directory, so
 * figures are not disturbed by other functions, and for the SigV4 figures a second one with
 * {@code --auth sigv4}.
 */
public final class Bench {
    private static final byte[] EMPTY_EVENT = "{}".getBytes(StandardCharsets.US_ASCII);
    private static final int WARM_UP_INVOKES = 200;
    private static final String SIGV4_RUNTIME = "provided.al2023";
    private static final Pattern DURATION = Pattern.compile("REPORT RequestId: \\S+\tDuration: ([0-9.]+) ms");

    /**
     * @param runtimes  labels to run (empty: all)
     * @param coldRuns  fresh functions per runtime for the cold-start figure
     * @param warmRuns  sequential warm invokes for latency and overhead
     * @param seconds   length of each throughput run
     * @param sandbox   run only the sandbox comparison ({@link SandboxOverhead}): process vs linux
     */
    public record Options(List<String> runtimes, int coldRuns, int warmRuns, double seconds, boolean sandbox) {
        public static Options standard() {
            return new Options(List.of(), 20, 2000, 5, false);
        }

        public static Options quick() {
            return new Options(List.of(), 5, 300, 1, false);
        }
    }

    /**
     * One runtime's figures (milliseconds, invocations per second); {@code runtimeCpu32} and
     * {@code jvmCpu32} are the CPU milliseconds per invocation at concurrency 32 of the runtime
     * processes and of this JVM (Spur and the benchmark's clients).
     */
    public record Result(
            String runtime,
            double coldP50,
            double coldP95,
            double warmP50,
            double warmP99,
            double overheadP50,
            double overheadP99,
            double rps1,
            double rps8,
            double rps32,
            double runtimeCpu32,
            double jvmCpu32) {}

    /**
     * A throughput run: invocations per second, and CPU milliseconds per invocation of this JVM (Spur
     * and the benchmark's clients) and of the runtime processes ({@link CpuTimes}).
     */
    record Throughput(double perSecond, double jvmCpuMillis, double runtimeCpuMillis) {}

    private final URI endpoint;
    private final PrintStream log;

    private Bench(URI endpoint, PrintStream log) {
        this.endpoint = endpoint;
        this.log = log;
    }

    /** Everything one run measured, for {@link #markdown(Report)}. */
    public record Report(
            List<Result> runtimes,
            Optional<SigV4Overhead.Result> sigv4,
            Optional<AsyncThroughput.Result> async,
            Optional<GatewayOverhead.Result> gateway,
            Optional<SandboxOverhead.Result> sandbox) {}

    /** Runs the benchmark on a Spur of its own and returns the figures; progress goes to {@code log}. */
    public static Report run(Options options, PrintStream log) throws Exception {
        if (options.sandbox()) {
            List<Functions.NoOp> fns = Functions.all().stream()
                    .filter(fn ->
                            options.runtimes().isEmpty() || options.runtimes().contains(fn.label()))
                    .toList();
            return new Report(
                    List.of(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(SandboxOverhead.measure(
                            fns, options.coldRuns(), options.warmRuns(), options.warmRuns() / 2, log)));
        }
        PoolSettings pools = PoolSettings.defaults().withAccountConcurrency(1000);
        try (SpurServer server = SpurServer.start(SpurServer.Options.defaults(Files.createTempDirectory("spur-bench-"))
                .withPort(0)
                .withPools(pools))) {
            Bench bench = new Bench(URI.create(server.endpoint()), log);
            List<Result> results = new ArrayList<>();
            Optional<SigV4Overhead.Result> sigv4 = Optional.empty();
            Optional<AsyncThroughput.Result> async = Optional.empty();
            Optional<GatewayOverhead.Result> gateway = Optional.empty();
            for (Functions.NoOp fn : Functions.all()) {
                if (!options.runtimes().isEmpty() && !options.runtimes().contains(fn.label())) {
                    continue;
                }
                if (!server.runtimes().contains(fn.runtime())) {
                    log.println("skipping " + fn.label() + ": not available on this machine");
                    continue;
                }
                results.add(bench.measure(fn, options));
                if (fn.label().equals(SIGV4_RUNTIME)) {
                    sigv4 = Optional.of(sigv4Overhead(server, pools, fn, options, log));
                    async = Optional.of(AsyncThroughput.measure(
                            URI.create(server.endpoint()), server.dispatcher(), fn, options.seconds(), log));
                    gateway = Optional.of(GatewayOverhead.measure(
                            URI.create(server.endpoint()), fn, options.warmRuns(), options.seconds(), log));
                }
            }
            return new Report(results, sigv4, async, gateway, Optional.empty());
        }
    }

    /** {@link SigV4Overhead} against {@code none} and a second Spur, with SigV4 on, started for it. */
    private static SigV4Overhead.Result sigv4Overhead(
            SpurServer none, PoolSettings pools, Functions.NoOp fn, Options options, PrintStream log) throws Exception {
        try (SpurServer sigv4 = SpurServer.start(SpurServer.Options.defaults(Files.createTempDirectory("spur-bench-"))
                .withPort(0)
                .withPools(pools)
                .withAuth(SpurServer.Auth.SIGV4))) {
            return SigV4Overhead.measure(
                    URI.create(none.endpoint()),
                    URI.create(sigv4.endpoint()),
                    sigv4.keys().create("111122223333"),
                    fn,
                    options.warmRuns(),
                    log);
        }
    }

    private Result measure(Functions.NoOp fn, Options options) throws Exception {
        log.println("== " + fn.label());
        Samples cold = new Samples();
        try (BenchClient client = new BenchClient(endpoint)) {
            for (int i = 0; i < options.coldRuns(); i++) {
                String name = create(client, fn);
                long start = System.nanoTime();
                invoke(client, name, false);
                cold.add(System.nanoTime() - start);
                delete(client, name);
            }
        }
        log.printf(
                "  cold start p50 %s ms, p95 %s ms (%d fresh functions)%n",
                Samples.ms(cold.percentileMillis(50)), Samples.ms(cold.percentileMillis(95)), cold.size());

        Samples warm = new Samples();
        Samples overhead = new Samples();
        String name;
        try (BenchClient client = new BenchClient(endpoint)) {
            name = create(client, fn);
            for (int i = 0; i < Math.max(50, options.warmRuns() / 10); i++) {
                invoke(client, name, false);
            }
            for (int i = 0; i < options.warmRuns(); i++) {
                long start = System.nanoTime();
                invoke(client, name, false);
                warm.add(System.nanoTime() - start);
            }
            for (int i = 0; i < options.warmRuns(); i++) {
                long start = System.nanoTime();
                BenchClient.Response r = invoke(client, name, true);
                long latency = System.nanoTime() - start;
                overhead.add(latency - reportedDurationNanos(r));
            }
        }
        log.printf(
                "  warm p50 %s ms, p99 %s ms; platform overhead p50 %s ms, p99 %s ms%n",
                Samples.ms(warm.percentileMillis(50)),
                Samples.ms(warm.percentileMillis(99)),
                Samples.ms(overhead.percentileMillis(50)),
                Samples.ms(overhead.percentileMillis(99)));

        Throughput[] runs = new Throughput[3];
        int[] levels = {1, 8, 32};
        for (int i = 0; i < levels.length; i++) {
            runs[i] = throughput(name, levels[i], options.seconds());
            log.printf(
                    "  throughput at concurrency %d: %.0f invocations/s; CPU per invocation: runtime %.3f ms,"
                            + " Spur and clients %.3f ms%n",
                    levels[i], runs[i].perSecond(), runs[i].runtimeCpuMillis(), runs[i].jvmCpuMillis());
        }
        try (BenchClient client = new BenchClient(endpoint)) {
            delete(client, name);
        }
        return new Result(
                fn.label(),
                cold.percentileMillis(50),
                cold.percentileMillis(95),
                warm.percentileMillis(50),
                warm.percentileMillis(99),
                overhead.percentileMillis(50),
                overhead.percentileMillis(99),
                runs[0].perSecond(),
                runs[1].perSecond(),
                runs[2].perSecond(),
                runs[2].runtimeCpuMillis(),
                runs[2].jvmCpuMillis());
    }

    /**
     * Invocations per second with {@code concurrency} clients, measured once every client's
     * environment is warm: each client first completes {@value #WARM_UP_INVOKES} invocations (cold
     * starts and JIT warm-up of 32 runtimes on 2 cores take seconds), then all count for
     * {@code seconds}.
     */
    private Throughput throughput(String name, int concurrency, double seconds) throws Exception {
        return throughputAndCpu(endpoint, concurrency, seconds, client -> invoke(client, name, false), log);
    }

    /** One request a throughput client repeats; it throws if the answer is not the expected one. */
    @FunctionalInterface
    interface Request {
        void send(BenchClient client) throws IOException;
    }

    /** {@link #throughput(String, int, double)} of any {@link Request} against {@code endpoint}: invocations/s. */
    static double throughput(URI endpoint, int concurrency, double seconds, Request request, PrintStream log)
            throws Exception {
        return throughputAndCpu(endpoint, concurrency, seconds, request, log).perSecond();
    }

    /** {@link #throughput(URI, int, double, Request, PrintStream)} with its CPU per invocation. */
    static Throughput throughputAndCpu(URI endpoint, int concurrency, double seconds, Request request, PrintStream log)
            throws Exception {
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean stop = new AtomicBoolean(false);
        CountDownLatch warm = new CountDownLatch(concurrency);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> workers = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                workers.add(pool.submit(() -> {
                    long count = 0;
                    long warmUp = 0;
                    try (BenchClient client = new BenchClient(endpoint)) {
                        while (!stop.get()) {
                            request.send(client);
                            if (measuring.get()) {
                                count++;
                            } else if (++warmUp == WARM_UP_INVOKES) {
                                warm.countDown();
                            }
                        }
                    }
                    return count;
                }));
            }
            if (!warm.await(60, TimeUnit.SECONDS)) {
                log.println("  (not every client warmed up within 60 s; measuring anyway)");
            }
            CpuTimes before = CpuTimes.now();
            measuring.set(true);
            long start = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            measuring.set(false);
            double elapsed = (System.nanoTime() - start) / 1e9;
            CpuTimes used = CpuTimes.now().minus(before);
            stop.set(true);
            long total = 0;
            for (Future<Long> w : workers) {
                total += w.get();
            }
            double perInvocation = 1e6 * Math.max(total, 1);
            return new Throughput(
                    total / elapsed, used.jvmNanos() / perInvocation, used.runtimeNanos() / perInvocation);
        }
    }

    static String create(BenchClient client, Functions.NoOp fn) throws IOException {
        return create(client, fn, 512);
    }

    static String create(BenchClient client, Functions.NoOp fn, int memoryMb) throws IOException {
        String name = "bench-" + fn.label().replace('.', '-') + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("FunctionName", name);
        body.put("Runtime", fn.runtime());
        body.put("Handler", fn.handler());
        body.put("Role", "arn:aws:iam::000000000000:role/bench");
        body.put("MemorySize", memoryMb);
        body.putObject("Code").put("ZipFile", Base64.getEncoder().encodeToString(fn.zip()));
        BenchClient.Response r = client.send(
                "POST",
                "/2015-03-31/functions",
                Map.of("Content-Type", "application/json"),
                Json.MAPPER.writeValueAsBytes(body));
        if (r.status() != 201) {
            throw new IOException("create " + name + " failed: " + r.status() + " " + r.text());
        }
        return name;
    }

    static void delete(BenchClient client, String name) throws IOException {
        client.send("DELETE", "/2015-03-31/functions/" + name, Map.of(), new byte[0]);
    }

    static BenchClient.Response invoke(BenchClient client, String name, boolean tail) throws IOException {
        BenchClient.Response r = client.send(
                "POST",
                "/2015-03-31/functions/" + name + "/invocations",
                tail ? Map.of("X-Amz-Log-Type", "Tail") : Map.of(),
                EMPTY_EVENT);
        if (r.status() != 200 || r.header("X-Amz-Function-Error") != null) {
            throw new IOException("invoke " + name + " failed: " + r.status() + " " + r.text());
        }
        return r;
    }

    static long reportedDurationNanos(BenchClient.Response r) {
        String log = new String(Base64.getDecoder().decode(r.header("X-Amz-Log-Result")), StandardCharsets.UTF_8);
        Matcher m = DURATION.matcher(log);
        if (!m.find()) {
            throw new IllegalStateException("no REPORT line in " + log);
        }
        return (long) (Double.parseDouble(m.group(1)) * 1e6);
    }

    /** Deletes {@code dir} and everything under it. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The results as Markdown tables, with the machine they were measured on. */
    public static String markdown(Report report) {
        List<Result> results = report.runtimes();
        StringBuilder sb = new StringBuilder();
        if (report.sandbox().isPresent()) {
            return sb.append(SandboxOverhead.markdown(report.sandbox().get()))
                    .append('\n')
                    .append(Machine.describe())
                    .append('\n')
                    .toString();
        }
        sb.append("| runtime | cold p50 | cold p95 | warm p50 | warm p99 | overhead p50 | overhead p99 | "
                + "inv/s c=1 | inv/s c=8 | inv/s c=32 | CPU/inv c=32: runtime | CPU/inv c=32: Spur + clients |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            sb.append("| ")
                    .append(r.runtime())
                    .append(" | ")
                    .append(Samples.ms(r.coldP50()))
                    .append(" ms")
                    .append(" | ")
                    .append(Samples.ms(r.coldP95()))
                    .append(" ms")
                    .append(" | ")
                    .append(Samples.ms(r.warmP50()))
                    .append(" ms")
                    .append(" | ")
                    .append(Samples.ms(r.warmP99()))
                    .append(" ms")
                    .append(" | ")
                    .append(Samples.ms(r.overheadP50()))
                    .append(" ms")
                    .append(" | ")
                    .append(Samples.ms(r.overheadP99()))
                    .append(" ms")
                    .append(" | ")
                    .append(Math.round(r.rps1()))
                    .append(" | ")
                    .append(Math.round(r.rps8()))
                    .append(" | ")
                    .append(Math.round(r.rps32()))
                    .append(" | ")
                    .append("%.2f ms".formatted(r.runtimeCpu32()))
                    .append(" | ")
                    .append("%.2f ms".formatted(r.jvmCpu32()))
                    .append(" |\n");
        }
        report.sigv4().ifPresent(r -> sb.append('\n').append(SigV4Overhead.markdown(r)));
        report.async().ifPresent(r -> sb.append('\n').append(AsyncThroughput.markdown(r)));
        report.gateway().ifPresent(r -> sb.append('\n').append(GatewayOverhead.markdown(r)));
        sb.append('\n').append(Machine.describe()).append('\n');
        return sb.toString();
    }
}
