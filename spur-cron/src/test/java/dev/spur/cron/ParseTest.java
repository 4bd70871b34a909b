package dev.spur.cron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Accepted and rejected expressions, the accepted ones taken from the EventBridge documents' examples. */
class ParseTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "cron(0 10 * * ? *)",
                "cron(15 12 * * ? *)",
                "cron(0 18 ? * MON-FRI *)",
                "cron(0 8 1 * ? *)",
                "cron(0/10 * ? * MON-FRI *)",
                "cron(0/5 8-17 ? * MON-FRI *)",
                "cron(0 9 ? * 2#1 *)",
                "cron(0 12 L * ? *)",
                "cron(0 12 ? * 6L *)",
                "cron(0 12 15W * ? *)",
                "cron(0 12 LW * ? *)",
                "cron(1/10 * * * ? *)",
                "cron(0 0 1 JAN,FEB,MAR ? *)",
                "cron(0 0 1-15 * ? 2026)",
                "cron(*/5 * * * ? *)",
                "cron(0 0 ? * L *)",
                "cron(0 0 ? * SUN,SAT 2026-2199)",
                "cron(0 0 1 1 ? 2030/5)",
                "rate(1 minute)",
                "rate(5 minutes)",
                "rate(1 hour)",
                "rate(12 hours)",
                "rate(1 day)",
                "rate(7 days)",
                "at(2026-12-01T10:00:00)",
                "at(2028-02-29T23:59:59)",
            })
    void acceptsDocumentedExpressionsAndRoundTripsTheirText(String text) {
        ScheduleExpression parsed = ScheduleExpression.parse(text);
        assertThat(parsed.text()).isEqualTo(text);
        assertThat(ScheduleExpression.parse(parsed.text())).isEqualTo(parsed);
    }

    @Test
    void parsesIntoTheRecords() {
        assertThat(ScheduleExpression.parse("rate(5 minutes)")).isEqualTo(new Rate(5, ChronoUnit.MINUTES));
        assertThat(ScheduleExpression.parse("cron(0 18 ? * MON-FRI *)"))
                .isEqualTo(new Cron("0", "18", "?", "*", "MON-FRI", "*"));
        assertThat(ScheduleExpression.parse("at(2026-12-01T10:00:00)"))
                .isEqualTo(new At(LocalDateTime.of(2026, 12, 1, 10, 0)));
    }

    @Test
    void cronFieldsMaySitAcrossAnyWhiteSpaceAndNamesInAnyCase() {
        assertThat(ScheduleExpression.parse(" cron(0  18 ?\t* mon-fri *) ").text())
                .isEqualTo("cron(0 18 ? * mon-fri *)");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "cron(0 10 * * ?)                | six fields",
                "cron(0 0 10 * * ? *)            | there is no seconds field",
                "cron()                          | not 0",
                "cron(0 10 * * ? *               | closing parenthesis",
                "cron(0 10 * * * *)              | can't specify both Day-of-month and Day-of-week",
                "cron(0 10 1 * MON *)            | can't specify both Day-of-month and Day-of-week",
                "cron(0 10 ? * ? *)              | '?' can't be used in both",
                "cron(60 10 * * ? *)             | Minutes field: '60' is out of range 0-59",
                "cron(0 24 * * ? *)              | Hours field: '24' is out of range 0-23",
                "cron(0 10 32 * ? *)             | Day-of-month field: '32' is out of range 1-31",
                "cron(0 10 0 * ? *)              | Day-of-month field: '0' is out of range 1-31",
                "cron(0 10 * 13 ? *)             | Month field: '13' is out of range 1-12",
                "cron(0 10 * JANUARY ? *)        | Month field: 'JANUARY' is not a number",
                "cron(0 10 ? * 8 *)              | Day-of-week field: '8' is out of range 1-7",
                "cron(0 10 ? * 0 *)              | Day-of-week field: '0' is out of range 1-7",
                "cron(0 10 ? * FOO *)            | Day-of-week field: 'FOO' is not a number or a name such as SUN",
                "cron(0 10 ? * MON/2 *)          | Day-of-week field: 'MON/2' uses '/'",
                "cron(0 10 * * ? 1969)           | Year field: '1969' is out of range 1970-2199",
                "cron(0 10 * * ? 2200)           | Year field: '2200' is out of range 1970-2199",
                "cron(0 10 L-3 * ? *)            | Day-of-month field: 'L-3' uses L or W other than as documented",
                "cron(0 10 1-15W * ? *)          | Day-of-month field: '1-15W' uses L or W",
                "cron(0 10 32W * ? *)            | Day-of-month field: '32W' names a day out of range",
                "cron(0 10 ? * 3#1,6#3 *)        | exactly one expression",
                "cron(0 10 ? * 3#6 *)            | occurrence 6; it must be 1-5",
                "cron(0 10 ? * 8L *)             | Day-of-week field: '8' is out of range 1-7",
                "cron(0 10 ? * 1,L *)            | Day-of-week field: '1,L' uses L other than as documented",
                "cron(0 ? * * ? *)               | Hours field: '?' is not a number",
                "cron(0/0 * * * ? *)             | increment below 1",
                "cron(5-1 * * * ? *)             | runs backwards",
                "cron(1,,2 * * * ? *)            | empty list item",
                "rate(1 hours)                   | a value of 1 takes the singular unit",
                "rate(5 hour)                    | a value above 1 takes the plural unit",
                "rate(0 minutes)                 | at least 1",
                "rate(-1 minutes)                | not a positive whole number",
                "rate(1.5 hours)                 | not a positive whole number",
                "rate(5 seconds)                 | not one of minute(s), hour(s), day(s)",
                "rate(2 weeks)                   | not one of minute(s), hour(s), day(s)",
                "rate(5minutes)                  | expected rate(value unit)",
                "rate(99999999999999999999 days) | too large",
                "rate(9999999999999999 days)     | too large",
                "at(2026-02-30T10:00:00)         | not a valid date and time",
                "at(2026-12-01T10:00)            | expected at(yyyy-mm-ddThh:mm:ss)",
                "at(2026-12-01 10:00:00)         | expected at(yyyy-mm-ddThh:mm:ss)",
                "at(2026-12-01T10:00:00Z)        | expected at(yyyy-mm-ddThh:mm:ss)",
                "every 5 minutes                 | expected rate(value unit), cron(fields) or at(",
                "RATE(5 minutes)                 | expected rate(value unit), cron(fields) or at(",
            })
    void rejectsWhatEventBridgeRejectsNamingTheProblem(String text, String problem) {
        assertThatThrownBy(() -> ScheduleExpression.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid schedule expression '" + text + "'")
                .hasMessageContaining(problem);
    }

    @Test
    void recordsValidateWhenBuiltDirectly() {
        assertThatThrownBy(() -> new Cron("0", "10", "*", "*", "*", "*"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use '?' in one of them");
        assertThatThrownBy(() -> new Rate(0, ChronoUnit.MINUTES)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Rate(5, ChronoUnit.SECONDS)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new At(LocalDateTime.of(2026, 1, 1, 0, 0, 0, 5)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
