package dev.spur.pools;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's memory as admission counts it: what environments may use (their limits) and what they
 * actually use (their charges), both against the node's capacity.
 *
 * <p><b>Limits stay limits.</b> Every environment keeps its {@code MemorySize} as a hard limit (the
 * linux sandbox's cgroup enforces it). But a no-op environment uses a few tens of MB of its 1,769, so
 * admitting on Σ {@code MemorySize} alone leaves most of a node idle. Two sums are kept instead, over
 * the live environments of every function, both in MB and both bounded:
 *
 * <ul>
 *   <li><b>limits</b>: Σ {@code MemorySize} ≤ {@code overcommit} × capacity. The operator's ratio
 *       ({@code spur server --memory-overcommit}); 1 means no environment could ever need memory the
 *       node does not have.
 *   <li><b>charges</b>: Σ charge ≤ capacity, an environment's charge being what it has used plus
 *       headroom: {@code min(MemorySize, peak + max(32 MB, peak / 4))}, learned after each invocation
 *       from its peak memory (the cgroup's high-water mark on linux, Σ {@code VmHWM} of its processes
 *       otherwise). A new environment is charged what its pool's environments have needed so far, or
 *       {@code min(MemorySize, 256 MB)} for a pool's first, until its first invocation measures it.
 * </ul>
 *
 * An environment that does not fit evicts idle on-demand environments, least recently used first,
 * and failing that is refused (429). Pressure in between is {@link Pools#relieveMemoryPressure}'s:
 * what environments really use now is read every second; above {@link #PRESSURE} of capacity idle
 * environments are evicted and new ones refused until it is below again. The last line, which no
 * estimate can replace, is the kernel's: the linux sandbox caps its parent cgroup at the capacity
 * ({@code Sandbox.limitTotalMemory}), so environments growing toward their limits at once are
 * OOM-killed among themselves (their invocations fail with {@code Runtime.OutOfMemory}); neither
 * Spur nor anything else on the host is touched.
 *
 * <p><b>Concurrency.</b> Both sums live in one {@link AtomicLong} (limits in the high 32 bits, charges
 * in the low), so a reservation checks and takes both in one CAS; no lock.
 */
final class NodeMemory {
    /** Above this share of capacity in real use, idle environments are evicted and new ones refused. */
    static final double PRESSURE = 0.9;

    static final long FIRST_GUESS_MB = 256;
    static final long MIN_HEADROOM_MB = 32;

    private final long capacityMb;
    private final long limitsCapMb;
    private final AtomicLong sums = new AtomicLong(); // limits << 32 | charges
    private volatile boolean underPressure;

    NodeMemory(long capacityMb, double overcommit) {
        this.capacityMb = capacityMb;
        this.limitsCapMb = (long) Math.floor(capacityMb * overcommit);
    }

    /** What an environment of {@code limitMb} that has used {@code peakBytes} at most is charged. */
    static long chargeFor(long limitMb, long peakBytes) {
        long peakMb = (peakBytes + (1 << 20) - 1) >> 20;
        return Math.min(limitMb, peakMb + Math.max(MIN_HEADROOM_MB, peakMb / 4));
    }

    /** A new environment's charge: its pool's largest so far, or a first guess. */
    static long initialCharge(long limitMb, long poolFootprintMb) {
        return Math.min(limitMb, poolFootprintMb > 0 ? poolFootprintMb : FIRST_GUESS_MB);
    }

    /** Takes {@code limitMb} of limits and {@code chargeMb} of charges if both fit and the node is not under pressure. */
    boolean tryReserve(long limitMb, long chargeMb) {
        if (underPressure) {
            return false;
        }
        while (true) {
            long s = sums.get();
            long limits = (s >>> 32) + limitMb;
            long charges = (s & 0xffff_ffffL) + chargeMb;
            if (limits > limitsCapMb || charges > capacityMb) {
                return false;
            }
            if (sums.compareAndSet(s, limits << 32 | charges)) {
                return true;
            }
        }
    }

    /** Adds to (or, negative, takes from) the charges; never refused: the memory is in use already. */
    void addCharge(long deltaMb) {
        sums.addAndGet(deltaMb);
    }

    void release(long limitMb, long chargeMb) {
        sums.addAndGet(-(limitMb << 32) - chargeMb);
    }

    long limitsMb() {
        return sums.get() >>> 32;
    }

    long chargesMb() {
        return sums.get() & 0xffff_ffffL;
    }

    long capacityMb() {
        return capacityMb;
    }

    long limitsCapMb() {
        return limitsCapMb;
    }

    /** Records what environments really use now; returns how many MB over the pressure line that is (≤ 0: none). */
    long observe(long inUseBytes) {
        long over = (inUseBytes >> 20) - (long) (capacityMb * PRESSURE);
        underPressure = over > 0;
        return over;
    }

    boolean underPressure() {
        return underPressure;
    }

    String describe() {
        return limitsMb() + " of " + limitsCapMb + " MB of limits, " + chargesMb() + " of " + capacityMb
                + " MB in use with headroom" + (underPressure ? ", under memory pressure" : "");
    }
}
