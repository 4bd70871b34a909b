package dev.spur.cron;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RateTest {

    private static final Instant ANCHOR = Instant.parse("2026-01-01T00:00:00Z");
    private static final ZoneId UTC = ZoneOffset.UTC;

    @Test
    void intervalIsValueTimesUnit() {
        assertThat(((Rate) ScheduleExpression.parse("rate(5 minutes)")).interval())
                .isEqualTo(Duration.ofMinutes(5));
        assertThat(((Rate) ScheduleExpression.parse("rate(2 hours)")).interval())
                .isEqualTo(Duration.ofHours(2));
        assertThat(((Rate) ScheduleExpression.parse("rate(3 days)")).interval()).isEqualTo(Duration.ofHours(72));
    }

    @Test
    void firesOnTheAnchorGrid() {
        Rate rate = (Rate) ScheduleExpression.parse("rate(5 minutes)");
        assertThat(rate.nextAfter(Instant.parse("2026-01-01T00:12:30Z"), UTC, ANCHOR))
                .contains(Instant.parse("2026-01-01T00:15:00Z"));
        assertThat(rate.nextAfter(Instant.parse("2026-01-01T00:15:00Z"), UTC, ANCHOR))
                .contains(Instant.parse("2026-01-01T00:20:00Z"));
        assertThat(rate.nextAfter(Instant.parse("2026-03-09T07:01:00Z"), ZoneId.of("America/New_York"), ANCHOR))
                .contains(Instant.parse("2026-03-09T07:05:00Z"));
    }

    @Test
    void firstFireIsTheAnchorWhenAskedBeforeIt() {
        Rate rate = (Rate) ScheduleExpression.parse("rate(1 hour)");
        assertThat(rate.nextAfter(ANCHOR.minusSeconds(3600 * 24), UTC, ANCHOR)).contains(ANCHOR);
        assertThat(rate.nextAfter(ANCHOR, UTC, ANCHOR)).contains(ANCHOR.plusSeconds(3600));
    }

    @Test
    void withoutAnAnchorTheNextFireIsOneIntervalAfterTheLast() {
        Instant last = Instant.parse("2026-05-05T10:07:13Z");
        assertThat(ScheduleExpression.parse("rate(10 minutes)").nextAfter(last, UTC))
                .contains(Instant.parse("2026-05-05T10:17:13Z"));
    }

    @Test
    void endsOnlyPastTheEndOfTime() {
        Rate rate = (Rate) ScheduleExpression.parse("rate(1 day)");
        assertThat(rate.nextAfter(Instant.MAX.minusSeconds(60), UTC, ANCHOR)).isEmpty();
    }
}
