package dev.spur.sandbox;

/**
 * The CPU an environment may use, as Lambda gives it: a share proportional to its memory (1,769 MB
 * is one vCPU), capped at the node's cores. Two mechanisms carry it: a weight that divides a busy
 * node between environments from their first instruction (v1 {@code cpu.shares}, v2
 * {@code cpu.weight}), and a bandwidth quota of {@code quotaMicros} per {@code periodMicros} (v1
 * {@code cpu.cfs_quota_us}/{@code cpu.cfs_period_us}, v2 {@code cpu.max}), which the linux sandbox
 * applies only once the environment's start-up has ended: its init and its first invocation, at most
 * a second of it ({@link SandboxedEnvironment#startUpEnded()}).
 * The period and the formula live here and nowhere else.
 *
 * <p><b>Why a short period.</b> CFS bandwidth control lets a cgroup run its quota, then holds it
 * until the period ends. With the kernel's default 100 ms period a 512 MB function (29 ms of quota)
 * that spends its quota early waits up to 71 ms: an invoke that happens to need a little more CPU
 * than is left in the period stalls for tens of milliseconds although its share over time is
 * respected. The stall is at most {@code period − quota}, so the period is short: {@link #PERIOD_MICROS}
 * (5 ms; at 512 MB 1.45 ms of quota, a stall of at most 3.6 ms), stretched only where the quota would
 * fall under the kernel's minimum of 1 ms (below 354 MB: at 128 MB a period of 13.8 ms for 1 ms of
 * quota). The share over a second is the same whatever the period.
 *
 * <p><b>Burst.</b> Where the kernel has it (5.14 on: v1 {@code cpu.cfs_burst_us}, v2
 * {@code cpu.max.burst}), an environment may also carry up to one period's quota it left unused
 * into a later period ({@code burstMicros} = the quota): an idle environment's next invoke gets twice
 * its quota before any stall, while a busy one, which leaves nothing unused, keeps its share exactly.
 *
 * @param quotaMicros CPU time per period; {@link #NO_QUOTA} for none (the weight still applies)
 * @param burstMicros unused quota an environment may carry over (0: none)
 * @param weight      in v1's {@code cpu.shares} units (1,024 = one vCPU's worth); v2 converts it
 */
record CpuLimit(long quotaMicros, long periodMicros, long burstMicros, int weight) {
    /** Lambda's figure: at 1,769 MB a function has the equivalent of one full vCPU. */
    static final int MB_PER_VCPU = 1769;

    /** The bandwidth period, unless the quota would be under {@link #MIN_QUOTA_MICROS}: see the class comment. */
    static final long PERIOD_MICROS = 5_000;

    /** The smallest quota (and period) the kernel takes: 1 ms. */
    static final long MIN_QUOTA_MICROS = 1000;

    static final long NO_QUOTA = -1;

    /** The share of a function of {@code memoryMb} on a node of {@code cores}. */
    static CpuLimit forMemory(int memoryMb, int cores) {
        // The shortest period at which the quota is still ≥ 1 ms, but never shorter than PERIOD_MICROS.
        long period = Math.max(PERIOD_MICROS, ceilDiv(MIN_QUOTA_MICROS * MB_PER_VCPU, memoryMb));
        long quota = Math.min(period * memoryMb / MB_PER_VCPU, period * cores);
        quota = Math.max(MIN_QUOTA_MICROS, quota);
        int weight = (int) Math.max(2, 1024L * memoryMb / MB_PER_VCPU);
        return new CpuLimit(quota, period, quota, weight);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** The same weight, no quota: how an environment runs until its init has ended. */
    CpuLimit withoutQuota() {
        return new CpuLimit(NO_QUOTA, periodMicros, 0, weight);
    }

    boolean hasQuota() {
        return quotaMicros >= 0;
    }

    /** The share of a CPU this limit gives over time (the quota over the period; 0 without a quota). */
    double vcpus() {
        return hasQuota() ? (double) quotaMicros / periodMicros : 0;
    }
}
