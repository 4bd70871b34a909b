package dev.spur.cron;

import static dev.spur.cron.Fires.next;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/**
 * Cron and rate schedules across daylight saving changes, as EventBridge Scheduler documents them:
 * a cron time that does not exist is skipped, one that occurs twice fires once. 2026 transitions:
 * New York springs forward 02:00 to 03:00 on March 8 and falls back 02:00 to 01:00 on November 1;
 * Berlin springs forward 02:00 to 03:00 on March 29 and falls back 03:00 to 02:00 on October 25.
 */
class DaylightSavingTest {

    private static final String NEW_YORK = "America/New_York";
    private static final String BERLIN = "Europe/Berlin";

    @Test
    void cronTimeInTheSpringForwardGapIsSkippedInNewYork() {
        assertThat(next("cron(30 2 * * ? *)", "2026-03-06T12:00", NEW_YORK, 3))
                .containsExactly("2026-03-07T02:30-05:00", "2026-03-09T02:30-04:00", "2026-03-10T02:30-04:00");
    }

    @Test
    void frequentCronJumpsOverTheGap() {
        assertThat(next("cron(0/30 * * * ? *)", "2026-03-08T01:00", NEW_YORK, 3))
                .containsExactly("2026-03-08T01:30-05:00", "2026-03-08T03:00-04:00", "2026-03-08T03:30-04:00");
    }

    @Test
    void cronTimeInTheFallBackOverlapFiresOnceAtItsFirstInstantInNewYork() {
        assertThat(next("cron(30 1 * * ? *)", "2026-10-31T12:00", NEW_YORK, 3))
                .containsExactly("2026-11-01T01:30-04:00", "2026-11-02T01:30-05:00", "2026-11-03T01:30-05:00");
    }

    @Test
    void frequentCronDoesNotRepeatTheRepeatedHour() {
        assertThat(next("cron(0/20 * * * ? *)", "2026-11-01T00:50", NEW_YORK, 5))
                .containsExactly(
                        "2026-11-01T01:00-04:00",
                        "2026-11-01T01:20-04:00",
                        "2026-11-01T01:40-04:00",
                        "2026-11-01T02:00-05:00",
                        "2026-11-01T02:20-05:00");
    }

    @Test
    void askedFromInsideTheRepeatedHourTheAlreadyFiredTimesAreNotRepeated() {
        Instant tenPastOneEst = Instant.parse("2026-11-01T06:10:00Z"); // 01:10 EST, the second 01:10
        assertThat(next("cron(0/20 * * * ? *)", tenPastOneEst, ZoneId.of(NEW_YORK), 2))
                .containsExactly("2026-11-01T02:00-05:00", "2026-11-01T02:20-05:00");
    }

    @Test
    void dailyCronKeepsItsLocalTimeAcrossTheChange() {
        assertThat(next("cron(0 10 * * ? *)", "2026-03-07T00:00", NEW_YORK, 2))
                .containsExactly("2026-03-07T10:00-05:00", "2026-03-08T10:00-04:00");
    }

    @Test
    void cronTimeInTheSpringForwardGapIsSkippedInBerlin() {
        assertThat(next("cron(30 2 * * ? *)", "2026-03-28T12:00", BERLIN, 2))
                .containsExactly("2026-03-30T02:30+02:00", "2026-03-31T02:30+02:00");
        // Sundays: March 29 is the change, so March 22 is followed by April 5.
        assertThat(next("cron(30 2 ? * SUN *)", "2026-03-20T00:00", BERLIN, 3))
                .containsExactly("2026-03-22T02:30+01:00", "2026-04-05T02:30+02:00", "2026-04-12T02:30+02:00");
    }

    @Test
    void cronTimeInTheFallBackOverlapFiresOnceInBerlin() {
        assertThat(next("cron(30 2 * * ? *)", "2026-10-24T12:00", BERLIN, 2))
                .containsExactly("2026-10-25T02:30+02:00", "2026-10-26T02:30+01:00");
    }

    @Test
    void rateIsAnAbsoluteIntervalAcrossTheChange() {
        Rate daily = (Rate) ScheduleExpression.parse("rate(1 day)");
        Instant anchor = Instant.parse("2026-03-07T13:00:00Z"); // 08:00 EST
        assertThat(daily.nextAfter(anchor, ZoneId.of(NEW_YORK), anchor))
                .contains(Instant.parse("2026-03-08T13:00:00Z")); // 09:00 EDT: 24 hours later, not 08:00
    }
}
