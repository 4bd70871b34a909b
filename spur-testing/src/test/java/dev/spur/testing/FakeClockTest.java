package dev.spur.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FakeClockTest {
    static final Instant T0 = Instant.parse("2026-03-07T12:00:00Z");

    @Test
    void standsStillUntilAdvancedAndMovesBothReadingsTogether() {
        FakeClock clock = FakeClock.at(T0);
        assertThat(clock.instant()).isEqualTo(T0);
        assertThat(clock.nanos()).isEqualTo(FakeClock.START_NANOS);
        assertThat(clock.instant()).isEqualTo(T0);

        assertThat(clock.advance(Duration.ofMillis(1500))).isEqualTo(T0.plusMillis(1500));
        assertThat(clock.nanos()).isEqualTo(FakeClock.START_NANOS + 1_500_000_000L);
        clock.advanceMillis(1);
        assertThat(clock.millis()).isEqualTo(T0.toEpochMilli() + 1501);
    }

    @Test
    void setMovesTheWallClockAnywhereButTheTickerNeverBack() {
        FakeClock clock = FakeClock.at("2026-03-07T12:00:00Z");
        clock.set(T0.plusSeconds(60));
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(60));
        assertThat(clock.nanos()).isEqualTo(FakeClock.START_NANOS + 60_000_000_000L);

        clock.set(T0.minusSeconds(3600));
        assertThat(clock.instant()).isEqualTo(T0.minusSeconds(3600));
        assertThat(clock.nanos()).as("monotonic").isEqualTo(FakeClock.START_NANOS + 60_000_000_000L);
        assertThatIllegalArgumentException().isThrownBy(() -> clock.advance(Duration.ofNanos(-1)));
    }
}
