package dev.spur.sandbox;

/**
 * What CFS bandwidth control did to a cgroup, from its {@code cpu.stat}: how many periods it was
 * active in, in how many of them it used up its quota and was held until the period's end, and for
 * how long in all (summed over CPUs, so two threads held at once count twice). Counters since the
 * cgroup was created; subtract two readings ({@link #minus}) to see what happened in between.
 *
 * @param periods          {@code nr_periods}
 * @param throttledPeriods {@code nr_throttled}
 * @param throttledNanos   v1 {@code throttled_time}, v2 {@code throttled_usec} × 1,000
 */
public record CpuThrottling(long periods, long throttledPeriods, long throttledNanos) {
    public static final CpuThrottling NONE = new CpuThrottling(0, 0, 0);

    public CpuThrottling plus(CpuThrottling other) {
        return new CpuThrottling(
                periods + other.periods,
                throttledPeriods + other.throttledPeriods,
                throttledNanos + other.throttledNanos);
    }

    public CpuThrottling minus(CpuThrottling earlier) {
        return new CpuThrottling(
                periods - earlier.periods,
                throttledPeriods - earlier.throttledPeriods,
                throttledNanos - earlier.throttledNanos);
    }
}
