package dev.spur.telemetry;

import dev.spur.common.FunctionKey;
import dev.spur.invoke.InvokeObserver;
import dev.spur.pools.Deployment;
import dev.spur.pools.Pools;
import dev.spur.queue.EventQueue;
import dev.spur.queue.QueueStats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Spur's metrics: Micrometer meters in a Prometheus registry, scraped at {@code GET /metrics} in the
 * Prometheus text format 0.0.4 or OpenMetrics 1.0 (by the {@code Accept} header). The exposition is
 * Micrometer's and the Prometheus client's, not Spur's.
 *
 * <p><b>The invoke path.</b> This is the {@link InvokeObserver} the invoker calls. Meters are resolved
 * once per (function, executed version, alias) and kept in nested concurrent maps keyed by the
 * function's key, the version and the alias — strings and records Spur already holds — so an invoke
 * costs three map reads, no allocation and no string building, then a few atomic adds and a histogram
 * bucket increment ({@link FunctionMeters}).
 *
 * <p><b>Cardinality.</b> Per-function series carry {@code function, region, account, version, alias}
 * (+ {@code node}, on every series): one set per version or alias actually invoked, so bounded by
 * functions × (versions + aliases) on the node; {@code type} (errors) and {@code reason} (throttles)
 * add a handful of fixed values. Request ids, trace ids and payloads are never labels. Series of a
 * deleted function stay until the process restarts. Node series add {@code runtime} and {@code state}.
 *
 * <p><b>Node gauges</b> (memory budget, environments per runtime and state, the queue) are read
 * from {@link Pools#stats}, {@link Pools#environmentsByRuntime} and {@link EventQueue#stats} once per
 * scrape, never on the invoke path.
 */
public final class Metrics implements InvokeObserver, AutoCloseable {
    /** {@code Content-Type} of the Prometheus text format. */
    public static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    /** {@code Content-Type} of OpenMetrics text. */
    public static final String OPENMETRICS_100 = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    static final Duration[] DURATION_BUCKETS =
            seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900);
    static final Duration[] INIT_BUCKETS = seconds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);
    static final Duration[] SANDBOX_BUCKETS = seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1);
    static final Duration[] AGE_BUCKETS = seconds(0.01, 0.1, 1, 10, 60, 300, 900, 3600, 21600);

    private final PrometheusMeterRegistry registry;
    private final String node;
    private final ConcurrentMap<FunctionKey, ConcurrentMap<String, ConcurrentMap<String, FunctionMeters>>> functions =
            new ConcurrentHashMap<>();
    private final ConcurrentMap<FunctionKey, AsyncMeters> async = new ConcurrentHashMap<>();
    private final Timer sandboxStart;
    private final JvmGcMetrics gc;
    private volatile NodeGauges nodeGauges;

    private Metrics(String node) {
        this.node = node;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("node", node);
        this.sandboxStart = Timer.builder("spur.sandbox.start")
                .description("Time the sandbox took to launch an environment (Runtime API endpoint and process), "
                        + "before the runtime's init")
                .serviceLevelObjectives(SANDBOX_BUCKETS)
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        this.gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Metrics labelled {@code node=<node>}; see {@link #hostName()} for the default name. */
    public static Metrics create(String node) {
        return new Metrics(node);
    }

    /** This machine's host name (the node label until nodes are named), or {@code localhost}. */
    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    public String node() {
        return node;
    }

    /**
     * Adds the node's gauges: memory budget, environments per runtime and state, the async queue.
     *
     * @param freezes whether idle environments are frozen (the linux sandbox): they count as frozen too
     */
    public Metrics bindNode(Pools pools, EventQueue queue, boolean freezes) {
        this.nodeGauges = new NodeGauges(registry, pools, queue, freezes);
        return this;
    }

    @Override
    public Probe probe(Deployment deployment, String alias) {
        FunctionKey key = deployment.config().key();
        String version = deployment.config().version();
        ConcurrentMap<String, ConcurrentMap<String, FunctionMeters>> versions = functions.get(key);
        if (versions == null) {
            versions = functions.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
        }
        ConcurrentMap<String, FunctionMeters> aliases = versions.get(version);
        if (aliases == null) {
            aliases = versions.computeIfAbsent(version, v -> new ConcurrentHashMap<>());
        }
        FunctionMeters meters = aliases.get(alias);
        if (meters == null) {
            meters = aliases.computeIfAbsent(alias, a -> new FunctionMeters(registry, key, version, a, sandboxStart));
        }
        return meters;
    }

    @Override
    public AsyncProbe async(FunctionKey function) {
        AsyncMeters meters = async.get(function);
        if (meters == null) {
            meters = async.computeIfAbsent(function, f -> new AsyncMeters(registry, f));
        }
        return meters;
    }

    /** What {@code GET /metrics} answers: the exposition and its content type. */
    public record Scrape(String contentType, byte[] body) {}

    /**
     * Scrapes every meter: OpenMetrics 1.0 when {@code accept} asks for
     * {@code application/openmetrics-text}, else the Prometheus text format 0.0.4.
     */
    public Scrape scrape(String accept) {
        String contentType =
                accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS_100 : TEXT_004;
        NodeGauges n = nodeGauges;
        if (n != null) {
            n.refresh();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try {
            registry.scrape(out, contentType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Scrape(contentType, out.toByteArray());
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    private static Duration[] seconds(double... values) {
        Duration[] d = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
        }
        return d;
    }

    /** Gauges of the node, refreshed once per scrape. */
    private static final class NodeGauges {
        private static final long MB = 1024 * 1024;
        private final PrometheusMeterRegistry registry;
        private final Pools pools;
        private final EventQueue queue;
        private final boolean freezes;
        private final AtomicLong memoryUsed = new AtomicLong();
        private final AtomicLong memoryFree = new AtomicLong();
        private final AtomicLong depth = new AtomicLong();
        private final AtomicLong oldestAgeMillis = new AtomicLong();
        private final AtomicLong deadLetters = new AtomicLong();
        private final Map<String, AtomicLong> environments = new ConcurrentHashMap<>();

        NodeGauges(PrometheusMeterRegistry registry, Pools pools, EventQueue queue, boolean freezes) {
            this.registry = registry;
            this.pools = pools;
            this.queue = queue;
            this.freezes = freezes;
            Gauge.builder("spur.node.memory.budget.used", memoryUsed, AtomicLong::get)
                    .baseUnit("bytes")
                    .description("Node memory reserved by live environments (sum of their MemorySize)")
                    .register(registry);
            Gauge.builder("spur.node.memory.budget.free", memoryFree, AtomicLong::get)
                    .baseUnit("bytes")
                    .description("Node memory budget left for new environments")
                    .register(registry);
            Gauge.builder("spur.async.queue.depth", depth, AtomicLong::get)
                    .description("Asynchronous events in this node's queue, running ones included")
                    .register(registry);
            Gauge.builder("spur.async.queue.oldest.age", oldestAgeMillis, a -> a.get() / 1000.0)
                    .baseUnit("seconds")
                    .description("Age of the oldest event in the queue; 0 when it is empty")
                    .register(registry);
            Gauge.builder("spur.async.dead.letters", deadLetters, AtomicLong::get)
                    .description("Dead letters stored, all accounts")
                    .register(registry);
            refresh();
        }

        void refresh() {
            Pools.Stats stats = pools.stats();
            memoryUsed.set(stats.memoryUsedMb() * MB);
            memoryFree.set(Math.max(0, pools.memoryCapacityMb() - stats.memoryUsedMb()) * MB);
            QueueStats q = queue.stats();
            depth.set(q.depth());
            oldestAgeMillis.set(q.oldestAge().map(Duration::toMillis).orElse(0L));
            deadLetters.set(q.deadLetters());
            environments.values().forEach(v -> v.set(0));
            for (Pools.RuntimeEnvironments r : pools.environmentsByRuntime()) {
                environment(r.runtime(), "idle").set(r.idle());
                environment(r.runtime(), "busy").set(r.busy());
                environment(r.runtime(), "frozen").set(freezes ? r.idle() : 0);
            }
        }

        private AtomicLong environment(String runtime, String state) {
            return environments.computeIfAbsent(runtime + "\u0000" + state, k -> {
                AtomicLong value = new AtomicLong();
                Gauge.builder("spur.environments", value, AtomicLong::get)
                        .tags(Tags.of("runtime", runtime, "state", state))
                        .description("Live environments by runtime and state (idle, busy incl. starting; frozen: "
                                + "idle ones stopped by the sandbox's freezer)")
                        .register(registry);
                return value;
            });
        }
    }
}
