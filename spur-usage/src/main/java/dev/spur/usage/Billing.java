package dev.spur.usage;

import dev.spur.logs.PlatformLog;
import dev.spur.store.UsageStore.UsageRow;

/**
 * The arithmetic of a bill, in one place. Billed milliseconds are {@link PlatformLog#billedMillis}'s —
 * the very figure the REPORT line prints — so a bill and the REPORT lines cannot disagree. GB-seconds
 * are kept as exact MB·ms integers until the end: 1 GB-second = 1024 MB × 1000 ms.
 */
public final class Billing {
    /** MB·ms in one GB-second. */
    public static final long MB_MS_PER_GB_SECOND = 1024L * 1000L;

    /** Lambda's free ephemeral storage. */
    public static final int FREE_EPHEMERAL_MB = 512;

    private Billing() {}

    /** The REPORT line's Billed Duration: the duration (and, on a cold start, the init) rounded up to 1 ms. */
    public static long billedMillis(long durationNanos, long initNanos) {
        return PlatformLog.billedMillis(durationNanos, initNanos);
    }

    /** The init phase's part of {@link #billedMillis}: what the same invocation would bill without it removed. */
    public static long initBilledMillis(long durationNanos, long initNanos) {
        return initNanos < 0 ? 0 : billedMillis(durationNanos, initNanos) - billedMillis(durationNanos, -1);
    }

    public static double gbSeconds(long mbMs) {
        return mbMs / (double) MB_MS_PER_GB_SECOND;
    }

    /** The estimated cost of a row's figures. */
    public static Cost cost(UsageRow r, PriceTable prices) {
        double requests = r.requests() * prices.requestsPerMillion() / 1_000_000.0;
        double duration = gbSeconds(r.billedMbMs() - r.provisionedBilledMbMs()) * prices.gbSecond();
        double provisionedDuration = gbSeconds(r.provisionedBilledMbMs()) * prices.provisionedDurationGbSecond();
        double provisioned = gbSeconds(r.provisionedMbMs()) * prices.provisionedGbSecond();
        double ephemeral = gbSeconds(r.ephemeralMbMs()) * prices.ephemeralGbSecond();
        return new Cost(requests, duration, provisionedDuration, provisioned, ephemeral);
    }

    /** An estimated bill's parts, in US dollars. */
    public record Cost(
            double requests, double duration, double provisionedDuration, double provisioned, double ephemeral) {
        public double total() {
            return requests + duration + provisionedDuration + provisioned + ephemeral;
        }
    }
}
