package dev.spur.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.common.FunctionKey;
import dev.spur.store.UsageStore;
import dev.spur.store.UsageStore.UsageRow;
import dev.spur.testing.FakeClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meter on a real SQLite usage store and a fake clock: sums per hour, provisioned time, series. */
class UsageMeterTest {
    static final FunctionKey FN = new FunctionKey("111111111111", "us-east-1", "fn");
    static final Instant START = Instant.parse("2026-03-01T10:59:00Z");

    @TempDir
    Path dir;

    FakeClock clock;
    UsageStore store;
    List<UsageMeter.Provisioned> provisioned = new ArrayList<>();
    UsageMeter meter;

    @BeforeEach
    void open() {
        clock = FakeClock.at(START);
        store = UsageStore.sqlite(dir.resolve("usage.db"));
        meter = new UsageMeter(store, clock, () -> provisioned, 60);
    }

    @AfterEach
    void close() {
        meter.close();
        store.close();
    }

    static UsageMeter.Invocation invocation(long durationNanos, long initNanos, boolean error, boolean provisioned) {
        return new UsageMeter.Invocation(
                FN, "$LATEST", 256, 1024, durationNanos, initNanos, error, initNanos >= 0, provisioned);
    }

    @Test
    void invocationsAddUpPerHourWithTheReportLinesBilledDuration() {
        meter.invoked(invocation(38_660_000, 203_690_000, false, false)); // 243 ms billed, 204 of them init
        meter.invoked(invocation(1_200_000, -1, true, false)); // 2 ms
        clock.advance(Duration.ofMinutes(2)); // the next hour
        meter.invoked(invocation(5_000_001, -1, false, true)); // 6 ms on a provisioned environment
        meter.throttled(FN, "$LATEST");

        List<UsageRow> rows = meter.rows(Optional.empty(), Optional.empty(), 0, Long.MAX_VALUE);

        assertThat(rows).hasSize(2);
        UsageRow first = rows.get(0);
        assertThat(first.hour()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z").getEpochSecond());
        assertThat(first.requests()).isEqualTo(2);
        assertThat(first.errors()).isEqualTo(1);
        assertThat(first.coldStarts()).isEqualTo(1);
        assertThat(first.billedMs()).isEqualTo(243 + 2);
        assertThat(first.initBilledMs()).isEqualTo(243 - 39);
        assertThat(first.billedMbMs()).isEqualTo((243 + 2) * 256L);
        assertThat(first.ephemeralMbMs()).as("(1024 − 512) MB × billed ms").isEqualTo((243 + 2) * 512L);
        assertThat(first.durationMicros()).isEqualTo(38_660 + 1_200);
        UsageRow second = rows.get(1);
        assertThat(second.hour())
                .isEqualTo(Instant.parse("2026-03-01T11:00:00Z").getEpochSecond());
        assertThat(second.requests()).isEqualTo(1);
        assertThat(second.throttles()).isEqualTo(1);
        assertThat(second.provisionedRequests()).isEqualTo(1);
        assertThat(second.provisionedBilledMbMs()).isEqualTo(6 * 256L);
    }

    @Test
    void batchesAddToWhatTheStoreHolds() {
        meter.invoked(invocation(1_000_000, -1, false, false));
        meter.flush();
        meter.invoked(invocation(2_500_000, -1, false, false));
        meter.flush();
        meter.flush(); // nothing pending: nothing added

        UsageRow row = store.rows(Optional.of(FN.account()), Optional.of("fn"), 0, Long.MAX_VALUE)
                .getFirst();
        assertThat(row.requests()).isEqualTo(2);
        assertThat(row.billedMs()).isEqualTo(1 + 3);
    }

    @Test
    void provisionedEnvironmentsAreBilledForTheTimeTheyAreKept() {
        meter.flush(); // the first sample: nothing kept yet
        provisioned.add(new UsageMeter.Provisioned(FN, "1", 512, 3));
        clock.advance(Duration.ofSeconds(30));
        meter.flush();

        UsageRow row = store.rows(Optional.empty(), Optional.empty(), 0, Long.MAX_VALUE)
                .getFirst();
        assertThat(row.version()).isEqualTo("1");
        assertThat(row.provisionedMbMs()).isEqualTo(3L * 512 * 30_000);
        assertThat(row.requests()).isZero();
    }

    @Test
    void theSeriesCountsPerMinuteWithPercentilesOfTheDuration() {
        for (int i = 1; i <= 100; i++) {
            meter.invoked(invocation(i * 1_000_000L, i == 1 ? 5_000_000 : -1, i % 10 == 0, false));
        }
        meter.throttled(FN, "$LATEST");
        clock.advance(Duration.ofMinutes(1));
        meter.invoked(invocation(7_000_000, -1, false, false));

        UsageMeter.Series s = meter.series(FN, 3);

        int now = (int) (clock.instant().getEpochSecond() / 60);
        assertThat(s.minutes()).containsExactly(now - 2, now - 1, now);
        assertThat(s.invocations()).containsExactly(0, 100, 1);
        assertThat(s.errors()).containsExactly(0, 10, 0);
        assertThat(s.throttles()).containsExactly(0, 1, 0);
        assertThat(s.coldStarts()).containsExactly(0, 1, 0);
        assertThat(s.p50Millis()[0]).isNaN();
        // 50 ms and 99 ms, within one histogram bucket (≤ 12.5 % above)
        assertThat(s.p50Millis()[1]).isBetween(50f, 50f * 1.125f);
        assertThat(s.p99Millis()[1]).isBetween(99f, 99f * 1.125f);
        assertThat(s.p50Millis()[2]).isBetween(7f, 7f * 1.125f);
        assertThat(meter.series(new FunctionKey("111111111111", "us-east-1", "other"), 3)
                        .invocations())
                .containsExactly(0, 0, 0);
    }

    @Test
    void aSeriesLeftIdleForItsWholeSpanIsDropped() {
        meter.invoked(invocation(1_000_000, -1, false, false));
        assertThat(meter.functionsWithSeries()).containsExactly(FN);
        clock.advance(Duration.ofMinutes(61));
        assertThat(meter.functionsWithSeries()).isEmpty();
    }

    @Test
    void histogramBucketsHoldTheirValues() {
        for (long v : new long[] {1, 7, 8, 9, 15, 16, 100, 1_000, 123_456, 900_000_000L}) {
            int b = MinuteSeries.bucket(v);
            assertThat(MinuteSeries.upperBound(b))
                    .as("upper bound of %d's bucket", v)
                    .isGreaterThanOrEqualTo(v);
            assertThat(MinuteSeries.upperBound(b)).isLessThanOrEqualTo(Math.max(v, (long) (v * 1.125)));
            if (b > 0) {
                assertThat(MinuteSeries.upperBound(b - 1)).isLessThan(v);
            }
        }
    }
}
