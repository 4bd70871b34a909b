package dev.spur.cron;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class AtTest {

    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @Test
    void firesOnceAtTheLocalTimeInTheZone() {
        ScheduleExpression at = ScheduleExpression.parse("at(2026-12-01T10:00:00)");
        Instant before = Instant.parse("2026-06-01T00:00:00Z");
        assertThat(at.nextAfter(before, ZoneOffset.UTC)).contains(Instant.parse("2026-12-01T10:00:00Z"));
        assertThat(at.nextAfter(before, NEW_YORK)).contains(Instant.parse("2026-12-01T15:00:00Z"));
        assertThat(at.nextAfter(before, ZoneId.of("Europe/Berlin"))).contains(Instant.parse("2026-12-01T09:00:00Z"));
    }

    @Test
    void isEmptyOnceThePointHasPassed() {
        ScheduleExpression at = ScheduleExpression.parse("at(2026-12-01T10:00:00)");
        assertThat(at.nextAfter(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC))
                .isEmpty();
        assertThat(at.nextAfter(Instant.parse("2027-01-01T00:00:00Z"), ZoneOffset.UTC))
                .isEmpty();
        assertThat(at.nextAfter(Instant.parse("2026-12-01T14:59:59Z"), NEW_YORK))
                .contains(Instant.parse("2026-12-01T15:00:00Z"));
    }

    @Test
    void aTimeInTheGapShiftsForwardAndARepeatedTimeFiresAtItsFirstInstant() {
        assertThat(ScheduleExpression.parse("at(2026-03-08T02:30:00)").nextAfter(Instant.EPOCH, NEW_YORK))
                .contains(Instant.parse("2026-03-08T07:30:00Z")); // 03:30 EDT
        assertThat(ScheduleExpression.parse("at(2026-11-01T01:30:00)").nextAfter(Instant.EPOCH, NEW_YORK))
                .contains(Instant.parse("2026-11-01T05:30:00Z")); // 01:30 EDT
    }
}
