package dev.spur.usage;

import java.util.Arrays;

/**
 * One function's per-minute series for the console's charts: invocations, errors, throttles, cold
 * starts and the duration's p50/p99, in a ring of {@code minutes} slots (24 hours by default). A slot
 * remembers which minute it holds, so a slot left from an earlier lap reads as zero.
 *
 * <p>Percentiles come from a log-linear histogram of the open minute (8 buckets per power of two of
 * microseconds: ≤ 12.5 % relative error), computed when the minute closes; only the open minute keeps
 * a histogram. Memory: 28 bytes per slot (1,440 slots ≈ 40 KB) + 2 KB for the histogram, per function
 * that has been invoked since the server started.
 *
 * <p>Written only by the meter's folding thread; read under the same lock (see {@link UsageMeter}).
 */
final class MinuteSeries {
    private static final int SUB = 8;
    private static final int BUCKETS = 64 * SUB;

    private final int[] minute;
    private final int[] invocations;
    private final int[] errors;
    private final int[] throttles;
    private final int[] coldStarts;
    private final float[] p50;
    private final float[] p99;
    private final int[] histogram = new int[BUCKETS];
    private int histogramMinute = Integer.MIN_VALUE;
    private int histogramCount;

    MinuteSeries(int minutes) {
        minute = new int[minutes];
        Arrays.fill(minute, Integer.MIN_VALUE);
        invocations = new int[minutes];
        errors = new int[minutes];
        throttles = new int[minutes];
        coldStarts = new int[minutes];
        p50 = new float[minutes];
        p99 = new float[minutes];
    }

    /** One invocation that ended in {@code epochMinute}. */
    void invoked(int epochMinute, long durationNanos, boolean error, boolean coldStart) {
        int slot = slot(epochMinute);
        invocations[slot]++;
        if (error) {
            errors[slot]++;
        }
        if (coldStart) {
            coldStarts[slot]++;
        }
        if (histogramMinute != epochMinute) {
            startHistogram(epochMinute);
        }
        histogram[bucket(Math.max(1, durationNanos / 1000))]++;
        histogramCount++;
    }

    void throttled(int epochMinute) {
        throttles[slot(epochMinute)]++;
    }

    /** The last {@code count} minutes up to and including {@code lastMinute}, oldest first. */
    Snapshot snapshot(int lastMinute, int count) {
        int n = Math.min(count, minute.length);
        if (histogramMinute != Integer.MIN_VALUE && histogramMinute <= lastMinute) {
            closeHistogram(); // the open minute's percentiles so far
        }
        int[] times = new int[n];
        int[] inv = new int[n];
        int[] err = new int[n];
        int[] thr = new int[n];
        int[] cold = new int[n];
        float[] q50 = new float[n];
        float[] q99 = new float[n];
        for (int i = 0; i < n; i++) {
            int m = lastMinute - (n - 1 - i);
            times[i] = m;
            int slot = Math.floorMod(m, minute.length);
            if (minute[slot] == m) {
                inv[i] = invocations[slot];
                err[i] = errors[slot];
                thr[i] = throttles[slot];
                cold[i] = coldStarts[slot];
                q50[i] = p50[slot];
                q99[i] = p99[slot];
            } else {
                q50[i] = Float.NaN;
                q99[i] = Float.NaN;
            }
        }
        return new Snapshot(times, inv, err, thr, cold, q50, q99);
    }

    /** Whether anything happened in the ring's span before {@code lastMinute}. */
    boolean idleSince(int oldestMinute) {
        for (int m : minute) {
            if (m >= oldestMinute) {
                return false;
            }
        }
        return histogramMinute < oldestMinute;
    }

    private int slot(int epochMinute) {
        int slot = Math.floorMod(epochMinute, minute.length);
        if (minute[slot] != epochMinute) {
            minute[slot] = epochMinute;
            invocations[slot] = 0;
            errors[slot] = 0;
            throttles[slot] = 0;
            coldStarts[slot] = 0;
            p50[slot] = Float.NaN;
            p99[slot] = Float.NaN;
        }
        return slot;
    }

    /** Writes the open minute's p50 and p99 (milliseconds) into its slot; the histogram stays open. */
    private void closeHistogram() {
        if (histogramCount == 0) {
            return;
        }
        int slot = Math.floorMod(histogramMinute, minute.length);
        if (minute[slot] == histogramMinute) {
            p50[slot] = (float) (quantile(0.50) / 1000.0);
            p99[slot] = (float) (quantile(0.99) / 1000.0);
        }
    }

    /** Closes the open minute and starts {@code epochMinute}'s histogram. */
    private void startHistogram(int epochMinute) {
        closeHistogram();
        Arrays.fill(histogram, 0);
        histogramCount = 0;
        histogramMinute = epochMinute;
    }

    /** The upper bound (µs) of the bucket holding the {@code q} quantile. */
    long quantile(double q) {
        long rank = Math.max(1, (long) Math.ceil(q * histogramCount));
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += histogram[b];
            if (seen >= rank) {
                return upperBound(b);
            }
        }
        return upperBound(BUCKETS - 1);
    }

    static int bucket(long micros) {
        if (micros < SUB) {
            return (int) micros;
        }
        int msb = 63 - Long.numberOfLeadingZeros(micros);
        int sub = (int) ((micros >>> (msb - 3)) & (SUB - 1));
        return Math.min(BUCKETS - 1, (msb - 2) * SUB + sub);
    }

    /** The largest value (µs) {@link #bucket} puts in bucket {@code b}. */
    static long upperBound(int b) {
        if (b < SUB) {
            return b;
        }
        int msb = b / SUB + 2;
        int sub = b % SUB;
        return ((long) (SUB + sub + 1) << (msb - 3)) - 1;
    }

    /** A window of the series; {@code minutes} are epoch minutes; percentiles in ms, NaN where none. */
    record Snapshot(
            int[] minutes,
            int[] invocations,
            int[] errors,
            int[] throttles,
            int[] coldStarts,
            float[] p50Millis,
            float[] p99Millis) {}
}
