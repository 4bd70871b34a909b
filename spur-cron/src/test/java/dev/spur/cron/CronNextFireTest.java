package dev.spur.cron;

import static dev.spur.cron.Fires.next;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Consecutive fire times per cron feature, in UTC; calendars checked against an independent calendar. */
class CronNextFireTest {

    private static final String UTC = "UTC";

    @Test
    void everyDayRollsOverMonthAndYear() {
        assertThat(next("cron(0 10 * * ? *)", "2026-01-30T12:00", UTC, 3))
                .containsExactly("2026-01-31T10:00+00:00", "2026-02-01T10:00+00:00", "2026-02-02T10:00+00:00");
        assertThat(next("cron(15 12 * * ? *)", "2026-12-31T12:00", UTC, 3))
                .containsExactly("2026-12-31T12:15+00:00", "2027-01-01T12:15+00:00", "2027-01-02T12:15+00:00");
    }

    @Test
    void aFireTimeIsStrictlyAfterTheGivenInstant() {
        Instant exactlyAtFire = Instant.parse("2026-06-01T12:15:00Z");
        assertThat(next("cron(15 12 * * ? *)", exactlyAtFire, ZoneOffset.UTC, 1))
                .containsExactly("2026-06-02T12:15+00:00");
        assertThat(next("cron(15 12 * * ? *)", exactlyAtFire.minusNanos(1), ZoneOffset.UTC, 1))
                .containsExactly("2026-06-01T12:15+00:00");
        assertThat(next("cron(15 12 * * ? *)", Instant.parse("2026-06-01T12:15:30Z"), ZoneOffset.UTC, 1))
                .containsExactly("2026-06-02T12:15+00:00");
    }

    @Test
    void weekdaysSkipTheWeekend() {
        // 2026-01-02 is a Friday.
        assertThat(next("cron(0 18 ? * MON-FRI *)", "2026-01-02T18:00", UTC, 3))
                .containsExactly("2026-01-05T18:00+00:00", "2026-01-06T18:00+00:00", "2026-01-07T18:00+00:00");
        assertThat(next("cron(0/10 * ? * MON-FRI *)", "2026-01-02T23:50", UTC, 3))
                .containsExactly("2026-01-05T00:00+00:00", "2026-01-05T00:10+00:00", "2026-01-05T00:20+00:00");
        assertThat(next("cron(0/5 8-17 ? * MON-FRI *)", "2026-01-05T17:52", UTC, 3))
                .containsExactly("2026-01-05T17:55+00:00", "2026-01-06T08:00+00:00", "2026-01-06T08:05+00:00");
        assertThat(next("cron(0 0 ? * SUN,SAT *)", "2026-01-02T12:00", UTC, 3))
                .containsExactly("2026-01-03T00:00+00:00", "2026-01-04T00:00+00:00", "2026-01-10T00:00+00:00");
    }

    @Test
    void incrementsStartWhereTheyAreTold() {
        assertThat(next("cron(1/10 * * * ? *)", "2026-01-01T00:00", UTC, 3))
                .containsExactly("2026-01-01T00:01+00:00", "2026-01-01T00:11+00:00", "2026-01-01T00:21+00:00");
        assertThat(next("cron(*/20 * * * ? *)", "2026-01-01T00:45", UTC, 3))
                .containsExactly("2026-01-01T01:00+00:00", "2026-01-01T01:20+00:00", "2026-01-01T01:40+00:00");
        assertThat(next("cron(0 0 1 JAN/3 ? *)", "2026-01-01T00:00", UTC, 4))
                .containsExactly(
                        "2026-04-01T00:00+00:00",
                        "2026-07-01T00:00+00:00",
                        "2026-10-01T00:00+00:00",
                        "2027-01-01T00:00+00:00");
        assertThat(next("cron(0 0 1 1 ? 2030/5)", "2026-01-01T00:00", UTC, 3))
                .containsExactly("2030-01-01T00:00+00:00", "2035-01-01T00:00+00:00", "2040-01-01T00:00+00:00");
        assertThat(next("cron(0 0 1/10 * ? *)", "2026-02-15T00:00", UTC, 3))
                .containsExactly("2026-02-21T00:00+00:00", "2026-03-01T00:00+00:00", "2026-03-11T00:00+00:00");
    }

    @Test
    void firstOfTheMonthRollsIntoTheNextYear() {
        assertThat(next("cron(0 8 1 * ? *)", "2026-11-15T00:00", UTC, 3))
                .containsExactly("2026-12-01T08:00+00:00", "2027-01-01T08:00+00:00", "2027-02-01T08:00+00:00");
    }

    @Test
    void day31SkipsShorterMonths() {
        assertThat(next("cron(0 0 31 * ? *)", "2026-01-31T12:00", UTC, 3))
                .containsExactly("2026-03-31T00:00+00:00", "2026-05-31T00:00+00:00", "2026-07-31T00:00+00:00");
    }

    @Test
    void lastDayOfMonthIncludingLeapFebruary() {
        assertThat(next("cron(0 12 L * ? *)", "2026-01-15T00:00", UTC, 4))
                .containsExactly(
                        "2026-01-31T12:00+00:00",
                        "2026-02-28T12:00+00:00",
                        "2026-03-31T12:00+00:00",
                        "2026-04-30T12:00+00:00");
        assertThat(next("cron(0 12 L FEB ? *)", "2026-03-01T00:00", UTC, 3))
                .containsExactly("2027-02-28T12:00+00:00", "2028-02-29T12:00+00:00", "2029-02-28T12:00+00:00");
    }

    @Test
    void february29thOnlyInLeapYears() {
        assertThat(next("cron(0 0 29 2 ? *)", "2026-01-01T00:00", UTC, 3))
                .containsExactly("2028-02-29T00:00+00:00", "2032-02-29T00:00+00:00", "2036-02-29T00:00+00:00");
        // 2100 is not a leap year: 2096 is followed by 2104.
        assertThat(next("cron(0 0 29 2 ? *)", "2096-03-01T00:00", UTC, 1)).containsExactly("2104-02-29T00:00+00:00");
    }

    @Test
    void lastFridayOfTheMonth() {
        assertThat(next("cron(0 12 ? * 6L *)", "2026-01-01T00:00", UTC, 4))
                .containsExactly(
                        "2026-01-30T12:00+00:00",
                        "2026-02-27T12:00+00:00",
                        "2026-03-27T12:00+00:00",
                        "2026-04-24T12:00+00:00");
        assertThat(next("cron(0 12 ? * FRIL *)", "2026-07-01T00:00", UTC, 1)).containsExactly("2026-07-31T12:00+00:00");
    }

    @Test
    void lAloneInDayOfWeekIsSaturday() {
        assertThat(next("cron(0 12 ? * L *)", "2026-01-01T00:00", UTC, 2))
                .containsExactly("2026-01-03T12:00+00:00", "2026-01-10T12:00+00:00");
    }

    @Test
    void nearestWeekdayMovesOffWeekendsWithinTheMonth() {
        // 15th: Jan Thu, Feb Sun -> Mon 16th, Mar Sun -> Mon 16th, Apr Wed.
        assertThat(next("cron(0 12 15W * ? *)", "2026-01-01T00:00", UTC, 4))
                .containsExactly(
                        "2026-01-15T12:00+00:00",
                        "2026-02-16T12:00+00:00",
                        "2026-03-16T12:00+00:00",
                        "2026-04-15T12:00+00:00");
        // Aug 15 2026 is a Saturday -> Friday 14th.
        assertThat(next("cron(0 12 15W * ? *)", "2026-08-01T00:00", UTC, 1)).containsExactly("2026-08-14T12:00+00:00");
        // Aug 1 2026 is a Saturday: the nearest weekday in August is Monday the 3rd, not July 31st.
        assertThat(next("cron(0 12 1W * ? *)", "2026-07-15T00:00", UTC, 1)).containsExactly("2026-08-03T12:00+00:00");
        // May 31 2026 is a Sunday: Friday the 29th, not June 1st; months without a 31st are skipped.
        assertThat(next("cron(0 12 31W * ? *)", "2026-04-01T00:00", UTC, 2))
                .containsExactly("2026-05-29T12:00+00:00", "2026-07-31T12:00+00:00");
    }

    @Test
    void lastWeekdayOfTheMonth() {
        // Jan 31 Sat -> 30, Feb 28 Sat -> 27, Mar 31 Tue, Apr 30 Thu, May 31 Sun -> 29.
        assertThat(next("cron(0 12 LW * ? *)", "2026-01-01T00:00", UTC, 5))
                .containsExactly(
                        "2026-01-30T12:00+00:00",
                        "2026-02-27T12:00+00:00",
                        "2026-03-31T12:00+00:00",
                        "2026-04-30T12:00+00:00",
                        "2026-05-29T12:00+00:00");
    }

    @Test
    void nthWeekdayOfTheMonth() {
        assertThat(next("cron(0 9 ? * 2#1 *)", "2026-01-01T00:00", UTC, 4))
                .containsExactly(
                        "2026-01-05T09:00+00:00",
                        "2026-02-02T09:00+00:00",
                        "2026-03-02T09:00+00:00",
                        "2026-04-06T09:00+00:00");
        assertThat(next("cron(0 9 ? * TUE#2 *)", "2026-09-01T00:00", UTC, 1)).containsExactly("2026-09-08T09:00+00:00");
    }

    @Test
    void aFifthWeekdaySkipsMonthsWithoutOne() {
        // Fifth Thursdays in 2026: Jan 29, Apr 30, Jul 30, Oct 29, Dec 31.
        assertThat(next("cron(0 9 ? * 5#5 *)", "2026-01-01T00:00", UTC, 6))
                .containsExactly(
                        "2026-01-29T09:00+00:00",
                        "2026-04-30T09:00+00:00",
                        "2026-07-30T09:00+00:00",
                        "2026-10-29T09:00+00:00",
                        "2026-12-31T09:00+00:00",
                        "2027-04-29T09:00+00:00");
    }

    @Test
    void yearFieldLimitsEndTheSchedule() {
        assertThat(next("cron(0 0 1 1 ? 2198-2199)", "2026-01-01T00:00", UTC, 3))
                .containsExactly("2198-01-01T00:00+00:00", "2199-01-01T00:00+00:00");
        assertThat(next("cron(59 23 31 12 ? *)", "2199-12-31T23:58", UTC, 2)).containsExactly("2199-12-31T23:59+00:00");
        assertThat(next("cron(0 0 1 1 ? 2026)", "2026-06-01T00:00", UTC, 1)).isEmpty();
        assertThat(next("cron(0 10 * * ? *)", "1969-12-31T12:00", UTC, 1)).containsExactly("1970-01-01T10:00+00:00");
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void farFutureYearIsFoundBySkippingFieldsNotMinutes() {
        assertThat(next("cron(0 0 29 2 ? 2196)", "2026-01-01T00:00", UTC, 2)).containsExactly("2196-02-29T00:00+00:00");
        assertThat(next("cron(0 0 30 2 ? *)", "1970-01-01T00:00", UTC, 1)).isEmpty();
        assertThat(next("cron(0 0 ? 2 5#5 2199)", "1970-01-01T00:00", UTC, 1)).isEmpty();
    }
}
