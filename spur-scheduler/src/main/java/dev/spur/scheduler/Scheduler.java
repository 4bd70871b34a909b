package dev.spur.scheduler;

import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import dev.spur.common.Ticker;
import dev.spur.logs.LogStore;
import dev.spur.sandbox.Sandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Places invocations on execution environments.
 *
 * <p><b>Design.</b> One {@link Pool} per function version and configuration; each environment
 * serves one invocation at a time. {@link #acquire} takes the most recently used idle environment
 * of the pool (a lock-free stack pop plus one CAS on the environment's state); when none is idle it
 * starts a new one on the caller's thread (a cold start), so concurrency scales out by exactly the
 * number of requests that found no idle environment. Two budgets bound that: concurrent invocations
 * ({@code accountConcurrency}, checked first, as Lambda's account limit) and node memory (the sum of
 * {@code MemorySize} over live environments ≤ {@code memoryCapacityMb}); when memory runs out the
 * least recently used idle environment of any function is evicted before a request is refused with
 * 429. A periodic task stops environments idle longer than the keep-alive (scale to zero) and
 * collects output printed between invocations.
 *
 * <p><b>Concurrency.</b> No lock is taken on the invoke path: the pool map is a ConcurrentHashMap,
 * idle stacks are ConcurrentLinkedDeques, budgets are atomics, and ownership of an environment moves
 * only by CAS on its state (IDLE→BUSY by an invoker, IDLE→STOPPED by the reaper or an eviction), so
 * an environment popped by two threads is used by exactly one of them. Busy environments are not in
 * any idle stack; they are only reachable by the thread holding their {@link Lease}.
 *
 * <p>Inspired by Lambda's worker model (one request per environment, warm reuse, keep-alive) and
 * OpenWhisk's per-action container pools.
 */
public final class Scheduler implements AutoCloseable {
    private final SchedulerSettings settings;
    private final Sandbox sandbox;
    private final LogStore logs;
    private final Path runDirectory;
    private final Ticker ticker;
    private final InstantSource clock;
    private final ConcurrentMap<PoolKey, Pool> pools = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong memoryUsedMb = new AtomicLong();
    private final AtomicLong environmentsStarted = new AtomicLong();
    private final ScheduledExecutorService timer;

    /**
     * @param runDirectory scratch space for environments' output files; emptied now, as whatever is
     *                     there belongs to environments of a previous run
     */
    public Scheduler(SchedulerSettings settings, Sandbox sandbox, LogStore logs, Path runDirectory, Ticker ticker,
                     InstantSource clock, boolean startTimer) {
        this.settings = settings;
        this.sandbox = sandbox;
        this.logs = logs;
        this.runDirectory = runDirectory;
        this.ticker = ticker;
        this.clock = clock;
        cleanRunDirectory(runDirectory);
        if (startTimer) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("spur-reaper")
                    .unstarted(r));
            long reapMillis = settings.reapInterval().toMillis();
            timer.scheduleWithFixedDelay(this::reapIdle, reapMillis, reapMillis, TimeUnit.MILLISECONDS);
            timer.scheduleWithFixedDelay(this::sweepOutput, 1, 1, TimeUnit.SECONDS);
        } else {
            timer = null;
        }
    }

    /**
     * Admits an invocation and gives it an environment: a warm one if any is idle, else a new one
     * started now (the caller waits for its init).
     *
     * @throws LambdaException 429 TooManyRequestsException when the concurrency limit or the node's
     *                         memory is exhausted; nothing was started then
     */
    public Lease acquire(Deployment deployment) {
        if (inFlight.incrementAndGet() > settings.accountConcurrency()) {
            inFlight.decrementAndGet();
            throw LambdaException.throttled("ConcurrentInvocationLimitExceeded", 1, "Rate Exceeded.");
        }
        try {
            Pool pool = poolFor(deployment);
            for (Environment env; (env = pool.idle.pollFirst()) != null; ) {
                if (env.claim()) {
                    return new Lease(this, pool, env, false);
                }
            }
            reserveMemory(deployment.config().memorySize());
            String id = newId();
            Environment env = new Environment(this, pool, id, logStream(deployment, id));
            pool.live.add(env);
            environmentsStarted.incrementAndGet();
            try {
                env.start();
            } catch (RuntimeException e) {
                env.stop(); // gives the memory back
                throw e;
            }
            return new Lease(this, pool, env, true);
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            throw e;
        }
    }

    /** Called by {@link Lease#close()}: the environment goes back to its pool, or away if it cannot serve. */
    void release(Lease lease) {
        inFlight.decrementAndGet();
        Environment env = lease.environment();
        Pool pool = lease.pool();
        if (pool.retired || env.state() != Environment.State.BUSY && env.state() != Environment.State.STARTING) {
            env.stop();
            return;
        }
        env.detachLog();
        if (!env.markIdle()) {
            env.stop();
            return;
        }
        pool.idle.offerFirst(env);
        if (pool.retired && env.claimForStop()) {
            env.stop(); // retired while we were pushing it back
        }
    }

    /**
     * Retires every pool of a function after its code or configuration changed or it was deleted:
     * idle environments stop now, busy ones after their invocation.
     */
    public void retire(FunctionKey key) {
        for (var entry : pools.entrySet()) {
            if (entry.getKey().function().equals(key) && pools.remove(entry.getKey(), entry.getValue())) {
                drain(entry.getValue());
            }
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

    private Pool poolFor(Deployment deployment) {
        PoolKey key = new PoolKey(deployment.config().key(), deployment.config().version());
        while (true) {
            Pool pool = pools.get(key);
            if (pool == null) {
                Pool created = new Pool(deployment, logs.of(key.function()));
                pool = pools.putIfAbsent(key, created);
                if (pool == null) {
                    return created;
                }
            }
            if (!pool.isOlderThan(deployment.config())) {
                return pool; // current, or this request resolved an older configuration than the pool's
            }
            Pool replacement = new Pool(deployment, logs.of(key.function()));
            if (pools.replace(key, pool, replacement)) {
                drain(pool);
                return replacement;
            }
        }
    }

    private void drain(Pool pool) {
        pool.retired = true;
        for (Environment env; (env = pool.idle.pollFirst()) != null; ) {
            if (env.claimForStop()) {
                env.stop();
            }
        }
    }

    private void reserveMemory(int mb) {
        while (true) {
            long used = memoryUsedMb.get();
            if (used + mb <= settings.memoryCapacityMb()) {
                if (memoryUsedMb.compareAndSet(used, used + mb)) {
                    return;
                }
                continue;
            }
            if (!evictLeastRecentlyUsed()) {
                throw LambdaException.throttled("ConcurrentInvocationLimitExceeded", 1,
                        "Rate Exceeded. This node has no memory left for another " + mb + " MB environment ("
                                + used + " of " + settings.memoryCapacityMb() + " MB in use).");
            }
        }
    }

    /** Stops the idle environment, of any function, that was used longest ago. */
    private boolean evictLeastRecentlyUsed() {
        while (true) {
            Environment oldest = null;
            for (Pool pool : pools.values()) {
                Environment candidate = pool.idle.peekLast();
                if (candidate != null && (oldest == null || candidate.lastUsedNanos() < oldest.lastUsedNanos())) {
                    oldest = candidate;
                }
            }
            if (oldest == null) {
                return false;
            }
            oldest.pool.idle.removeLastOccurrence(oldest);
            if (oldest.claimForStop()) {
                oldest.stop();
                return true;
            }
        }
    }

    /** Called once per environment when it has stopped. */
    void onStopped(Environment env) {
        memoryUsedMb.addAndGet(-env.memoryMb);
        env.pool.live.remove(env);
        env.pool.idle.remove(env);
    }

    public Stats stats() {
        int live = 0;
        int idle = 0;
        for (Pool pool : pools.values()) {
            live += pool.live.size();
            idle += pool.idle.size();
        }
        return new Stats(live, idle, inFlight.get(), memoryUsedMb.get(), environmentsStarted.get());
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

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        for (Pool pool : pools.values()) {
            pool.retired = true;
            for (Environment env : pool.live) {
                env.stop();
            }
        }
        pools.clear();
    }

    SchedulerSettings settings() {
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

    Path runDirectory() {
        return runDirectory;
    }

    String initializationType() {
        return "on-demand";
    }

    private static String newId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(r.nextLong()) + HexFormat.of().toHexDigits(r.nextLong());
    }

    private String logStream(Deployment deployment, String id) {
        LocalDate day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        return "%04d/%02d/%02d/[%s]%s".formatted(day.getYear(), day.getMonthValue(), day.getDayOfMonth(),
                deployment.config().version(), id);
    }

    private static void cleanRunDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
    }

    /** A snapshot of the scheduler's budgets. */
    public record Stats(int liveEnvironments, int idleEnvironments, int inFlight, long memoryUsedMb,
                        long environmentsStarted) {
    }

    private record PoolKey(FunctionKey function, String version) {
    }
}
