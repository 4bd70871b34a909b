package dev.spur.pools;

import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import dev.spur.common.Ticker;
import dev.spur.logs.FunctionLog;
import dev.spur.logs.LogStore;
import dev.spur.sandbox.Sandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Places invocations on execution environments.
 *
 * <p><b>Design.</b> One {@link Pool} per function version and configuration; each environment
 * serves one invocation at a time. {@link #acquire} takes the most recently used idle environment
 * of the pool (a lock-free stack pop plus one CAS on the environment's state); when none is idle it
 * starts a new one on the caller's thread (a cold start), so concurrency scales out by exactly the
 * number of requests that found no idle environment. A periodic task stops environments idle longer
 * than the keep-alive (scale to zero) and collects output printed between invocations.
 *
 * <p><b>Budgets.</b> Admission comes first and follows Lambda ({@link Budgets}): each account may
 * run {@code accountConcurrency} invocations at once. A function with reserved concurrency R
 * ({@link #reserveConcurrency}) runs at most R (all versions together; R = 0 throttles it) and is
 * not charged to the account's unreserved pool; the other functions of the account share
 * {@code accountConcurrency − Σ reservations}. Over either, a request gets 429 with Lambda's
 * {@code Reason}. Then node memory ({@link NodeMemory}): what live environments of all accounts
 * use plus headroom stays ≤ {@code memoryCapacityMb}, and their {@code MemorySize}s ≤ that times
 * {@code memoryOvercommit}; when either runs out the least recently used idle on-demand environment
 * of any function is evicted, and failing that the request gets 429.
 *
 * <p><b>Provisioned concurrency.</b> {@link #provision} keeps a number of initialised environments
 * per (function, qualifier), started in the background with
 * {@code AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency} and kept on a separate idle stack
 * of their version's pool that {@code acquire} takes from first (warm: no init in the invocation);
 * requests beyond them spill over to on-demand environments. They are never reaped nor evicted;
 * one that dies is replaced; an init failure or a lack of node memory makes the configuration
 * FAILED (see {@link Provisioner} for the details). They still count against node memory and
 * their invocations against the concurrency budgets like any other.
 *
 * <p><b>Concurrency.</b> No lock is taken on the invoke path: the pool map is a ConcurrentHashMap,
 * idle stacks are ConcurrentLinkedDeques, budgets are atomics, and ownership of an environment moves
 * only by CAS on its state (IDLE→BUSY by an invoker, IDLE→STOPPED by the reaper, an eviction or a
 * retirement), so an environment popped by two threads is used by exactly one of them. Busy
 * environments are not in any idle stack; they are only reachable by the thread holding their
 * {@link Lease}. Control-plane calls (reservations, provisioning) take short locks of their own,
 * as does the bookkeeping when a provisioned environment stops; none is held while a process starts
 * or stops.
 *
 * <p>Inspired by Lambda's worker model (one request per environment, warm reuse, keep-alive,
 * reserved and provisioned concurrency) and OpenWhisk's per-action container pools.
 */
public final class Pools implements AutoCloseable {
    private final PoolSettings settings;
    private final Sandbox sandbox;
    private final LogStore logs;
    private final Path runDirectory;
    private volatile Map<String, String> platformVariables = Map.of();
    private final Ticker ticker;
    private final InstantSource clock;
    private final ConcurrentMap<PoolKey, Pool> pools = new ConcurrentHashMap<>();
    private final Budgets budgets;
    private final Provisioner provisioner = new Provisioner(this);
    private final Placements placements = new Placements(provisioner);
    private final NodeMemory memory;
    private final AtomicLong environmentsStarted = new AtomicLong();
    private final ScheduledExecutorService timer;
    private volatile boolean closed;

    /**
     * @param runDirectory scratch space for environments' output files; emptied now, as whatever is
     *                     there belongs to environments of a previous run
     */
    public Pools(
            PoolSettings settings,
            Sandbox sandbox,
            LogStore logs,
            Path runDirectory,
            Ticker ticker,
            InstantSource clock,
            boolean startTimer) {
        this.settings = settings;
        this.sandbox = sandbox;
        this.logs = logs;
        this.runDirectory = runDirectory;
        this.ticker = ticker;
        this.clock = clock;
        this.budgets = new Budgets(settings.accountConcurrency());
        this.memory = new NodeMemory(settings.memoryCapacityMb(), settings.memoryOvercommit());
        cleanRunDirectory(runDirectory);
        try {
            sandbox.limitTotalMemory(settings.memoryCapacityMb() << 20);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot cap the environments' memory at the node's capacity", e);
        }
        if (startTimer) {
            timer = Executors.newSingleThreadScheduledExecutor(
                    r -> Thread.ofPlatform().daemon().name("spur-reaper").unstarted(r));
            long reapMillis = settings.reapInterval().toMillis();
            timer.scheduleWithFixedDelay(this::reapIdle, reapMillis, reapMillis, TimeUnit.MILLISECONDS);
            timer.scheduleWithFixedDelay(this::sweepOutput, 1, 1, TimeUnit.SECONDS);
            timer.scheduleWithFixedDelay(this::relieveMemoryPressure, 1, 1, TimeUnit.SECONDS);
        } else {
            timer = null;
        }
    }

    /**
     * Admits an invocation and gives it an environment: an idle provisioned one if any, else an idle
     * on-demand one, else a new one started now (the caller waits for its init).
     *
     * @throws LambdaException 429 TooManyRequestsException, Reason
     *                         {@code ReservedFunctionConcurrentInvocationLimitExceeded} when the
     *                         function's reserved concurrency is in use, else
     *                         {@code ConcurrentInvocationLimitExceeded} when the account's unreserved
     *                         concurrency or the node's memory is exhausted; nothing was started then
     */
    public Lease acquire(Deployment deployment) {
        Budgets.FunctionBudget budget = budgets.of(deployment.config().key());
        boolean reserved = budget.admit();
        try {
            Pool pool = poolFor(deployment);
            Environment warm = pool.claimIdle();
            if (warm != null) {
                warm.thaw();
                return new Lease(this, pool, warm, false, budget, reserved);
            }
            Environment env = newEnvironment(pool, null, reserveMemory(pool));
            try {
                env.start();
            } catch (RuntimeException e) {
                env.stop(); // gives the memory back
                throw e;
            }
            return new Lease(this, pool, env, true, budget, reserved);
        } catch (RuntimeException e) {
            budget.release(reserved);
            throw e;
        }
    }

    /** Called by {@link Lease#close()}: the environment goes back to its pool, or away if it cannot serve. */
    void release(Lease lease) {
        lease.budget().release(lease.chargedToReservation());
        Environment env = lease.environment();
        Pool pool = lease.pool();
        Environment.State state = env.state();
        if (unwanted(pool, env) || state != Environment.State.BUSY && state != Environment.State.STARTING) {
            env.stop();
            return;
        }
        env.detachLog();
        env.freeze(); // before it is on a stack: whoever claims it next thaws it
        if (!env.markIdle()) {
            env.stop();
            return;
        }
        pool.idleStackOf(env).offerFirst(env);
        if (unwanted(pool, env) && env.claimForStop()) {
            env.stop(); // retired or unprovisioned while we were pushing it back
        }
    }

    private static boolean unwanted(Pool pool, Environment env) {
        Provisioner.Target target = env.target;
        return pool.retired || target != null && !target.wanted();
    }

    /**
     * Sets ({@code reserved} present, ≥ 0) or clears a function's reserved concurrency. Invocations
     * already running keep the budget they were admitted under; the new limit applies to the next
     * ones. Whether the account keeps enough unreserved concurrency is the caller's to check
     * ({@link #accountConcurrency}).
     */
    public void reserveConcurrency(FunctionKey function, OptionalInt reserved) {
        budgets.reserve(function, reserved);
    }

    /**
     * From now on this node admits only its share of the account and reservation limits (a fleet's nodes
     * split them); {@link ConcurrencyShare#WHOLE} by default.
     */
    public void shareConcurrency(ConcurrencyShare share) {
        budgets.share(share);
    }

    /** The account's limit, reservations and invocations in flight now. */
    public AccountConcurrency accountConcurrency(String account) {
        return budgets.concurrency(account);
    }

    /**
     * Keeps {@code count} initialised environments for each allocation of (function, qualifier),
     * replacing its previous configuration: environments still wanted (same version and revision) are
     * kept, the others stop (idle ones now, busy ones after their invocation). Returns at once; the
     * environments start in the background, see {@link #provisionedStatus}. An allocation's
     * deployment must be a version of {@code function}, and should be a published one: a
     * configuration change of its version retires the pool and its provisioned environments.
     */
    public void provision(FunctionKey function, String qualifier, List<Allocation> allocations) {
        for (Allocation a : allocations) {
            LambdaException.requireValid(
                    a.deployment().config().key().equals(function),
                    "allocation for %s in the provisioning of %s",
                    a.deployment().config().key(),
                    function);
        }
        if (closed) {
            throw new IllegalStateException("pools closed");
        }
        placements.provision(function, qualifier, List.copyOf(allocations));
    }

    /** Drops the provisioned concurrency of (function, qualifier): its idle environments stop now, busy ones after. */
    public void unprovision(FunctionKey function, String qualifier) {
        placements.unprovision(function, qualifier);
    }

    /**
     * Where the provisioned concurrency of (function, qualifier) stands, fleet-wide (this node's part and what
     * the other nodes report, see {@link ProvisionedPlacement}); empty if none is configured.
     */
    public Optional<ProvisionedStatus> provisionedStatus(FunctionKey function, String qualifier) {
        return placements.status(function, qualifier);
    }

    /**
     * Which part of each provisioned configuration this node holds from now on ({@link ProvisionedPlacement#WHOLE}
     * until called): every configuration is applied again with its new part.
     */
    public void placeProvisioned(ProvisionedPlacement placement) {
        placements.place(placement);
    }

    /** The environments provisioned fleet-wide for {@code version} of {@code function}, over its configurations. */
    public int provisionedCount(FunctionKey function, String version) {
        return placements.asked(function, version);
    }

    /**
     * The provisioned environments alive now (initialised, idle or busy), per function version: what
     * provisioned concurrency is billed on.
     */
    public List<ProvisionedEnvironments> provisionedEnvironments() {
        return provisioner.alive();
    }

    /** {@code environments} provisioned environments of {@code memoryMb} each, of one function version. */
    public record ProvisionedEnvironments(FunctionKey function, String version, int memoryMb, int environments) {}

    /**
     * The function was deleted: every pool drains (idle environments stop now, busy ones after their
     * invocation), its provisioned concurrency and its concurrency budget (reservation) are dropped.
     */
    public void retire(FunctionKey key) {
        placements.drop(key, Optional.empty());
        budgets.drop(key);
        for (var entry : pools.entrySet()) {
            if (entry.getKey().function().equals(key) && pools.remove(entry.getKey(), entry.getValue())) {
                drain(entry.getValue());
            }
        }
    }

    /**
     * One version changed ($LATEST updated) or was deleted: its pool drains, provisioned environments
     * included, and the provisioned-concurrency configurations that allocate on it are dropped. Other
     * versions, their provisioned environments and the function's reservation are untouched.
     */
    public void retire(FunctionKey key, String version) {
        placements.drop(key, Optional.of(version));
        Pool pool = pools.remove(new PoolKey(key, version));
        if (pool != null) {
            drain(pool);
        }
    }

    /** Stops environments idle longer than the keep-alive; returns how many. */
    public int reapIdle() {
        long now = ticker.nanos();
        long keepAlive = settings.keepAlive().toNanos();
        int stopped = 0;
        for (Pool pool : pools.values()) {
            for (Environment env; (env = pool.idle.peekLast()) != null; ) {
                if (now - env.lastUsedNanos() < keepAlive) {
                    break;
                }
                pool.idle.removeLastOccurrence(env);
                if (env.claimForStop()) {
                    env.stop();
                    stopped++;
                }
            }
        }
        return stopped;
    }

    private void sweepOutput() {
        for (Pool pool : pools.values()) {
            for (Environment env : pool.live) {
                env.sweepOutput();
            }
        }
    }

    Pool poolFor(Deployment deployment) {
        PoolKey key = new PoolKey(deployment.config().key(), deployment.config().version());
        while (true) {
            Pool pool = pools.get(key);
            if (pool == null) {
                Pool created = new Pool(deployment, functionLog(deployment));
                pool = pools.putIfAbsent(key, created);
                if (pool == null) {
                    return created;
                }
            }
            if (!pool.isOlderThan(deployment.config())) {
                return pool; // current, or this request resolved an older configuration than the pool's
            }
            Pool replacement = new Pool(deployment, functionLog(deployment));
            if (pools.replace(key, pool, replacement)) {
                drain(pool);
                return replacement;
            }
        }
    }

    private static void drain(Pool pool) {
        pool.retired = true;
        for (var stack : List.of(pool.provisionedIdle, pool.idle)) {
            for (Environment env; (env = stack.pollFirst()) != null; ) {
                if (env.claimForStop()) {
                    env.stop();
                }
            }
        }
    }

    /** A new environment in {@code pool}, not started; its memory must be reserved already ({@code chargedMb}). */
    Environment newEnvironment(Pool pool, Provisioner.Target target, long chargedMb) {
        String id = newId();
        Environment env = new Environment(this, pool, id, logStream(pool.deployment(), id), target, chargedMb);
        pool.live.add(env);
        if (target != null && !pool.hadProvisioned) {
            pool.hadProvisioned = true;
        }
        environmentsStarted.incrementAndGet();
        return env;
    }

    private long reserveMemory(Pool pool) {
        long charge = tryReserveMemory(pool);
        if (charge < 0) {
            throw LambdaException.throttled(
                    "ConcurrentInvocationLimitExceeded",
                    1,
                    "Rate Exceeded. This node has no memory left for another "
                            + pool.config().memorySize() + " MB environment (" + memory.describe() + ").");
        }
        return charge;
    }

    /**
     * Reserves node memory for a new environment of {@code pool} ({@link NodeMemory}), evicting idle
     * on-demand environments if needed; returns the environment's charge in MB, or -1 if it cannot.
     */
    long tryReserveMemory(Pool pool) {
        long limit = pool.config().memorySize();
        long charge = NodeMemory.initialCharge(limit, pool.footprintMb());
        while (!memory.tryReserve(limit, charge)) {
            if (!evictLeastRecentlyUsed()) {
                return -1;
            }
        }
        return charge;
    }

    /**
     * After an invocation: the environment has used {@code peakBytes} at most, so it is charged that
     * plus headroom from now on (a first guess is corrected either way; then, as the peak only
     * grows, so does the charge), and its pool's next environments at least as much. Never refused.
     */
    void recharge(Environment env, long peakBytes) {
        long want = NodeMemory.chargeFor(env.memoryMb, peakBytes);
        env.pool.noteFootprint(want);
        long had = env.chargedMb();
        if (want != had) {
            memory.addCharge(want - had); // first, so a stop in between never gives back more than was taken
            if (!env.recharge(had, want)) {
                memory.addCharge(had - want);
            }
        }
    }

    /**
     * Reads what the environments really use now (the sandbox's figure, else their charges) and, above
     * {@link NodeMemory#PRESSURE} of capacity, evicts idle on-demand environments, least recently used
     * first, until their charges cover the excess; new environments are refused until a reading is
     * below the line again. The reaper's timer calls it every second.
     *
     * @return how many environments it evicted
     */
    public int relieveMemoryPressure() {
        long inUse = sandbox.memoryInUse().orElse(memory.chargesMb() << 20);
        long overMb = memory.observe(inUse);
        int evicted = 0;
        while (overMb > 0) {
            long freed = evictLeastRecentlyUsedCharge();
            if (freed < 0) {
                break;
            }
            overMb -= freed;
            evicted++;
        }
        return evicted;
    }

    /** Stops the idle on-demand environment, of any function, that was used longest ago. */
    private boolean evictLeastRecentlyUsed() {
        return evictLeastRecentlyUsedCharge() >= 0;
    }

    /** As {@link #evictLeastRecentlyUsed}; returns the evicted environment's charge in MB, or -1 if none is idle. */
    private long evictLeastRecentlyUsedCharge() {
        while (true) {
            Environment oldest = null;
            for (Pool pool : pools.values()) {
                Environment candidate = pool.idle.peekLast();
                if (candidate != null && (oldest == null || candidate.lastUsedNanos() < oldest.lastUsedNanos())) {
                    oldest = candidate;
                }
            }
            if (oldest == null) {
                return -1;
            }
            oldest.pool.idle.removeLastOccurrence(oldest);
            if (oldest.claimForStop()) {
                long charge = oldest.chargedMb();
                oldest.stop();
                return charge;
            }
        }
    }

    /** Called once per environment when it has stopped. */
    void onStopped(Environment env) {
        memory.release(env.memoryMb, env.releaseCharge());
        env.pool.live.remove(env);
        env.pool.idle.remove(env);
        if (env.target != null) {
            env.pool.provisionedIdle.remove(env);
            provisioner.onStopped(env);
        }
    }

    public Stats stats() {
        int live = 0;
        int idle = 0;
        for (Pool pool : pools.values()) {
            live += pool.live.size();
            idle += pool.idle.size() + pool.provisionedIdle.size();
        }
        return new Stats(
                live,
                idle,
                budgets.inFlight(),
                memory.limitsMb(),
                memory.chargesMb(),
                memory.underPressure(),
                environmentsStarted.get());
    }

    /**
     * Live environments per runtime: idle (on either idle stack) and the rest (starting or busy), for
     * node metrics. A snapshot taken without locks: counts may be off by the environments moving now.
     */
    public List<RuntimeEnvironments> environmentsByRuntime() {
        Map<String, int[]> counts = new TreeMap<>();
        for (Pool pool : pools.values()) {
            String runtime = pool.deployment().runtime() == null
                    ? pool.config().runtime()
                    : pool.deployment().runtime().id();
            int live = pool.live.size();
            int idle = Math.min(live, pool.idle.size() + pool.provisionedIdle.size());
            int[] c = counts.computeIfAbsent(runtime, r -> new int[2]);
            c[0] += idle;
            c[1] += live - idle;
        }
        return counts.entrySet().stream()
                .map(e -> new RuntimeEnvironments(e.getKey(), e.getValue()[0], e.getValue()[1]))
                .toList();
    }

    /** The node memory environments may use, in MB. */
    public long memoryCapacityMb() {
        return settings.memoryCapacityMb();
    }

    /** The functions that have live environments here, busy or idle: where a queued event runs warm. */
    public Set<FunctionKey> warmFunctions() {
        Set<FunctionKey> warm = new HashSet<>();
        for (var entry : pools.entrySet()) {
            if (!entry.getValue().live.isEmpty()) {
                warm.add(entry.getKey().function());
            }
        }
        return warm;
    }

    /**
     * Every provisioned-concurrency configuration held here, by function and qualifier, with the status of this
     * node's part (in a fleet, {@code requested} is this node's part).
     */
    public Map<FunctionKey, Map<String, ProvisionedStatus>> provisionedStatuses() {
        return provisioner.statuses();
    }

    /** Live environments of one function (all its pools), busy or idle. */
    public int liveEnvironments(FunctionKey key) {
        int n = 0;
        for (var entry : pools.entrySet()) {
            if (entry.getKey().function().equals(key)) {
                n += entry.getValue().live.size();
            }
        }
        return n;
    }

    /** Live environments of one version of a function (its current pool), busy or idle, provisioned or not. */
    public int liveEnvironments(FunctionKey key, String version) {
        Pool pool = pools.get(new PoolKey(key, version));
        return pool == null ? 0 : pool.live.size();
    }

    @Override
    public void close() {
        closed = true;
        if (timer != null) {
            timer.shutdownNow();
        }
        provisioner.close();
        for (Pool pool : pools.values()) {
            pool.retired = true;
            for (Environment env : pool.live) {
                env.stop();
            }
        }
        pools.clear();
    }

    String memoryDescription() {
        return memory.describe();
    }

    PoolSettings settings() {
        return settings;
    }

    Sandbox sandbox() {
        return sandbox;
    }

    Ticker ticker() {
        return ticker;
    }

    InstantSource clock() {
        return clock;
    }

    /**
     * Variables every environment started from now on gets before its function's own (which may
     * override them): where Spur's AWS-compatible services are ({@code AWS_ENDPOINT_URL}, known only
     * once the port is bound), so an SDK inside a function talks to Spur.
     */
    public void platformVariables(Map<String, String> variables) {
        this.platformVariables = Map.copyOf(variables);
    }

    Map<String, String> platformVariables() {
        return platformVariables;
    }

    Path runDirectory() {
        return runDirectory;
    }

    boolean isClosed() {
        return closed;
    }

    private static String newId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(r.nextLong()) + HexFormat.of().toHexDigits(r.nextLong());
    }

    /** The log group a deployment writes to: its LoggingConfig's, else {@code /aws/lambda/<function>}. */
    private FunctionLog functionLog(Deployment deployment) {
        FunctionKey fn = deployment.config().key();
        return logs.group(
                fn.account(), fn.region(), deployment.config().logging().logGroup(fn));
    }

    private String logStream(Deployment deployment, String id) {
        LocalDate day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        return "%04d/%02d/%02d/[%s]%s"
                .formatted(
                        day.getYear(),
                        day.getMonthValue(),
                        day.getDayOfMonth(),
                        deployment.config().version(),
                        id);
    }

    private static void cleanRunDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) { // a socket directory
                        try (var inside = Files.list(p)) {
                            for (Path q : (Iterable<Path>) inside::iterator) {
                                Files.deleteIfExists(q);
                            }
                        }
                    }
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
    }

    /**
     * A snapshot of the pools' budgets, over all accounts.
     *
     * @param memoryUsedMb     Σ MemorySize of live environments (their limits)
     * @param memoryChargedMb  Σ of what they use plus headroom ({@link NodeMemory})
     * @param memoryPressure   whether the last reading of real use was above the pressure line
     */
    public record Stats(
            int liveEnvironments,
            int idleEnvironments,
            int inFlight,
            long memoryUsedMb,
            long memoryChargedMb,
            boolean memoryPressure,
            long environmentsStarted) {}

    /** The live environments of one runtime: idle ones, and those starting or running an invocation. */
    public record RuntimeEnvironments(String runtime, int idle, int busy) {}

    private record PoolKey(FunctionKey function, String version) {}
}
