package dev.spur.pools;

import dev.spur.common.FunctionConfig;
import dev.spur.logs.FunctionLog;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The environments of one function version with one configuration. A code or configuration change
 * retires the pool: idle environments stop at once, busy ones when their invocation ends, and new
 * invocations go to a fresh pool.
 *
 * <p>{@code idle} is a stack: the most recently used environment is at the head (reused first, so
 * the others age out under the keep-alive), the least recently used at the tail (evicted first).
 * Provisioned environments have their own stack, {@code provisionedIdle}, taken from first and never
 * reaped or evicted.
 */
final class Pool {
    private final Deployment deployment;
    private final FunctionLog functionLog;
    final ConcurrentLinkedDeque<Environment> idle = new ConcurrentLinkedDeque<>();
    final ConcurrentLinkedDeque<Environment> provisionedIdle = new ConcurrentLinkedDeque<>();
    final Set<Environment> live = ConcurrentHashMap.newKeySet();
    volatile boolean retired;
    /** Set once a provisioned environment joins: later on-demand invocations are spillover. */
    volatile boolean hadProvisioned;
    /** The largest charge an environment of this pool has had, in MB: what a new one is charged. */
    private final AtomicLong footprintMb = new AtomicLong();

    Pool(Deployment deployment, FunctionLog functionLog) {
        this.deployment = deployment;
        this.functionLog = functionLog;
    }

    /** Claims an idle environment, provisioned ones first; null if none is idle. Lock-free. */
    Environment claimIdle() {
        for (Environment env; (env = provisionedIdle.pollFirst()) != null; ) {
            if (env.claim()) {
                return env;
            }
        }
        for (Environment env; (env = idle.pollFirst()) != null; ) {
            if (env.claim()) {
                return env;
            }
        }
        return null;
    }

    long footprintMb() {
        return footprintMb.get();
    }

    void noteFootprint(long mb) {
        footprintMb.accumulateAndGet(mb, Math::max);
    }

    /** The stack an idle environment of this pool goes back on. */
    ConcurrentLinkedDeque<Environment> idleStackOf(Environment env) {
        return env.target == null ? idle : provisionedIdle;
    }

    Deployment deployment() {
        return deployment;
    }

    FunctionConfig config() {
        return deployment.config();
    }

    FunctionLog functionLog() {
        return functionLog;
    }

    /** Whether {@code other} describes a later configuration than this pool runs. */
    boolean isOlderThan(FunctionConfig other) {
        FunctionConfig mine = deployment.config();
        return !mine.revisionId().equals(other.revisionId())
                && !other.lastModified().isBefore(mine.lastModified());
    }
}
