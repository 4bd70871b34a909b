package dev.spur.sandbox;

/**
 * The CPU an environment may use, as Lambda gives it: a share proportional to its memory (1,769 MB
 * is one vCPU), capped at the node's cores. Two mechanisms carry it: a weight that divides a busy
 * node between environments from their first instruction (v1 {@code cpu.shares}, v2
 * {@code cpu.weight}), and a bandwidth quota of {@code quotaMicros} per {@code periodMicros} (v1
 * {@code cpu.cfs_quota_us}/{@code cpu.cfs_period_us}, v2 {@code cpu.max}), which the linux sandbox
 * applies only once the environment's init has ended ({@link SandboxedEnvironment#initEnded()}).
 * The period and the formula live here and nowhere else.
 *
 * @param quotaMicros CPU time per period; {@link #NO_QUOTA} for none (the weight still applies)
 * @param weight      in v1's {@code cpu.shares} units (1,024 = one vCPU's worth); v2 converts it
 */
record CpuLimit(long quotaMicros, long periodMicros, int weight) {
    /** Lambda's figure: at 1,769 MB a function has the equivalent of one full vCPU. */
    static final int MB_PER_VCPU = 1769;

    /** The bandwidth period: a quota is spent at most this long before the environment waits for the next. */
    static final long PERIOD_MICROS = 100_000;

    /** The smallest quota the kernel takes (1 ms per period). */
    static final long MIN_QUOTA_MICROS = 1000;

    static final long NO_QUOTA = -1;

    /** The share of a function of {@code memoryMb} on a node of {@code cores}. */
    static CpuLimit forMemory(int memoryMb, int cores) {
        long quota = Math.min(PERIOD_MICROS * memoryMb / MB_PER_VCPU, PERIOD_MICROS * cores);
        int weight = (int) Math.max(2, 1024L * memoryMb / MB_PER_VCPU);
        return new CpuLimit(Math.max(MIN_QUOTA_MICROS, quota), PERIOD_MICROS, weight);
    }

    /** The same weight, no quota: how an environment runs until its init has ended. */
    CpuLimit withoutQuota() {
        return new CpuLimit(NO_QUOTA, periodMicros, weight);
    }

    boolean hasQuota() {
        return quotaMicros >= 0;
    }
}
