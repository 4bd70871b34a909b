package dev.spur.cron;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code at(yyyy-mm-ddThh:mm:ss)}: a one-time schedule. The time is a local date and time in the
 * schedule's zone (UTC unless the schedule names another), as EventBridge Scheduler documents for
 * one-time schedules.
 *
 * <p>The AWS documents say nothing about a one-time schedule whose local time falls in a
 * daylight saving gap or overlap. Our choice: a time in a spring-forward gap fires at the same
 * wall-clock time shifted forward by the gap (02:30 in a 02:00 to 03:00 gap fires at 03:30), so a
 * one-time schedule is never silently lost; a time that occurs twice at fall-back fires once, at
 * its first occurrence.
 */
public record At(LocalDateTime time) implements ScheduleExpression {

    private static final Pattern SYNTAX = Pattern.compile("at\\((\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2})\\)");
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withResolverStyle(ResolverStyle.STRICT);

    public At {
        if (time.getNano() != 0) {
            throw new IllegalArgumentException("An at() time has whole seconds, not " + time);
        }
    }

    static At parse(String text) {
        var m = SYNTAX.matcher(text);
        if (!m.matches()) {
            throw Invalid.expression(text, "expected at(yyyy-mm-ddThh:mm:ss), e.g. at(2026-12-01T10:00:00)");
        }
        try {
            return new At(LocalDateTime.parse(m.group(1), FORMAT));
        } catch (DateTimeException e) {
            throw Invalid.expression(text, "'" + m.group(1) + "' is not a valid date and time");
        }
    }

    /** The time in {@code zone}, when that is strictly after {@code after}; empty once it has passed. */
    @Override
    public Optional<Instant> nextAfter(Instant after, ZoneId zone) {
        Instant fire = ZonedDateTime.ofLocal(time, zone, null)
                .withEarlierOffsetAtOverlap()
                .toInstant();
        return fire.isAfter(after) ? Optional.of(fire) : Optional.empty();
    }

    @Override
    public String text() {
        return "at(" + FORMAT.format(time) + ")";
    }
}
