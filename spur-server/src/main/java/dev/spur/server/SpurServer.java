package dev.spur.server;

import dev.spur.auth.ClusterKey;
import dev.spur.auth.SecretBox;
import dev.spur.auth.SigV4Verifier;
import dev.spur.common.Caller;
import dev.spur.common.FunctionKey;
import dev.spur.common.FunctionTargets;
import dev.spur.common.LambdaException;
import dev.spur.common.Ticker;
import dev.spur.control.ControlPlane;
import dev.spur.edge.EdgeServer;
import dev.spur.events.EventBuses;
import dev.spur.events.EventsService;
import dev.spur.gateway.Gateways;
import dev.spur.invoke.AsyncDispatcher;
import dev.spur.invoke.AsyncPolicy;
import dev.spur.invoke.InvocationTracer;
import dev.spur.invoke.Invoker;
import dev.spur.logs.LogStore;
import dev.spur.pools.PoolSettings;
import dev.spur.pools.Pools;
import dev.spur.pools.ProvisionedPlacement;
import dev.spur.queue.EventQueue;
import dev.spur.queue.MessageStore;
import dev.spur.queue.ObjectIndex;
import dev.spur.queue.PubSubStore;
import dev.spur.runtimes.Runtimes;
import dev.spur.s3.FunctionLookup;
import dev.spur.s3.S3Service;
import dev.spur.sandbox.LinuxSandbox;
import dev.spur.sandbox.Sandbox;
import dev.spur.sns.SnsService;
import dev.spur.sns.Topics;
import dev.spur.sqs.Queues;
import dev.spur.sqs.SqsService;
import dev.spur.store.ChangeFollower;
import dev.spur.store.CodeStore;
import dev.spur.store.Database;
import dev.spur.store.MappingLeases;
import dev.spur.store.Membership;
import dev.spur.store.MetadataStore;
import dev.spur.store.UsageStore;
import dev.spur.store.Wakeups;
import dev.spur.telemetry.Metrics;
import dev.spur.telemetry.TelemetrySettings;
import dev.spur.telemetry.Tracing;
import dev.spur.triggers.EventSourceMappings;
import dev.spur.triggers.Schedules;
import dev.spur.usage.PriceTable;
import dev.spur.usage.UsageMeter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One Spur process: store, code store, runtimes, pools, control plane and HTTP edge, wired
 * together on one data directory.
 *
 * <pre>
 * &lt;data dir&gt;/spur.db      metadata (SQLite, WAL)
 *            /code/         code packages by SHA-256 (zip + read-only unpacked tree)
 *            /logs/         function logs, bounded per function; logs/apis/: gateway access logs
 *            /runtimes/     runtime clients extracted from Spur's jar
 *            /run/          environments' output files (emptied at start)
 *            /queue.db      asynchronous events and dead letters (SQLite, WAL, group commit)
 *            /master.key    seals access keys' secrets in spur.db (0600)
 *            /usage.db      usage per function version and hour (SQLite, WAL)
 * </pre>
 *
 * <p>With {@link Options#database()} (a PostgreSQL URL) the metadata, the code packages and the queue
 * live in that shared database instead of {@code spur.db}, {@code code/} and {@code queue.db}; the data
 * directory keeps this node's caches (unpacked code), logs, runtimes and run files.
 */
public final class SpurServer implements AutoCloseable {
    /** How often usage sums go to the store. */
    static final Duration USAGE_FLUSH = Duration.ofSeconds(10);
    /** How many minutes of per-function series the console's charts can show: 24 hours. */
    static final int SERIES_MINUTES = 1440;
    /** How often the change feed is read when no wake-up came (PostgreSQL's NOTIFY, or none on SQLite). */
    static final Duration FEED_POLL = Duration.ofSeconds(1);
    /** The NOTIFY channel on which a node announces the queues it accepted messages for. */
    static final String SQS_CHANNEL = "spur_sqs";

    /** How requests are authenticated. */
    public enum Auth {
        NONE,
        SIGV4
    }

    /** How often a drain looks whether invocations are still running. */
    private static final Duration DRAIN_POLL = Duration.ofMillis(20);

    private final Options options;
    private final Optional<Database> database;
    private final MetadataStore store;
    private final Pools pools;
    private final LogStore logs;
    private final Runtimes runtimes;
    private final AccessKeyService keys;
    private final EventQueue queue;
    private final AsyncDispatcher dispatcher;
    private final Schedules schedules;
    private final Gateways gateways;
    private final Metrics metrics;
    private final UsageStore usageStore;
    private final UsageMeter usage;
    private final Optional<Tracing> tracing;
    private final Queues queues;
    private final Topics topics;
    /** Sends to a queue on this node wake the other nodes' long polls and pollers (none on one node). */
    private final Wakeups sqsWakeups;

    private final EventSourceMappings mappings;
    private final EdgeServer edge;
    private final ChangeFollower follower;
    private final Optional<FleetNode> fleet;
    private final Optional<PeerRouting> routing;

    private SpurServer(Options options) {
        this.options = options;
        Path data = options.dataDir();
        requireReachable(options.sandbox(), List.of(data)); // before anything is created
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + data, e);
        }
        this.database = options.database().map(Database::postgres);
        this.store = openStore(database, data);
        Pools started = null;
        EventQueue openedQueue = null;
        AsyncDispatcher startedDispatcher = null;
        Schedules startedSchedules = null;
        Metrics createdMetrics = null;
        UsageStore openedUsage = null;
        UsageMeter startedMeter = null;
        Optional<Tracing> createdTracing = Optional.empty();
        ChangeFollower startedFollower = null;
        FleetNode joined = null;
        PeerRouting peers = null;
        EventSourceMappings startedMappings = null;
        Wakeups openedWakeups = Wakeups.NONE;
        try {
            long fedFrom = store.latestChange(); // before the registries load: nothing committed after is missed
            CodeStore code = database.map(d -> CodeStore.shared(data.resolve("code"), d))
                    .orElseGet(() -> CodeStore.open(data.resolve("code")));
            collectUnusedCode(store, code);
            this.runtimes = Runtimes.install(data.resolve("runtimes"));
            LogStore logs = LogStore.open(data.resolve("logs"));
            this.logs = logs;
            // the logs' indexes load beside the rest of the start, so the first query after a restart finds them
            Thread.ofVirtual().name("spur-logs-warm").start(logs::warm);
            requireReachable(options.sandbox(), List.of(data.resolve("code"), runtimes.directory()));
            cleanUpLeftovers(options.sandbox());
            InstantSource clock = options.clock();
            Ticker ticker = options.ticker();
            started = new Pools(options.pools(), options.sandbox(), logs, data.resolve("run"), ticker, clock, true);
            this.pools = started;
            if (database.isPresent()) {
                // a fleet node holds its part of each provisioned configuration, known once it reads the live nodes
                pools.placeProvisioned(ProvisionedPlacement.NOTHING_YET);
            }
            ControlPlane control = new ControlPlane(store, code, runtimes, pools, clock);
            openedQueue = database.map(d -> EventQueue.postgres(d, nodeName(data), clock))
                    .orElseGet(() -> EventQueue.sqlite(data.resolve("queue.db"), clock));
            this.queue = openedQueue;
            // One name per node: the fleet's --node-name labels its metrics too.
            createdMetrics = Metrics.create(options.telemetry()
                            .nodeName()
                            .or(() -> options.fleet().nodeName())
                            .orElseGet(options.telemetry()::node))
                    .bindNode(pools, queue, options.sandbox() instanceof LinuxSandbox);
            this.metrics = createdMetrics;
            createdTracing = options.telemetry().otlpEndpoint().map(e -> Tracing.otlp(e, metrics.node()));
            this.tracing = createdTracing;
            openedUsage =
                    database.map(UsageStore::postgres).orElseGet(() -> UsageStore.sqlite(data.resolve("usage.db")));
            this.usageStore = openedUsage;
            Pools meteredPools = pools;
            startedMeter = new UsageMeter(
                            usageStore,
                            clock,
                            () -> meteredPools.provisionedEnvironments().stream()
                                    .map(p -> new UsageMeter.Provisioned(
                                            p.function(), p.version(), p.memoryMb(), p.environments()))
                                    .toList(),
                            SERIES_MINUTES)
                    .start(USAGE_FLUSH);
            this.usage = startedMeter;
            Invoker invoker = new Invoker(
                    control,
                    pools,
                    queue,
                    clock,
                    metrics,
                    tracing.map(InvocationTracer.class::cast),
                    Optional.of(usage));
            // started once functions can be told where this server is (platformVariables below): an event left
            // queued by a crash runs at once, in an environment that keeps the variables it was launched with
            startedDispatcher = new AsyncDispatcher(control, invoker, queue, options.async(), clock);
            this.dispatcher = startedDispatcher;
            startedSchedules = new Schedules(store, queue, control.targets(), clock).start();
            this.schedules = startedSchedules;
            this.keys = database.map(d -> keys(store, d, options.fleet().clusterKey(), clock))
                    .orElseGet(() -> keys(store, data, clock));
            Optional<SigV4Verifier> verifier =
                    options.auth() == Auth.SIGV4 ? Optional.of(new SigV4Verifier(keys, clock)) : Optional.empty();
            this.gateways = new Gateways(store, control.targets(), clock);
            String memberName = options.fleet().nodeName().orElseGet(SpurServer::hostName);
            this.queues = Queues.create(MessageStore.on(queue), clock, database.isPresent());
            Queues woken = queues;
            openedWakeups = database.map(d -> Wakeups.postgres(d, SQS_CHANNEL, woken::woken))
                    .orElse(Wakeups.NONE);
            this.sqsWakeups = openedWakeups;
            queues.announceSendsTo(sqsWakeups::announce);
            startedMappings = new EventSourceMappings(
                    store,
                    queues,
                    invoker,
                    control.targets(),
                    clock,
                    database.map(d -> MappingLeases.postgres(d, memberName, EventSourceMappings.LEASE))
                            .orElseGet(MappingLeases::all));
            this.mappings = startedMappings;
            EventSourceMappings polling = startedMappings;
            Optional<FleetNode> member = database.map(d -> new FleetNode(
                    Membership.of(d),
                    memberName,
                    ClusterKeys.resolve(d, options.fleet().clusterKey()),
                    pools,
                    polling::polled));
            this.topics = Topics.create(PubSubStore.on(queue), queues, clock, database.isPresent(), () -> endpoint());
            this.edge = new EdgeServer(
                            options.host(),
                            options.port(),
                            new EdgeServer.Dependencies(
                                    options.region(),
                                    verifier,
                                    clock,
                                    ticker,
                                    control,
                                    invoker,
                                    queue,
                                    dispatcher,
                                    schedules,
                                    gateways,
                                    logs,
                                    code,
                                    SqsService.create(queues),
                                    S3Service.create(
                                            ObjectIndex.on(queue),
                                            s3Directory(data),
                                            database.isPresent(),
                                            queues,
                                            functionLookup(control),
                                            clock),
                                    SnsService.create(topics),
                                    EventsService.create(EventBuses.create(
                                            PubSubStore.on(queue), queues, clock, database.isPresent())),
                                    mappings,
                                    data.resolve("logs").resolve("apis"),
                                    metrics,
                                    options.telemetry().metricsToken(),
                                    member.map(m -> m),
                                    usage,
                                    options.prices()))
                    .start();
            pools.platformVariables(platformVariables(endpoint(), options.auth()));
            Thread.ofVirtual().name("spur-logs-api-warm").start(edge::warmLogs);
            startedDispatcher.start();
            startedMappings.start();
            if (member.isPresent()) {
                joined = member.get();
                joined.join(options.fleet().advertise().orElseGet(() -> advertised(options.host(), edge.port())));
                if (options.fleet().affinity()) {
                    peers = new PeerRouting(joined, pools, clock);
                    invoker.route(peers);
                }
            }
            this.fleet = Optional.ofNullable(joined);
            this.routing = Optional.ofNullable(peers);
            startedFollower = ChangeFollower.start(
                    store, fedFrom, FEED_POLL, new RegistryFeed(control, gateways, schedules, keys, mappings));
            this.follower = startedFollower;
        } catch (RuntimeException e) {
            if (startedMappings != null) {
                startedMappings.close();
            }
            openedWakeups.close();
            createdTracing.ifPresent(Tracing::close);
            if (createdMetrics != null) {
                createdMetrics.close();
            }
            if (peers != null) {
                peers.close();
            }
            if (joined != null) {
                joined.close();
            }
            if (startedFollower != null) {
                startedFollower.close();
            }
            if (startedSchedules != null) {
                startedSchedules.close();
            }
            if (startedDispatcher != null) {
                startedDispatcher.close();
            }
            if (startedMeter != null) {
                startedMeter.close();
            }
            if (openedUsage != null) {
                openedUsage.close();
            }
            if (started != null) {
                started.close();
            }
            if (openedQueue != null) {
                openedQueue.close();
            }
            store.close();
            database.ifPresent(Database::close);
            throw e;
        }
    }

    /** The access keys of the store at {@code data}, sealed with the master key there (for tools, on the system clock). */
    public static AccessKeyService keys(MetadataStore store, Path data) {
        return keys(store, data, InstantSource.system());
    }

    private static AccessKeyService keys(MetadataStore store, Path data, InstantSource clock) {
        return new AccessKeyService(store, SecretBox.open(data.resolve("master.key")), clock);
    }

    /**
     * The access keys of a fleet's shared database, sealed with its cluster key: {@code configured} (what
     * the nodes are given), else the key kept in the database (see {@link ClusterKeys}).
     *
     * @throws IllegalStateException if {@code configured} is not the key the fleet uses
     */
    public static AccessKeyService keys(MetadataStore store, Database database, Optional<ClusterKey> configured) {
        return keys(store, database, configured, InstantSource.system());
    }

    private static AccessKeyService keys(
            MetadataStore store, Database database, Optional<ClusterKey> configured, InstantSource clock) {
        return new AccessKeyService(
                store, ClusterKeys.resolve(database, configured).sealing(), clock);
    }

    /** Starts a server; returns once it accepts requests. */
    public static SpurServer start(Options options) {
        return new SpurServer(options);
    }

    public int port() {
        return edge.port();
    }

    /**
     * Where S3 keeps object bytes: {@code <data>/s3}, or the directory {@code SPUR_S3_DIRECTORY} names —
     * with {@code --database}, a directory every node mounts (a PVC or NFS share), since an object's row in
     * the shared database may be read by any node.
     */
    static Path s3Directory(Path data) {
        String shared = System.getenv("SPUR_S3_DIRECTORY");
        return shared == null || shared.isBlank() ? data.resolve("s3") : Path.of(shared);
    }

    /** S3 notifications' functions: the bucket owner's, resolved as triggers resolve them. */
    private static FunctionLookup functionLookup(ControlPlane control) {
        FunctionTargets targets = control.targets();
        return (account, region, arn) -> {
            try {
                FunctionTargets.Target t = targets.resolve(new Caller(account, region), arn, "");
                return Optional.of(
                        new FunctionLookup.Target(new FunctionKey(account, region, t.functionName()), t.qualifier()));
            } catch (LambdaException e) {
                return Optional.empty();
            }
        };
    }

    /**
     * What every function's environment is told about this server: the endpoint of its AWS-compatible
     * services, so that an SDK inside the function sends SQS (and later S3, …) calls to Spur; with
     * {@code --auth none}, placeholder credentials, so that it can sign at all (any signature is accepted).
     * With SigV4 on, a function passes its own key in its variables.
     */
    static Map<String, String> platformVariables(String endpoint, Auth auth) {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("AWS_ENDPOINT_URL", endpoint);
        variables.put("AWS_ENDPOINT_URL_SQS", endpoint);
        variables.put("AWS_ENDPOINT_URL_S3", endpoint);
        variables.put("AWS_ENDPOINT_URL_SNS", endpoint);
        variables.put("AWS_ENDPOINT_URL_EVENTBRIDGE", endpoint);
        if (auth != Auth.SIGV4) {
            variables.put("AWS_ACCESS_KEY_ID", "spur");
            variables.put("AWS_SECRET_ACCESS_KEY", "spur");
        }
        return variables;
    }

    /**
     * SNS topics on this server, for services that publish in-process (S3's notifications): {@link
     * Topics#publish} returns once every delivery is durable.
     */
    public Topics topics() {
        return topics;
    }

    /** {@code http://host:port}, for {@code --endpoint-url}. */
    public String endpoint() {
        String host = options.host().equals("0.0.0.0") ? "127.0.0.1" : options.host();
        return "http://" + host + ":" + port();
    }

    /** A command that works as printed against this server: the AWS CLI listing its functions. */
    public String tryCommand() {
        if (options.auth() == Auth.SIGV4) {
            return "spur keys create --account 123456789012 --data-dir " + options.dataDir()
                    + "   # then use the printed key with: aws lambda list-functions --endpoint-url " + endpoint();
        }
        return "AWS_ACCESS_KEY_ID=spur AWS_SECRET_ACCESS_KEY=spur AWS_DEFAULT_REGION=" + options.region()
                + " aws lambda list-functions --endpoint-url " + endpoint();
    }

    public Path dataDir() {
        return options.dataDir();
    }

    public AccessKeyService keys() {
        return keys;
    }

    public Auth auth() {
        return options.auth();
    }

    /** The function logs (log groups) of this node. */
    public LogStore logs() {
        return logs;
    }

    public Pools pools() {
        return pools;
    }

    public List<String> runtimes() {
        return runtimes.ids();
    }

    public String isolation() {
        return options.sandbox().name();
    }

    /**
     * Drains, then {@link #close() closes}: what a node does on SIGTERM. A fleet's node leaves the membership
     * first (peers that still send it a hop get 503 and try the next node). Asynchronous dispatch stops
     * taking events, schedules stop firing and event-source pollers stop taking batches; the HTTP port stops accepting connections, answers new
     * requests on open ones with 503, and lets requests in progress finish; then every invocation
     * still running (asynchronous ones, gateway integrations past their timeout) may finish. All of
     * it within {@code bound}, measured from the call.
     *
     * <p>Failure semantics: what is still running at the bound is cut off as by a crash — a
     * synchronous caller's connection closes without an answer (the function may have run), an
     * asynchronous event stays in the queue and runs again (at least once). Accepted events not yet
     * taken stay queued; a schedule due meanwhile fires after the restart (missed fires run once).
     */
    public void close(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        fleet.ifPresent(FleetNode::close); // LEFT: the other nodes stop routing here at their next reading (~1 s)
        dispatcher.pause();
        schedules.close();
        mappings.close(); // pollers take no new batch; a batch being invoked finishes like any invocation
        edge.close(bound);
        try {
            while (pools.stats().inFlight() > 0 && deadline - System.nanoTime() > 0) {
                Thread.sleep(DRAIN_POLL);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /** Stops at once: invocations in progress are cut off (see {@link #close(Duration)} for what that means). */
    @Override
    public void close() {
        fleet.ifPresent(FleetNode::close); // the others stop routing here at their next reading
        follower.close();
        edge.close();
        routing.ifPresent(PeerRouting::close);
        mappings.close();
        schedules.close();
        dispatcher.close();
        usage.close(); // its last batch
        usageStore.close();
        pools.close();
        logs.close(); // checkpoints the open segments' indexes: the next start scans none of them
        options.sandbox().close(); // its parked launcher
        sqsWakeups.close();
        queue.close();
        store.close();
        database.ifPresent(Database::close);
        tracing.ifPresent(Tracing::close); // sends what is queued
        metrics.close();
    }

    /** The OpenTelemetry export, when an OTLP endpoint was given. */
    public Optional<Tracing> tracing() {
        return tracing;
    }

    /** The node's metrics (what {@code GET /metrics} scrapes). */
    public Metrics metrics() {
        return metrics;
    }

    private static MetadataStore openStore(Optional<Database> database, Path data) {
        try {
            return database.map(MetadataStore::postgres).orElseGet(() -> MetadataStore.sqlite(data.resolve("spur.db")));
        } catch (RuntimeException e) {
            database.ifPresent(Database::close);
            throw e;
        }
    }

    /**
     * This node's name as the owner of queue leases: host and data directory, stable across restarts (so
     * a restarted node takes back its events at once) and distinct for two nodes on one host.
     */
    static String nodeName(Path data) {
        return hostName() + ":" + data.toAbsolutePath().normalize();
    }

    /** This machine's host name: a fleet node's default name. */
    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** Where peers reach a node listening on {@code host:port} when it is not told: the host name if it listens on all. */
    static URI advertised(String host, int port) {
        String h = host.equals("0.0.0.0") || host.equals("::") ? hostName() : host;
        return URI.create("http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port);
    }

    /** This node's fleet membership, with a shared database. */
    public Optional<String> nodeName() {
        return fleet.map(FleetNode::name);
    }

    /** Where the shared state lives, for the banner: the database without its password, or the data directory. */
    public String state() {
        return database.map(d -> "PostgreSQL " + d.describe() + " (shared)").orElse("SQLite in " + options.dataDir());
    }

    public EventQueue queue() {
        return queue;
    }

    public Gateways gateways() {
        return gateways;
    }

    public AsyncDispatcher dispatcher() {
        return dispatcher;
    }

    public Schedules schedules() {
        return schedules;
    }

    /**
     * The linux sandbox runs functions as an unprivileged host user, which must be able to reach the
     * code and runtime clients it mounts: their trees are world-readable, and every directory above
     * them must let others traverse. Directories not created yet are skipped.
     *
     * @throws IllegalStateException naming the directory to fix, if one is closed to others
     */
    private static void requireReachable(Sandbox sandbox, List<Path> mounted) {
        if (!sandbox.isolatesFiles()) {
            return;
        }
        for (Path dir : mounted) {
            for (Path p = dir.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
                try {
                    if (Files.exists(p)
                            && !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                        throw new IllegalStateException("the linux sandbox's user cannot reach " + dir + ": " + p
                                + " is closed to others (chmod o+x " + p + ", or use a data directory others can "
                                + "traverse, e.g. --data-dir /var/lib/spur)");
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the permissions of " + p, e);
                }
            }
        }
    }

    /** Kills and removes the environments a previous Spur left running (it crashed), before any starts. */
    private static void cleanUpLeftovers(Sandbox sandbox) {
        if (sandbox instanceof LinuxSandbox linux) {
            try {
                linux.cleanUpLeftovers();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove a previous Spur's sandboxes", e);
            }
        }
    }

    /**
     * At start no environment runs, so packages no function, function's layer or layer version refers to
     * can go (merged layer directories too: they are rebuilt on first use).
     */
    private static void collectUnusedCode(MetadataStore store, CodeStore code) {
        Set<String> keep = new HashSet<>();
        for (MetadataStore.StoredFunction fn : store.allFunctions()) {
            keep.add(fn.latest().code().sha256Hex());
            fn.latest().layers().forEach(l -> keep.add(l.sha256Hex()));
            fn.versions().forEach(v -> {
                keep.add(v.code().sha256Hex());
                v.layers().forEach(l -> keep.add(l.sha256Hex()));
            });
        }
        store.allLayerVersions().forEach(l -> keep.add(l.code().sha256Hex()));
        code.retainOnly(keep);
    }

    /**
     * @param host      address to listen on ({@code 127.0.0.1} by default: with no authentication yet,
     *                  Spur should not be reachable from other machines unless asked)
     * @param port      0 for an ephemeral port
     * @param region    the region of unsigned requests
     * @param auth      {@link Auth#NONE}: every request is the default account; {@link Auth#SIGV4}: every
     *                  Lambda API request must carry a valid signature made with a known access key
     * @param clock     the server's one wall clock, handed to every part it wires (the system's by default)
     * @param ticker    the server's one monotonic time source, likewise ({@link Ticker#system()} by default)
     */
    public record Options(
            String host,
            int port,
            Path dataDir,
            String region,
            PoolSettings pools,
            Sandbox sandbox,
            Auth auth,
            AsyncPolicy async,
            Optional<String> database,
            InstantSource clock,
            Ticker ticker,
            TelemetrySettings telemetry,
            Fleet fleet,
            PriceTable prices) {
        public static final int DEFAULT_PORT = 9000;

        public Options {
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(ticker, "ticker");
            Objects.requireNonNull(telemetry, "telemetry");
            Objects.requireNonNull(fleet, "fleet");
            Objects.requireNonNull(prices, "prices");
        }

        public static Options defaults(Path dataDir) {
            return new Options(
                    "127.0.0.1",
                    DEFAULT_PORT,
                    dataDir,
                    "us-east-1",
                    PoolSettings.defaults(),
                    Sandbox.process(),
                    Auth.NONE,
                    AsyncPolicy.defaults(),
                    Optional.empty(),
                    InstantSource.system(),
                    Ticker.system(),
                    TelemetrySettings.defaults(),
                    Fleet.NONE,
                    PriceTable.US_EAST_1);
        }

        public Options withPort(int p) {
            return new Options(
                    host, p, dataDir, region, pools, sandbox, auth, async, database, clock, ticker, telemetry, fleet,
                    prices);
        }

        public Options withHost(String h) {
            return new Options(
                    h, port, dataDir, region, pools, sandbox, auth, async, database, clock, ticker, telemetry, fleet,
                    prices);
        }

        public Options withPools(PoolSettings s) {
            return new Options(
                    host, port, dataDir, region, s, sandbox, auth, async, database, clock, ticker, telemetry, fleet,
                    prices);
        }

        public Options withAuth(Auth a) {
            return new Options(
                    host, port, dataDir, region, pools, sandbox, a, async, database, clock, ticker, telemetry, fleet,
                    prices);
        }

        public Options withAsync(AsyncPolicy a) {
            return new Options(
                    host, port, dataDir, region, pools, sandbox, auth, a, database, clock, ticker, telemetry, fleet,
                    prices);
        }

        /** {@link Sandbox#process()} by default; a {@link LinuxSandbox} should have passed its check. */
        public Options withSandbox(Sandbox s) {
            return new Options(
                    host, port, dataDir, region, pools, s, auth, async, database, clock, ticker, telemetry, fleet,
                    prices);
        }

        /**
         * The shared PostgreSQL database ({@code postgresql://user:password@host:port/db} or pgjdbc's
         * {@code jdbc:postgresql://...}) instead of the data directory's SQLite files; empty: embedded.
         */
        public Options withDatabase(Optional<String> url) {
            return new Options(
                    host, port, dataDir, region, pools, sandbox, auth, async, url, clock, ticker, telemetry, fleet,
                    prices);
        }

        /** How this node takes part in a fleet (with {@link #database()}). */
        public Options withFleet(Fleet f) {
            return new Options(
                    host, port, dataDir, region, pools, sandbox, auth, async, database, clock, ticker, telemetry, f,
                    prices);
        }

        /** The time sources every part of the server reads (tests pass fakes they advance by hand). */
        public Options withTime(InstantSource c, Ticker t) {
            return new Options(
                    host, port, dataDir, region, pools, sandbox, auth, async, database, c, t, telemetry, fleet, prices);
        }

        /** Node name, metrics token and OTLP endpoint. */
        public Options withTelemetry(TelemetrySettings t) {
            return new Options(
                    host, port, dataDir, region, pools, sandbox, auth, async, database, clock, ticker, t, fleet,
                    prices);
        }

        /** The prices of the estimated bill ({@link PriceTable#US_EAST_1} by default). */
        public Options withPrices(PriceTable p) {
            return new Options(
                    host, port, dataDir, region, pools, sandbox, auth, async, database, clock, ticker, telemetry, fleet,
                    p);
        }

        /** {@code $SPUR_DATA_DIR}, else {@code /var/lib/spur} for root and {@code ~/.spur} for anyone else. */
        public static Path defaultDataDir() {
            String env = System.getenv("SPUR_DATA_DIR");
            if (env != null && !env.isBlank()) {
                return Path.of(env);
            }
            // root's home is closed to others, and the linux sandbox's users must reach the code
            return "root".equals(System.getProperty("user.name"))
                    ? Path.of("/var/lib/spur")
                    : Path.of(System.getProperty("user.home"), ".spur");
        }
    }
}
