package dev.spur.bench;

import dev.spur.common.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code spur bench --peers}: Spur and a peer side by side in one run, on the same handler and the same load
 * generator. The systems are serverless-offline 13 ({@link ServerlessOffline}) and {@code spur server} with
 * {@code --sandbox process} and with {@code --sandbox linux} ({@link SpurChild}), each a child process of its
 * own. The handler is one {@code index.mjs} ({@link Functions#peerHandler()}); the load is wrk with one Lua
 * script ({@link Wrk}).
 *
 * <p>Every measurement starts a fresh server, deploys the handler at the case's MemorySize, checks one answer
 * of each URL, runs wrk for the warm-up (discarded: cold starts, JIT), then for the measured run on new
 * connections, and stops the server. Within a case the three systems run back to back, and which goes first
 * rotates from case to case, so the machine's drift (it is shared) spreads over all of them. The 1-minute load
 * average is noted at the start of the run and of every measured run.
 *
 * <p>The peer is measured, never tuned to lose: it runs with its documented defaults (see
 * {@link ServerlessOffline}), and so does Spur (every {@code spur server} option at its default but the
 * sandbox, the port and the data directory).
 */
public final class PeerComparison {
    private static final String INVOKE_ANSWER = "{\"statusCode\":200,\"body\":\"ok\"}";

    /**
     * @param warmUpSeconds wrk run before each measured one, discarded
     * @param seconds       the measured run
     * @param spurServer    the argv that starts {@code spur server} (options are appended)
     * @param peerInstall   where serverless-offline is installed (or reused if already there); else a directory
     *                      under the run's scratch directory, removed at the end
     */
    public record Options(int warmUpSeconds, int seconds, List<String> spurServer, Optional<Path> peerInstall) {
        public static Options standard(List<String> spurServer) {
            return new Options(3, 10, spurServer, Optional.empty());
        }

        /** A smoke run: 1 s warm-up, 2 s measured. Not figures to quote. */
        public static Options quick(List<String> spurServer) {
            return new Options(1, 2, spurServer, Optional.empty());
        }

        public Options withPeerInstall(Path dir) {
            return new Options(warmUpSeconds, seconds, spurServer, Optional.of(dir));
        }
    }

    /** Which URL a case drives: Lambda's Invoke API or an HTTP API route. */
    enum Target {
        INVOKE,
        ROUTE
    }

    /** One row of the table. */
    record Case(String label, Target target, int clients, int memoryMb) {}

    static final List<Case> CASES = List.of(
            new Case("Invoke API, 32 clients, MemorySize 512", Target.INVOKE, 32, 512),
            new Case("HTTP route, 32 clients, 512 MB", Target.ROUTE, 32, 512),
            new Case("Invoke API, 1 client, 512 MB", Target.INVOKE, 1, 512),
            new Case("Invoke API, 32 clients, MemorySize 1769", Target.INVOKE, 32, 1769));

    /** The systems compared, in the table's column order. */
    enum Subject {
        SERVERLESS_OFFLINE("serverless-offline 13"),
        SPUR_PROCESS("Spur, process sandbox"),
        SPUR_LINUX("Spur, linux sandbox");

        final String label;

        Subject(String label) {
            this.label = label;
        }
    }

    /**
     * One system on one case (milliseconds; requests per second).
     *
     * @param requestsPerSecond  every answer, whatever its status, per second (as wrk counts)
     * @param successesPerSecond 2xx answers without a function error, per second
     * @param non2xxByStatus     {@code non2xx} by status code
     * @param errors             socket errors, timeouts (5 s) and 2xx answers carrying X-Amz-Function-Error
     * @param load               the 1-minute load average when the measured run started
     * @param failure            why there are no figures (e.g. the linux sandbox cannot run on this machine)
     */
    public record Row(
            String testCase,
            String system,
            double requestsPerSecond,
            double successesPerSecond,
            double p50,
            double p90,
            double p99,
            long non2xx,
            Map<Integer, Long> non2xxByStatus,
            long errors,
            double load,
            Optional<String> failure) {
        static Row failed(Case c, Subject s, String why) {
            return new Row(
                    c.label(),
                    s.label,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    0,
                    Map.of(),
                    0,
                    Double.NaN,
                    Optional.of(why));
        }
    }

    /** A run: its rows in table order, and what it ran on. */
    public record Report(
            Options options,
            List<Row> rows,
            String loadAtStart,
            String loadAtEnd,
            String peerVersions,
            String node,
            String wrk) {}

    private final Options options;
    private final PrintStream log;
    private final Path scratch;
    private final Wrk wrk;
    private final ServerlessOffline offline;

    private PeerComparison(Options options, PrintStream log, Path scratch, Wrk wrk, ServerlessOffline offline) {
        this.options = options;
        this.log = log;
        this.scratch = scratch;
        this.wrk = wrk;
        this.offline = offline;
    }

    /** Installs the peer, runs every case on every system, and returns the figures; progress goes to {@code log}. */
    public static Report run(Options options, PrintStream log) throws Exception {
        String loadAtStart = loadAverage();
        log.println(
                "== peers: serverless-offline vs Spur (process, linux sandbox); load average at start " + loadAtStart);
        Path scratch = Files.createTempDirectory("spur-peers-");
        // The linux sandbox's user must traverse it to reach a Spur data directory inside.
        Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            Wrk wrk = Wrk.in(scratch);
            ServerlessOffline offline =
                    ServerlessOffline.install(options.peerInstall().orElse(scratch.resolve("npm")), log);
            PeerComparison run = new PeerComparison(options, log, scratch, wrk, offline);
            List<Row> rows = new ArrayList<>();
            Subject[] subjects = Subject.values();
            for (int i = 0; i < CASES.size(); i++) {
                Case c = CASES.get(i);
                log.println("== " + c.label());
                for (int k = 0; k < subjects.length; k++) {
                    rows.add(run.measure(i, c, subjects[(i + k) % subjects.length]));
                }
            }
            rows.sort(Comparator.comparingInt((Row r) -> caseIndex(r.testCase()))
                    .thenComparingInt(r -> subjectIndex(r.system())));
            return new Report(
                    options, rows, loadAtStart, loadAverage(), offline.versions(), nodeVersion(), Wrk.version());
        } finally {
            Bench.deleteTree(scratch);
        }
    }

    private Row measure(int caseIndex, Case c, Subject s) throws InterruptedException {
        Path serverLog = scratch.resolve(s.name().toLowerCase(Locale.ROOT) + "-" + caseIndex + ".log");
        try (PeerServer server = start(s, c, serverLog)) {
            check(server);
            URI url = c.target() == Target.INVOKE ? server.invokeUrl() : server.routeUrl();
            wrk.run(url, c.clients(), options.warmUpSeconds());
            double load = loadAverage1();
            Wrk.Result r = wrk.run(url, c.clients(), options.seconds());
            Row row = new Row(
                    c.label(),
                    s.label,
                    r.requestsPerSecond(),
                    r.successesPerSecond(),
                    r.p50Millis(),
                    r.p90Millis(),
                    r.p99Millis(),
                    r.non2xx(),
                    r.non2xxByStatus(),
                    r.socketErrors() + r.timeouts() + r.functionErrors(),
                    load,
                    Optional.empty());
            log.printf(
                    Locale.ROOT,
                    "  %-22s %6.0f req/s (%6.0f 2xx/s), p50 %s ms, p90 %s ms, p99 %s ms, non-2xx %s, "
                            + "errors %d, load %.2f%n",
                    s.label,
                    row.requestsPerSecond(),
                    row.successesPerSecond(),
                    Samples.ms(row.p50()),
                    Samples.ms(row.p90()),
                    Samples.ms(row.p99()),
                    non2xx(row),
                    row.errors(),
                    load);
            return row;
        } catch (IOException | RuntimeException e) {
            log.println("  " + s.label + ": not measured: " + e.getMessage());
            return Row.failed(c, s, e.getMessage());
        }
    }

    private PeerServer start(Subject s, Case c, Path serverLog) throws IOException, InterruptedException {
        return switch (s) {
            case SERVERLESS_OFFLINE -> offline.start(scratch, Functions.peerHandlerSource(), c.memoryMb(), serverLog);
            case SPUR_PROCESS ->
                SpurChild.start(
                        options.spurServer(), "process", scratch, Functions.peerHandler(), c.memoryMb(), serverLog);
            case SPUR_LINUX ->
                SpurChild.start(
                        options.spurServer(), "linux", scratch, Functions.peerHandler(), c.memoryMb(), serverLog);
        };
    }

    /**
     * One request to each URL, answered as the handler answers: the Invoke API with the handler's result, the
     * route with its body {@code ok}.
     *
     * @throws IOException if either is not
     */
    static void check(PeerServer server) throws IOException {
        BenchClient.Response invoke = post(server.invokeUrl());
        if (invoke.status() != 200
                || invoke.header("X-Amz-Function-Error") != null
                || !Json.MAPPER.readTree(invoke.body()).equals(Json.MAPPER.readTree(INVOKE_ANSWER))) {
            throw new IOException("POST " + server.invokeUrl() + " answered " + invoke.status() + " " + invoke.text());
        }
        BenchClient.Response route = post(server.routeUrl());
        if (route.status() != 200 || !route.text().equals("ok")) {
            throw new IOException("POST " + server.routeUrl() + " answered " + route.status() + " " + route.text());
        }
    }

    private static BenchClient.Response post(URI url) throws IOException {
        try (BenchClient client = new BenchClient(url)) {
            return client.send(
                    "POST",
                    url.getRawPath(),
                    Map.of("Content-Type", "application/json"),
                    "{}".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static int caseIndex(String label) {
        return CASES.stream().map(Case::label).toList().indexOf(label);
    }

    private static int subjectIndex(String label) {
        return Arrays.stream(Subject.values()).map(s -> s.label).toList().indexOf(label);
    }

    /** {@code /proc/loadavg}'s 1, 5 and 15-minute averages. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double loadAverage1() {
        try {
            return Double.parseDouble(loadAverage().split(" ")[0]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String nodeVersion() {
        try {
            Process p = new ProcessBuilder("node", "--version")
                    .redirectErrorStream(true)
                    .start();
            try (InputStream in = p.getInputStream()) {
                String v = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                p.waitFor(5, TimeUnit.SECONDS);
                return "Node.js " + v.replaceFirst("^v", "");
            }
        } catch (IOException e) {
            return "Node.js (unknown version)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "Node.js (unknown version)";
        }
    }

    /** "0", or e.g. "1171 (429: 1100, 502: 71)". */
    static String non2xx(Row r) {
        if (r.non2xxByStatus().isEmpty()) {
            return String.valueOf(r.non2xx());
        }
        StringBuilder sb = new StringBuilder().append(r.non2xx()).append(" (");
        new TreeMap<>(r.non2xxByStatus())
                .forEach((status, n) -> sb.append(status).append(": ").append(n).append(", "));
        sb.setLength(sb.length() - 2);
        return sb.append(')').toString();
    }

    /** The table, with how it was measured and on what. */
    public static String markdown(Report report) {
        Options o = report.options();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                """
                Peers side by side: the same Node.js handler (`index.mjs`: `async () => ({ statusCode: 200, \
                body: "ok" })`, nodejs20.x; %s) on serverless-offline (%s; its defaults: worker threads in one \
                process, handlers kept warm, request logging on) and on `spur server --sandbox process` and \
                `--sandbox linux` (every other option at its default), each a child process started fresh for each \
                measurement. Load from %s with one Lua script (`POST {}` as JSON; at most one wrk thread per core) \
                against Lambda's Invoke API (serverless-offline's lambda port; Spur's `/2015-03-31/functions/<name>/\
                invocations`) or an HTTP API route `POST /bench` (serverless-offline's `httpApi` event; Spur's HTTP \
                API through `/spur/v1/apis`, payload 2.0, path form `/gw/<id>/bench`). Each measurement: %d s of \
                warm-up, discarded, then %d s measured on new connections; within a case the systems run back to \
                back, the first rotating from case to case. "req/s" counts every answer, "2xx/s" only successes; \
                latencies include every answer (a 429 is fast); "errors" are socket errors, timeouts (5 s) and \
                function errors; "load" is the 1-minute load average as the measured run started. Load average \
                (1/5/15 min) at the start of the run: %s; at the end: %s.

                """,
                report.node(),
                report.peerVersions(),
                report.wrk(),
                o.warmUpSeconds(),
                o.seconds(),
                report.loadAtStart(),
                report.loadAtEnd()));
        sb.append("| case | system | req/s | 2xx/s | p50 | p90 | p99 | non-2xx | errors | load |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : report.rows()) {
            sb.append("| ").append(r.testCase()).append(" | ").append(r.system());
            if (r.failure().isPresent()) {
                sb.append(" | not measured: ")
                        .append(r.failure().get().replace('|', '/').replace('\n', ' '))
                        .append(" | | | | | | | |\n");
                continue;
            }
            sb.append(" | ")
                    .append(Math.round(r.requestsPerSecond()))
                    .append(" | ")
                    .append(Math.round(r.successesPerSecond()))
                    .append(" | ")
                    .append(Samples.ms(r.p50()))
                    .append(" ms")
                    .append(" | ")
                    .append(Samples.ms(r.p90()))
                    .append(" ms")
                    .append(" | ")
                    .append(Samples.ms(r.p99()))
                    .append(" ms")
                    .append(" | ")
                    .append(non2xx(r))
                    .append(" | ")
                    .append(r.errors())
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%.2f", r.load()))
                    .append(" |\n");
        }
        sb.append('\n').append(Machine.describe()).append('\n');
        return sb.toString();
    }
}
