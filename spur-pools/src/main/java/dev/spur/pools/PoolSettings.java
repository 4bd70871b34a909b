package dev.spur.pools;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Scheduling policy knobs.
 *
 * @param keepAlive          how long an idle environment is kept warm before it is stopped
 * @param reapInterval       how often idle environments are checked against the keep-alive
 * @param accountConcurrency concurrent invocations allowed per account (Lambda's account limit,
 *                           1,000), reserved concurrency included
 * @param memoryCapacityMb   what live environments of all accounts may use together, with headroom
 *                           (see {@code NodeMemory}); the linux sandbox caps them at it
 * @param initTimeout        how long a new environment may take to reach its first {@code next}
 * @param memoryOvercommit   Σ {@code MemorySize} of live environments may reach this times
 *                           {@code memoryCapacityMb} (≥ 1; 1: never more than the node could hold if
 *                           every environment used its whole limit)
 */
public record PoolSettings(
        Duration keepAlive,
        Duration reapInterval,
        int accountConcurrency,
        long memoryCapacityMb,
        Duration initTimeout,
        double memoryOvercommit) {

    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofMinutes(10);
    public static final int DEFAULT_ACCOUNT_CONCURRENCY = 1000;
    public static final Duration DEFAULT_INIT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Environments' limits may add up to 4 × the capacity: 32 environments of 1,769 MB on a 24 GB
     * node. Safe because what they use is what is counted against the capacity itself, idle ones are
     * evicted under pressure, and the linux sandbox caps them all at the capacity in the kernel.
     */
    public static final double DEFAULT_MEMORY_OVERCOMMIT = 4.0;

    /** The previous form, without an overcommit ratio: {@link #DEFAULT_MEMORY_OVERCOMMIT}. */
    public PoolSettings(
            Duration keepAlive,
            Duration reapInterval,
            int accountConcurrency,
            long memoryCapacityMb,
            Duration initTimeout) {
        this(keepAlive, reapInterval, accountConcurrency, memoryCapacityMb, initTimeout, DEFAULT_MEMORY_OVERCOMMIT);
    }

    public PoolSettings {
        if (keepAlive.isNegative() || reapInterval.isNegative() || reapInterval.isZero()) {
            throw new IllegalArgumentException("keep-alive and reap interval must be positive");
        }
        if (accountConcurrency < 1 || memoryCapacityMb < 128) {
            throw new IllegalArgumentException("concurrency must be ≥ 1 and memory capacity ≥ 128 MB");
        }
        if (!(memoryOvercommit >= 1 && memoryOvercommit <= 100)) {
            throw new IllegalArgumentException("memory overcommit must be between 1 and 100, not " + memoryOvercommit);
        }
    }

    /**
     * Lambda-like defaults: 10 min keep-alive, 1,000 concurrent per account, 75 % of this machine's
     * RAM, limits overcommitted up to {@link #DEFAULT_MEMORY_OVERCOMMIT}.
     */
    public static PoolSettings defaults() {
        return withKeepAlive(DEFAULT_KEEP_ALIVE);
    }

    public static PoolSettings withKeepAlive(Duration keepAlive) {
        return new PoolSettings(
                keepAlive,
                reapIntervalFor(keepAlive),
                DEFAULT_ACCOUNT_CONCURRENCY,
                defaultMemoryCapacityMb(),
                DEFAULT_INIT_TIMEOUT);
    }

    public PoolSettings withAccountConcurrency(int limit) {
        return new PoolSettings(keepAlive, reapInterval, limit, memoryCapacityMb, initTimeout, memoryOvercommit);
    }

    public PoolSettings withMemoryCapacityMb(long mb) {
        return new PoolSettings(keepAlive, reapInterval, accountConcurrency, mb, initTimeout, memoryOvercommit);
    }

    /** Σ MemorySize of live environments may reach {@code ratio} × the memory capacity (≥ 1). */
    public PoolSettings withMemoryOvercommit(double ratio) {
        return new PoolSettings(keepAlive, reapInterval, accountConcurrency, memoryCapacityMb, initTimeout, ratio);
    }

    /** A tenth of the keep-alive, between 50 ms and 30 s: an idle environment lives at most 10 % past it. */
    static Duration reapIntervalFor(Duration keepAlive) {
        long millis = Math.clamp(keepAlive.toMillis() / 10, 50, 30_000);
        return Duration.ofMillis(millis);
    }

    static long defaultMemoryCapacityMb() {
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return Math.max(128, os.getTotalMemorySize() / (1024 * 1024) * 3 / 4);
    }
}
