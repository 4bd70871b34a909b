package dev.spur.cli;

import dev.spur.auth.ClusterKey;
import dev.spur.invoke.AsyncPolicy;
import dev.spur.pools.PoolSettings;
import dev.spur.sandbox.LinuxSandbox;
import dev.spur.sandbox.Sandbox;
import dev.spur.server.Fleet;
import dev.spur.server.SpurServer;
import dev.spur.store.Database;
import dev.spur.telemetry.TelemetrySettings;
import dev.spur.usage.PriceTable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spur server}: runs the platform in the foreground until interrupted. */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Start Spur in the foreground: Lambda's API and Invoke on one port, until Ctrl-C.",
            "Point the AWS CLI or SDKs at it with --endpoint-url; no credentials are checked."
        })
final class ServerCommand implements Callable<Integer> {
    /** Held here: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
    private static final Logger JETTY_LOG = Logger.getLogger("org.eclipse.jetty");

    private static final Logger HIKARI_LOG = Logger.getLogger("com.zaxxer.hikari");
    private static final Logger KAFKA_LOG = Logger.getLogger("org.apache.kafka");

    @Option(
            names = "--port",
            description = "Port for the Lambda API (default: ${DEFAULT-VALUE}).",
            defaultValue = "9000")
    int port;

    @Option(
            names = "--host",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1")
    String host;

    @Option(
            names = "--data-dir",
            description =
                    "Where Spur keeps its state (default: $SPUR_DATA_DIR, else /var/lib/spur for root, ~/.spur for others).")
    Path dataDir;

    @Option(
            names = "--database",
            description = "Keep functions, APIs, schedules, keys, code and the asynchronous queue in this shared "
                    + "PostgreSQL (15+) database, for a fleet of nodes: postgresql://user:password@host:port/db "
                    + "or jdbc:postgresql://... (default: $SPUR_DATABASE_URL, else SQLite files in the data dir).")
    String database;

    @Option(
            names = "--node-name",
            description = "This node's name in a fleet (with --database), unique among its live nodes "
                    + "(default: $SPUR_NODE_NAME, else the host name).")
    String nodeName;

    @Option(
            names = "--advertise",
            description = "Where the other nodes of a fleet reach this one, http://host:port (default: "
                    + "$SPUR_ADVERTISE, else http://<--host, or the host name for 0.0.0.0>:<port>).")
    String advertise;

    @Option(
            names = "--keep-alive",
            description = "How long idle environments stay warm, e.g. 10m, 30s " + "(default: ${DEFAULT-VALUE}).",
            defaultValue = "10m",
            converter = DurationConverter.class)
    Duration keepAlive;

    @Option(
            names = "--max-concurrency",
            description = "Concurrent invocations allowed (default: ${DEFAULT-VALUE}).",
            defaultValue = "1000")
    int maxConcurrency;

    @Option(
            names = "--memory-capacity",
            description = "MB of memory the environments may use together, counted as what each uses plus "
                    + "headroom; the linux sandbox caps them there (default: 75%% of RAM).")
    Long memoryCapacityMb;

    @Option(
            names = "--memory-overcommit",
            description = "How far the environments' MemorySize limits may add up past --memory-capacity, "
                    + "as a ratio: 1 admits only what fits if every environment used its whole limit; above 1, "
                    + "idle environments are evicted and new ones refused (429) under memory pressure "
                    + "(default: ${DEFAULT-VALUE}).",
            defaultValue = "4")
    double memoryOvercommit;

    @Option(
            names = "--async-concurrency",
            description = "Asynchronous invocations run at once; the rest of the "
                    + "concurrency stays free for synchronous calls (default: ${DEFAULT-VALUE}).",
            defaultValue = "32")
    int asyncConcurrency;

    @Option(
            names = "--async-retry-delays",
            split = ",",
            converter = DurationConverter.class,
            description = "Waits before the 1st, 2nd retry of a failed asynchronous invocation "
                    + "(default: ${DEFAULT-VALUE}, as Lambda).",
            defaultValue = "1m,2m")
    List<Duration> asyncRetryDelays;

    @Option(
            names = "--auth",
            description = "none (default: every request is account 000000000000; for local use) or "
                    + "sigv4 (every request must be signed with a key from `spur keys create`).",
            defaultValue = "none")
    String auth;

    @Option(
            names = "--sandbox",
            description =
                    "linux (default: namespaces, a host uid and a cgroup per environment "
                            + "with bubblewrap; needs bwrap and writable cgroups, checked at start: Spur refuses to start without them) or "
                            + "process (functions run as plain child processes with no isolation; for development, chosen explicitly).",
            defaultValue = "linux")
    String sandbox;

    @Option(
            names = "--bwrap",
            description = "Where bubblewrap is, for the linux sandbox (default: /usr/bin/bwrap).",
            defaultValue = "/usr/bin/bwrap")
    Path bwrap;

    @Option(
            names = "--metrics-token",
            description =
                    "A bearer token GET /metrics requires (Authorization: Bearer <token>), from any address. "
                            + "Without it, /metrics is open with --auth none and answers loopback clients only with --auth sigv4.")
    String metricsToken;

    @Option(
            names = "--otlp-endpoint",
            description = "Send a span per invocation (OTLP/HTTP protobuf) to this collector, e.g. "
                    + "http://localhost:4318 (spans go to <endpoint>/v1/traces). Off by default.")
    URI otlpEndpoint;

    @Option(
            names = "--prices",
            paramLabel = "FILE",
            description = "A JSON price table for the estimated bill (spur usage, the console), replacing any of "
                    + "requestsPerMillion, gbSecond, provisionedGbSecond, provisionedDurationGbSecond, ephemeralGbSecond "
                    + "(default: Lambda's us-east-1 x86 list prices).")
    Optional<Path> prices;

    @Option(
            names = "--sandbox-uids",
            description =
                    "Host uids the linux sandbox gives environments, one each, as FIRST-LAST (default: "
                            + "${DEFAULT-VALUE}). In a Kubernetes pod with hostUsers: false only 0-65535 exist: use e.g. 20000-65533.",
            defaultValue = "1000000-1065535")
    String sandboxUids;

    @Option(
            names = "--drain-timeout",
            description =
                    "On SIGTERM or Ctrl-C: how long invocations in progress may run on while the port refuses new "
                            + "connections (default: ${DEFAULT-VALUE}, the longest function timeout). What still runs then is cut off.",
            defaultValue = "15m",
            converter = DurationConverter.class)
    Duration drainTimeout;

    /** {@code $SPUR_CLUSTER_KEY}, the key the nodes of a fleet share, if set. */
    static Optional<ClusterKey> clusterKey() {
        String text = System.getenv("SPUR_CLUSTER_KEY");
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ClusterKey.parse(text));
        } catch (IllegalArgumentException e) {
            throw CliException.usage("$SPUR_CLUSTER_KEY: %s", e.getMessage());
        }
    }

    /** The fleet options: the cluster key, {@code --node-name} and {@code --advertise} (or their variables). */
    private Fleet fleet(boolean shared) {
        if (!shared) {
            return Fleet.NONE;
        }
        Fleet fleet = Fleet.NONE.withClusterKey(clusterKey());
        Optional<String> name = Optional.ofNullable(nodeName)
                .or(() -> Optional.ofNullable(System.getenv("SPUR_NODE_NAME")))
                .map(String::strip)
                .filter(n -> !n.isEmpty());
        if (name.isPresent()) {
            fleet = fleet.withNodeName(name.get());
        }
        Optional<String> at = Optional.ofNullable(advertise)
                .or(() -> Optional.ofNullable(System.getenv("SPUR_ADVERTISE")))
                .map(String::strip)
                .filter(a -> !a.isEmpty());
        if (at.isPresent()) {
            try {
                URI uri = new URI(at.get());
                if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
                    throw new URISyntaxException(at.get(), "not http://host:port");
                }
                fleet = fleet.withAdvertise(uri);
            } catch (URISyntaxException e) {
                throw CliException.usage("--advertise must be http://host:port, not %s", at.get());
            }
        }
        return fleet;
    }

    /** {@code --database}, else {@code $SPUR_DATABASE_URL}, checked to be a PostgreSQL URL. */
    static Optional<String> databaseUrl(String option) {
        Optional<String> url = Optional.ofNullable(option)
                .or(() -> Optional.ofNullable(System.getenv("SPUR_DATABASE_URL")))
                .map(String::strip)
                .filter(u -> !u.isEmpty());
        if (url.isPresent() && !Database.isPostgresUrl(url.get())) {
            throw CliException.usage("--database (or $SPUR_DATABASE_URL) must be a PostgreSQL URL: "
                    + "postgresql://user:password@host:port/database or jdbc:postgresql://host:port/database");
        }
        return url;
    }

    @Override
    public Integer call() throws InterruptedException {
        SpurServer.Auth mode = switch (auth) {
            case "none" -> SpurServer.Auth.NONE;
            case "sigv4" -> SpurServer.Auth.SIGV4;
            default ->
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "--auth must be none or sigv4, not " + auth);
        };
        String why;
        Sandbox chosen = switch (sandbox) {
            case "process" -> {
                why = "chosen with --sandbox process: functions run as plain child processes, with no sandbox and no "
                        + "resource limits (development only)";
                yield Sandbox.process();
            }
            case "linux" -> {
                LinuxSandbox.Settings settings =
                        hostUids(LinuxSandbox.Settings.defaults().withBwrap(bwrap));
                LinuxSandbox.Availability availability = LinuxSandbox.check(settings);
                if (!availability.available()) {
                    throw CliException.usage(
                            "refusing to start: the linux sandbox cannot run here: %s. To run functions "
                                    + "without isolation (development only), start with --sandbox process.",
                            availability.reason());
                }
                why = availability.reason();
                yield Sandbox.linux(settings);
            }
            default ->
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "--sandbox must be process or linux, not " + sandbox);
        };
        JETTY_LOG.setLevel(Level.WARNING); // its INFO start-up lines would bury Spur's own banner
        HIKARI_LOG.setLevel(Level.WARNING); // the same for the database pool's
        KAFKA_LOG.setLevel(Level.WARNING); // and for Kafka mappings' consumers (config dumps, app info)
        if (!(memoryOvercommit >= 1 && memoryOvercommit <= 100)) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--memory-overcommit must be between 1 and 100, not " + memoryOvercommit);
        }
        PoolSettings pools = PoolSettings.withKeepAlive(keepAlive)
                .withAccountConcurrency(maxConcurrency)
                .withMemoryOvercommit(memoryOvercommit);
        if (memoryCapacityMb != null) {
            pools = pools.withMemoryCapacityMb(memoryCapacityMb);
        }
        Path dir = dataDir != null ? dataDir : SpurServer.Options.defaultDataDir();
        Optional<String> databaseUrl = databaseUrl(database);
        SpurServer.Options options = SpurServer.Options.defaults(dir.toAbsolutePath())
                .withPort(port)
                .withHost(host)
                .withPools(pools)
                .withAuth(mode)
                .withAsync(new AsyncPolicy(
                        asyncConcurrency,
                        asyncRetryDelays,
                        AsyncPolicy.defaults().throttleBackoff(),
                        AsyncPolicy.defaults().throttleBackoffMax()))
                .withSandbox(chosen)
                .withDatabase(databaseUrl)
                .withPrices(priceTable())
                .withTelemetry(telemetry())
                .withFleet(fleet(databaseUrl.isPresent()));
        SpurServer server;
        try {
            server = SpurServer.start(options);
        } catch (IllegalStateException e) {
            if (chosen.isolatesFiles() || databaseUrl.isPresent()) { // a closed data directory, or the database
                throw CliException.usage("%s", e.getMessage());
            }
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            int running = server.pools().stats().inFlight();
                            if (running > 0) {
                                System.out.println("Spur is draining: " + running + " invocations in progress, "
                                        + "waiting up to " + drainTimeout.toSeconds() + " s (kill -9 stops at once)");
                                System.out.flush();
                            }
                            server.close(drainTimeout);
                            stopped.countDown();
                        },
                        "spur-shutdown"));
        String endpoint = server.endpoint();
        System.out.println("Spur is listening on " + endpoint);
        System.out.println("  data dir:   " + server.dataDir());
        System.out.println("  state:      " + server.state());
        server.nodeName().ifPresent(n -> System.out.println("  node:       " + n + " (see `spur nodes`)"));
        System.out.println("  isolation:  " + server.isolation() + " — " + why);
        if (mode == SpurServer.Auth.NONE) {
            System.out.println(
                    "  auth:       NONE — every request is accepted, unsigned or not, as account 000000000000;");
            System.out.println("              AWS_IAM function URLs are public. Use --auth sigv4 for anything shared.");
        } else {
            System.out.println("  auth:       sigv4 — every Lambda API request must be signed with a key from "
                    + "`spur keys create --account <12 digits>` ("
                    + server.keys().list().size() + " keys now)");
        }
        System.out.println("  runtimes:   " + String.join(" ", server.runtimes()));
        System.out.println("  keep-alive: " + keepAlive.toSeconds() + " s, concurrency limit " + maxConcurrency
                + ", asynchronous " + asyncConcurrency + " at once");
        System.out.println("Try:");
        System.out.println("  " + server.tryCommand());
        System.out.flush();
        stopped.await();
        return 0;
    }

    private PriceTable priceTable() {
        if (prices.isEmpty()) {
            return PriceTable.US_EAST_1;
        }
        try {
            return PriceTable.load(prices.get());
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw CliException.usage("--prices %s: %s", prices.get(), e.getMessage());
        }
    }

    private TelemetrySettings telemetry() {
        TelemetrySettings t = TelemetrySettings.defaults();
        if (metricsToken != null) {
            if (metricsToken.isBlank()) {
                throw CliException.usage("--metrics-token must not be blank");
            }
            t = t.withMetricsToken(metricsToken);
        }
        if (otlpEndpoint != null) {
            if (!"http".equals(otlpEndpoint.getScheme()) && !"https".equals(otlpEndpoint.getScheme())) {
                throw CliException.usage("--otlp-endpoint must be an http:// or https:// URL, not %s", otlpEndpoint);
            }
            t = t.withOtlpEndpoint(otlpEndpoint);
        }
        return t;
    }

    /** {@code settings} with the host uids of {@code --sandbox-uids}. */
    private LinuxSandbox.Settings hostUids(LinuxSandbox.Settings settings) {
        String[] range = sandboxUids.split("-", -1);
        int first;
        int last;
        try {
            first = range.length == 2 ? Integer.parseInt(range[0].strip()) : -1;
            last = range.length == 2 ? Integer.parseInt(range[1].strip()) : -1;
        } catch (NumberFormatException e) {
            first = -1;
            last = -1;
        }
        if (first < 1 || last < first) {
            throw CliException.usage("--sandbox-uids must be FIRST-LAST with 0 < FIRST <= LAST, not %s", sandboxUids);
        }
        return new LinuxSandbox.Settings(
                settings.bwrap(),
                settings.uid(),
                settings.gid(),
                first,
                last - first + 1,
                settings.pidsMax(),
                settings.cgroupName(),
                settings.stateDirectory(),
                settings.spares());
    }
}
