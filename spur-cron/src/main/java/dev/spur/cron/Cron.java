package dev.spur.cron;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * {@code cron(Minutes Hours Day-of-month Month Day-of-week Year)}, as the EventBridge "Cron
 * expressions reference" defines it.
 *
 * <h2>Fields (EventBridge table)</h2>
 * <pre>
 * Minutes       0-59                 , - * /
 * Hours         0-23                 , - * /
 * Day-of-month  1-31                 , - * ? / L W
 * Month         1-12 or JAN-DEC      , - * /
 * Day-of-week   1-7 or SUN-SAT       , - * ? L #      (1 = SUN)
 * Year          1970-2199            , - * /
 * </pre>
 * Exactly six fields separated by white space; exactly one of Day-of-month and Day-of-week is
 * {@code ?} (AWS: "If you specify a value or a * (asterisk) in one of the fields, you must use a ?
 * (question mark) in the other"). Increments are {@code start/step} (documented: {@code 1/10},
 * {@code 0/15}); <code>*&#47;step</code> and {@code a-b/step} are accepted too, meaning the same
 * arithmetic from the field's minimum or from {@code a}. A range must not run backwards.
 * Special forms, each standing alone in its field:
 * <ul>
 *   <li>Day-of-month {@code L}: the last day of the month; {@code LW}: the last weekday (Mon-Fri)
 *       of the month; {@code nW}: the weekday nearest day n, never leaving the month (1W on a
 *       Saturday is Monday the 3rd), and no fire in a month shorter than n days.
 *       {@code L-n} offsets are not documented by AWS and are rejected.</li>
 *   <li>Day-of-week {@code L}: the last day of the week, Saturday; {@code nL}: the last day n of
 *       the month (6L = last Friday); {@code n#k}: the k-th (1-5) day n of the month (3#2 = second
 *       Tuesday), no fire in a month without one. AWS allows one expression only with '#'
 *       ({@code 3#1,6#3} is invalid).</li>
 * </ul>
 * Names (JAN, MON) are accepted in any letter case.
 *
 * <h2>Next fire time</h2>
 * The fields are matched against local date-times in the zone. The search walks the fields from
 * the year down ({@link CronFields#firstAtOrAfter}): a year, month or day that cannot match is
 * skipped whole, so even {@code cron(0 0 29 2 ? 2196)} asked from 2026 visits at most 230 years x
 * 12 months, never minutes one by one. Each candidate local time is then placed on the timeline;
 * daylight saving follows the EventBridge Scheduler guide (and AWS re:Post "adjust my schedule for
 * daylight saving"): "When the time shifts forward in Spring, your schedule invocation gets
 * skipped if the cron expression falls on a non-existent date and time. When the time shifts back
 * in the Fall, your schedule runs only once" - here, at the first of the two instants. So
 * {@code 30 2 * * ? *} does not fire on a New York spring-forward day, and
 * {@code 30 1 * * ? *} fires at 01:30 EDT, not again at 01:30 EST, on a fall-back day.
 *
 * <p>The record keeps the six fields as given; the constructor validates them.
 */
public record Cron(String minutes, String hours, String dayOfMonth, String month, String dayOfWeek, String year)
        implements ScheduleExpression {

    public Cron {
        List<String> all = List.of(minutes, hours, dayOfMonth, month, dayOfWeek, year);
        CronFields.compile(all, "cron(" + String.join(" ", all) + ")");
    }

    static Cron parse(String text) {
        if (!text.endsWith(")")) {
            throw Invalid.expression(text, "expected cron(fields) with a closing parenthesis");
        }
        String body = text.substring("cron(".length(), text.length() - 1).strip();
        String[] f = body.isEmpty() ? new String[0] : body.split("\\s+");
        if (f.length != 6) {
            throw Invalid.expression(
                    text,
                    "a cron expression has six fields (Minutes Hours Day-of-month"
                            + " Month Day-of-week Year), not " + f.length
                            + (f.length == 7 ? "; there is no seconds field" : ""));
        }
        CronFields.compile(List.of(f), text);
        return new Cron(f[0], f[1], f[2], f[3], f[4], f[5]);
    }

    /**
     * The first local time matching every field whose instant in {@code zone} is strictly after
     * {@code after}: times in a spring-forward gap are skipped, times repeated at fall-back fire at
     * their first instant only. Empty when the Year field has no more matches.
     */
    @Override
    public Optional<Instant> nextAfter(Instant after, ZoneId zone) {
        CronFields fields = CronFields.compile(List.of(minutes, hours, dayOfMonth, month, dayOfWeek, year), text());
        var rules = zone.getRules();
        LocalDateTime from = LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.MINUTES);
        while (true) {
            Optional<LocalDateTime> candidate = fields.firstAtOrAfter(from);
            if (candidate.isEmpty()) {
                return Optional.empty();
            }
            LocalDateTime local = candidate.get();
            if (!rules.getValidOffsets(local).isEmpty()) { // empty: inside a spring-forward gap, skipped
                Instant fire = ZonedDateTime.ofLocal(local, zone, null)
                        .withEarlierOffsetAtOverlap()
                        .toInstant();
                if (fire.isAfter(after)) {
                    return Optional.of(fire);
                }
                // Not after: `after` is this minute, or it is in the repeated hour and this local
                // time already fired at its first instant.
            }
            from = local.plusMinutes(1);
        }
    }

    @Override
    public String text() {
        return "cron(" + String.join(" ", minutes, hours, dayOfMonth, month, dayOfWeek, year) + ")";
    }
}
