package dev.spur.usage;

import dev.spur.common.FunctionKey;
import dev.spur.store.UsageStore;
import dev.spur.store.UsageStore.UsageRow;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Usage, off the invoke path. The invoke path's whole cost is {@link #invoked}: one small record and
 * one lock-free {@link ConcurrentLinkedQueue#offer} (no lock, no I/O, no map lookup). Everything else
 * happens on the meter's own thread, {@code spur-usage}, or on a reader's, under one lock:
 *
 * <ol>
 *   <li><b>Fold</b> — drain the inbox into per-(function, version, hour) sums and into each function's
 *       {@link MinuteSeries} (every second, so charts lag by at most a second, and before every read).
 *   <li><b>Sample</b> — at each flush, the provisioned environments alive now × their memory × the time
 *       since the last sample is added to the current hour (provisioned concurrency is billed for being
 *       kept, whether used or not).
 *   <li><b>Flush</b> — every {@code flushInterval} (10 s) and at close, the pending sums go to the
 *       {@link UsageStore} in one transaction ({@link UsageStore#add} adds to the stored rows). When
 *       that throws, the sums stay pending and go with the next batch; nothing is written per invoke.
 * </ol>
 *
 * <p>Billed milliseconds are {@link Billing#billedMillis}, the REPORT line's own figure, computed from
 * the same duration and init nanoseconds the REPORT line is written from.
 *
 * <p>Failure semantics: usage since the last flush is in memory; a crash loses at most one flush interval
 * of it (the invocations themselves are unaffected). A flush whose commit fails is retried with the next.
 */
public final class UsageMeter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(UsageMeter.class.getName());
    private static final long HOUR_MILLIS = 3_600_000L;

    /** One invocation as the REPORT line saw it. */
    public record Invocation(
            FunctionKey function,
            String version,
            int memoryMb,
            int ephemeralStorageMb,
            long durationNanos,
            long initNanos,
            boolean error,
            boolean coldStart,
            boolean provisioned) {}

    /** Provisioned environments alive now of one function version. */
    public record Provisioned(FunctionKey function, String version, int memoryMb, int environments) {}

    /** What the inbox holds: an invocation, or a throttle (invocation null). */
    private record Event(long atMillis, Invocation invocation, FunctionKey throttled, String version) {}

    private record RowKey(FunctionKey function, String version, long hour) {}

    private final UsageStore store;
    private final InstantSource clock;
    private final Supplier<List<Provisioned>> provisioned;
    private final int seriesMinutes;
    private final ConcurrentLinkedQueue<Event> inbox = new ConcurrentLinkedQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<RowKey, long[]> pending = new LinkedHashMap<>();
    private final Map<FunctionKey, MinuteSeries> series = new HashMap<>();
    private long lastSampleMillis;
    private int lastPruneMinute;
    private ScheduledExecutorService thread;

    /**
     * @param provisioned   the provisioned environments alive now (sampled at each flush)
     * @param seriesMinutes how many minutes each function's series keeps (1,440: 24 hours)
     */
    public UsageMeter(
            UsageStore store, InstantSource clock, Supplier<List<Provisioned>> provisioned, int seriesMinutes) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.provisioned = Objects.requireNonNull(provisioned, "provisioned");
        this.seriesMinutes = seriesMinutes;
        this.lastSampleMillis = clock.millis();
    }

    /** Starts {@code spur-usage}: folds every second, flushes every {@code flushInterval}. */
    public UsageMeter start(Duration flushInterval) {
        thread = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("spur-usage").unstarted(r));
        thread.scheduleWithFixedDelay(this::foldQuietly, 1, 1, TimeUnit.SECONDS);
        long every = flushInterval.toMillis();
        thread.scheduleWithFixedDelay(this::flushQuietly, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    /** The invoke path's hook: one invocation ended (its REPORT line is written). Never blocks. */
    public void invoked(Invocation invocation) {
        inbox.offer(new Event(clock.millis(), invocation, null, null));
    }

    /** An invocation of {@code function} was refused with 429 (concurrency). Never blocks. */
    public void throttled(FunctionKey function, String version) {
        inbox.offer(new Event(clock.millis(), null, function, version));
    }

    /** Folds what has arrived and writes every pending sum to the store now. */
    public void flush() {
        lock.lock();
        try {
            fold();
            sampleProvisioned();
            if (pending.isEmpty()) {
                return;
            }
            List<UsageRow> rows = new ArrayList<>(pending.size());
            pending.forEach((k, v) -> rows.add(row(k, v)));
            store.add(rows);
            pending.clear();
        } finally {
            lock.unlock();
        }
    }

    /** The usage the store holds plus what is pending, as {@link UsageStore#rows} (pending is flushed first). */
    public List<UsageRow> rows(Optional<String> account, Optional<String> function, long fromHour, long untilHour) {
        flush();
        return store.rows(account, function, fromHour, untilHour);
    }

    /**
     * The last {@code minutes} minutes of one function's series (up to the current minute), oldest
     * first; zeros for a function not invoked in that window.
     */
    public Series series(FunctionKey function, int minutes) {
        lock.lock();
        try {
            fold();
            int now = (int) Math.floorDiv(clock.millis(), 60_000L);
            MinuteSeries s = series.get(function);
            MinuteSeries.Snapshot snap =
                    (s != null ? s : new MinuteSeries(seriesMinutes)).snapshot(now, Math.min(minutes, seriesMinutes));
            return new Series(
                    snap.minutes(),
                    snap.invocations(),
                    snap.errors(),
                    snap.throttles(),
                    snap.coldStarts(),
                    snap.p50Millis(),
                    snap.p99Millis());
        } finally {
            lock.unlock();
        }
    }

    /** The functions that have a series (were invoked or throttled since the server started, within its span). */
    public List<FunctionKey> functionsWithSeries() {
        lock.lock();
        try {
            fold();
            return List.copyOf(series.keySet());
        } finally {
            lock.unlock();
        }
    }

    /** Per-minute figures of one function: {@code minutes} are epoch minutes; percentiles in ms, NaN where none. */
    public record Series(
            int[] minutes,
            int[] invocations,
            int[] errors,
            int[] throttles,
            int[] coldStarts,
            float[] p50Millis,
            float[] p99Millis) {}

    /** Bytes one function's series holds: what the console's charts cost in memory. */
    public static long seriesBytesPerFunction(int minutes) {
        return 28L * minutes + 64L * 8 * Integer.BYTES;
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.shutdownNow();
            try {
                thread.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flushQuietly();
    }

    private void foldQuietly() {
        lock.lock();
        try {
            fold();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "usage: folding failed", e);
        } finally {
            lock.unlock();
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "usage: writing a batch failed; it stays pending for the next one", e);
        }
    }

    /** Under the lock. */
    private void fold() {
        int oldestKept = (int) Math.floorDiv(clock.millis(), 60_000L) - seriesMinutes;
        for (Event e; (e = inbox.poll()) != null; ) {
            long hour = Math.floorDiv(e.atMillis(), HOUR_MILLIS) * 3600;
            int minute = (int) Math.floorDiv(e.atMillis(), 60_000L);
            Invocation i = e.invocation();
            if (i == null) {
                sums(e.throttled(), e.version(), hour)[2]++;
                seriesOf(e.throttled()).throttled(minute);
                continue;
            }
            long billed = Billing.billedMillis(i.durationNanos(), i.initNanos());
            long[] s = sums(i.function(), i.version(), hour);
            s[0]++;
            s[1] += i.error() ? 1 : 0;
            s[3] += i.coldStart() ? 1 : 0;
            s[4] += i.durationNanos() / 1000;
            s[5] += billed;
            s[6] += Billing.initBilledMillis(i.durationNanos(), i.initNanos());
            s[7] += billed * i.memoryMb();
            if (i.provisioned()) {
                s[8]++;
                s[9] += billed * i.memoryMb();
            }
            s[11] += billed * Math.max(0, i.ephemeralStorageMb() - Billing.FREE_EPHEMERAL_MB);
            seriesOf(i.function()).invoked(minute, i.durationNanos(), i.error(), i.coldStart());
        }
        if (oldestKept != lastPruneMinute) {
            lastPruneMinute = oldestKept;
            series.values().removeIf(s -> s.idleSince(oldestKept));
        }
    }

    /** Under the lock. */
    private void sampleProvisioned() {
        long now = clock.millis();
        long elapsed = now - lastSampleMillis;
        lastSampleMillis = now;
        if (elapsed <= 0) {
            return;
        }
        long hour = Math.floorDiv(now, HOUR_MILLIS) * 3600;
        for (Provisioned p : provisioned.get()) {
            sums(p.function(), p.version(), hour)[10] += (long) p.environments() * p.memoryMb() * elapsed;
        }
    }

    private long[] sums(FunctionKey function, String version, long hour) {
        return pending.computeIfAbsent(new RowKey(function, version, hour), k -> new long[12]);
    }

    private MinuteSeries seriesOf(FunctionKey function) {
        return series.computeIfAbsent(function, k -> new MinuteSeries(seriesMinutes));
    }

    private static UsageRow row(RowKey k, long[] s) {
        FunctionKey f = k.function();
        return new UsageRow(
                f.account(),
                f.region(),
                f.name(),
                k.version(),
                k.hour(),
                s[0],
                s[1],
                s[2],
                s[3],
                s[4],
                s[5],
                s[6],
                s[7],
                s[8],
                s[9],
                s[10],
                s[11]);
    }
}
