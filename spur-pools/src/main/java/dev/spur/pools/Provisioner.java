package dev.spur.pools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Provisioned concurrency: keeps the requested number of initialised environments per (function,
 * qualifier) and replaces those that die.
 *
 * <p>A {@link Config} per (function, qualifier) holds one {@link Target} per {@link Allocation}; a
 * target knows its environments (starting or alive). Environments are launched on virtual threads,
 * at most {@value #PARALLEL_LAUNCHES} at a time node-wide, and when initialised pushed onto their
 * pool's {@code provisionedIdle} stack, where {@link Pools#acquire} looks first; the keep-alive
 * reaper and the LRU eviction only look at the on-demand stack, so provisioned environments are
 * exempt from both. An environment that stops while its target is still wanted (crash, exit, a
 * timed-out invocation) is replaced; one stopped because it was unprovisioned, its pool retired or
 * the pools being closed is not.
 *
 * <p><b>Failure.</b> If a provisioned environment fails its init, or the node's memory cannot hold
 * one more (after evicting idle on-demand environments), the configuration becomes FAILED with a
 * reason and launches no more environments — no retries, no replacements — until {@code provision}
 * is called again. Environments already initialised keep serving.
 *
 * <p><b>Concurrency.</b> The invoke path never takes this object's lock: it only reads the volatile
 * {@link Environment#target} and {@link Config#active}. The lock serialises configuration changes
 * and the bookkeeping when a provisioned environment stops (rare), so that handing environments
 * over from a replaced configuration to its successor and replacing dead ones never double-count.
 * Environments are stopped outside the lock.
 */
final class Provisioner {
    static final int PARALLEL_LAUNCHES = 4;

    private final Pools pools;
    private final Map<Key, Config> configs = new HashMap<>();
    private final Semaphore launches = new Semaphore(PARALLEL_LAUNCHES);

    Provisioner(Pools pools) {
        this.pools = pools;
    }

    /** Replaces the configuration of (function, qualifier); environments still wanted are handed over. */
    void provision(FunctionKey function, String qualifier, List<Allocation> allocations) {
        List<Environment> unwanted = new ArrayList<>();
        synchronized (this) {
            Config next = new Config(allocations);
            Config previous = configs.put(new Key(function, qualifier), next);
            if (previous != null) {
                previous.active = false;
                for (Target old : previous.targets) {
                    for (Environment env : old.environments) {
                        Target heir = next.heirFor(old);
                        if (heir != null && env.state() != Environment.State.STOPPED) {
                            env.target = heir;
                            heir.environments.add(env);
                        } else {
                            unwanted.add(env);
                        }
                    }
                    old.environments.clear();
                }
            }
            for (Target t : next.targets) {
                for (int i = t.environments.size(); i < t.count; i++) {
                    launchLater(t);
                }
            }
        }
        stopIdle(unwanted);
    }

    void unprovision(FunctionKey function, String qualifier) {
        Config removed;
        synchronized (this) {
            removed = configs.remove(new Key(function, qualifier));
        }
        deactivate(removed == null ? List.of() : List.of(removed));
    }

    /** The function was deleted, or one of its versions: drop the configurations that use it. */
    void drop(FunctionKey function, Optional<String> version) {
        List<Config> removed = new ArrayList<>();
        synchronized (this) {
            var it = configs.entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                if (e.getKey().function.equals(function)
                        && (version.isEmpty() || e.getValue().uses(version.get()))) {
                    removed.add(e.getValue());
                    it.remove();
                }
            }
        }
        deactivate(removed);
    }

    void close() {
        List<Config> all;
        synchronized (this) {
            all = new ArrayList<>(configs.values());
            configs.clear();
        }
        deactivate(all);
    }

    synchronized Map<FunctionKey, Map<String, ProvisionedStatus>> statuses() {
        Map<FunctionKey, Map<String, ProvisionedStatus>> all = new HashMap<>();
        for (Key key : configs.keySet()) {
            status(key.function, key.qualifier)
                    .ifPresent(s -> all.computeIfAbsent(key.function, f -> new HashMap<>())
                            .put(key.qualifier, s));
        }
        return all;
    }

    synchronized Optional<ProvisionedStatus> status(FunctionKey function, String qualifier) {
        Config c = configs.get(new Key(function, qualifier));
        if (c == null) {
            return Optional.empty();
        }
        int requested = 0;
        int allocated = 0;
        for (Target t : c.targets) {
            requested += t.count;
            for (Environment env : t.environments) {
                Environment.State s = env.state();
                if (env.provisionedReady && (s == Environment.State.IDLE || s == Environment.State.BUSY)) {
                    allocated++;
                }
            }
        }
        String status = c.failure != null
                ? ProvisionedStatus.FAILED
                : allocated >= requested ? ProvisionedStatus.READY : ProvisionedStatus.IN_PROGRESS;
        return Optional.of(
                new ProvisionedStatus(requested, allocated, allocated, status, Optional.ofNullable(c.failure)));
    }

    /** Every target's initialised, live environments, for billing. */
    synchronized List<Pools.ProvisionedEnvironments> alive() {
        List<Pools.ProvisionedEnvironments> out = new ArrayList<>();
        for (Config c : configs.values()) {
            for (Target t : c.targets) {
                int alive = 0;
                for (Environment env : t.environments) {
                    Environment.State s = env.state();
                    if (env.provisionedReady && (s == Environment.State.IDLE || s == Environment.State.BUSY)) {
                        alive++;
                    }
                }
                if (alive > 0) {
                    FunctionConfig config = t.deployment.config();
                    out.add(new Pools.ProvisionedEnvironments(
                            config.key(), config.version(), config.memorySize(), alive));
                }
            }
        }
        return out;
    }

    /** Called by the pools once a provisioned environment has stopped, for whatever reason. */
    void onStopped(Environment env) {
        synchronized (this) {
            Target t = env.target;
            t.environments.remove(env);
            // An environment that failed its init is reported by its launch, not replaced here.
            if (env.initialised() && t.launching() && !env.pool.retired && !pools.isClosed()) {
                launchLater(t);
            }
        }
    }

    private void deactivate(List<Config> removed) {
        List<Environment> envs = new ArrayList<>();
        synchronized (this) {
            for (Config c : removed) {
                c.active = false;
                for (Target t : c.targets) {
                    envs.addAll(t.environments);
                }
            }
        }
        stopIdle(envs);
    }

    /** Idle ones stop now; busy ones when released, starting ones when their launch ends. */
    private static void stopIdle(List<Environment> envs) {
        for (Environment env : envs) {
            if (env.claimForStop()) {
                env.stop();
            }
        }
    }

    private void launchLater(Target t) {
        Thread.ofVirtual().name("spur-provision").start(() -> launch(t));
    }

    private void launch(Target t) {
        try {
            launches.acquire();
        } catch (InterruptedException e) {
            return;
        }
        try {
            if (!t.launching() || pools.isClosed()) {
                return;
            }
            int mb = t.deployment.config().memorySize();
            Pool pool = pools.poolFor(t.deployment);
            long charge = pools.tryReserveMemory(pool);
            if (charge < 0) {
                fail(
                        t,
                        "INSUFFICIENT_MEMORY: this node cannot hold another " + mb + " MB environment ("
                                + pools.memoryDescription() + ", held by environments that cannot be evicted)");
                return;
            }
            Environment env = pools.newEnvironment(pool, t, charge);
            synchronized (this) {
                t.environments.add(env);
            }
            if (pools.isClosed()) {
                env.stop(); // closed while we were creating it; close() may not have seen it
                return;
            }
            env.start();
            // From here on env.target, not t: provision() may have handed the environment over.
            if (!env.initialised()) {
                fail(env.target, describe(env.initFailure()));
                return;
            }
            env.freeze();
            if (!env.markIdle()) {
                return; // died right after init; onStopped replaces it
            }
            pool.provisionedIdle.offerFirst(env);
            env.provisionedReady = true;
            if ((pool.retired || !env.target.wanted() || pools.isClosed()) && env.claimForStop()) {
                env.stop(); // no longer wanted while we were starting it
            }
        } finally {
            launches.release();
        }
    }

    /** Marks the target's configuration FAILED, unless it is no longer current (then the failure is moot). */
    private synchronized void fail(Target t, String reason) {
        if (t.config.active && t.config.failure == null) {
            t.config.failure = reason;
        }
    }

    /** {@code FUNCTION_ERROR_INIT_FAILURE: <error type>: <message>}, from what the runtime posted or why it died. */
    static String describe(InitFailure failure) {
        if (failure == null) {
            return "FUNCTION_ERROR_INIT_FAILURE: Runtime.InitError: the environment stopped during init";
        }
        String message = failure.message();
        if (failure.postedBody() != null) {
            try {
                JsonNode posted = Json.MAPPER.readTree(failure.postedBody());
                message = posted.path("errorMessage").asText(new String(failure.postedBody(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                message = new String(failure.postedBody(), StandardCharsets.UTF_8);
            }
        }
        return "FUNCTION_ERROR_INIT_FAILURE: " + failure.errorType() + (message == null ? "" : ": " + message);
    }

    private record Key(FunctionKey function, String qualifier) {}

    /** What was asked for one (function, qualifier). Replaced, never changed, by {@code provision}. */
    static final class Config {
        final List<Target> targets = new ArrayList<>();
        volatile boolean active = true;
        /** Set once, under the lock: why this configuration is FAILED. */
        volatile String failure;

        Config(List<Allocation> allocations) {
            for (Allocation a : allocations) {
                targets.add(new Target(this, a.deployment(), a.count()));
            }
        }

        boolean uses(String version) {
            return targets.stream()
                    .anyMatch(t -> t.deployment.config().version().equals(version));
        }

        /** The target of this configuration that can take over an environment of {@code old}, if any has room. */
        Target heirFor(Target old) {
            for (Target t : targets) {
                if (t.runs(old.deployment) && t.environments.size() < t.count) {
                    return t;
                }
            }
            return null;
        }
    }

    /** One allocation: {@code count} environments of one deployment. */
    static final class Target {
        final Config config;
        final Deployment deployment;
        final int count;
        /** Starting or alive; changed under the provisioner's lock. */
        final Set<Environment> environments = ConcurrentHashMap.newKeySet();

        Target(Config config, Deployment deployment, int count) {
            this.config = config;
            this.deployment = deployment;
            this.count = count;
        }

        /** Whether its environments should keep running: its configuration is current. */
        boolean wanted() {
            return config.active;
        }

        /** Whether to start environments for it: current and not FAILED. */
        boolean launching() {
            return config.active && config.failure == null;
        }

        boolean runs(Deployment other) {
            return deployment.config().version().equals(other.config().version())
                    && deployment.config().revisionId().equals(other.config().revisionId());
        }
    }
}
