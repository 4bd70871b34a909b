package dev.spur.cron;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code rate(value unit)}: fire every {@code value} minutes, hours or days.
 *
 * <p>As EventBridge documents: {@code value} is a positive whole number; the unit is
 * {@code minute}/{@code hour}/{@code day} when the value is 1 and {@code minutes}/{@code hours}/
 * {@code days} otherwise ({@code rate(1 hours)} and {@code rate(5 hour)} are rejected).
 *
 * <p>Intervals are absolute durations: a day is 24 hours even across a daylight saving change
 * (AWS re:Post, "How can I adjust my Amazon EventBridge schedule for daylight saving?": the
 * Pools "evaluates the rate expression 24 hours after the schedule's last invocation"), so
 * the zone never matters.
 *
 * <p><b>Anchor.</b> A rate fires at {@code anchor + k * interval}, k = 0, 1, 2, ... The anchor is
 * the schedule's {@code StartDate} when it has one (EventBridge: the start date sets "the first
 * occurrence of the schedule") and otherwise the moment it was created or last fired (EventBridge:
 * without a start date the schedule "starts invoking its target immediately"). Use
 * {@link #nextAfter(Instant, ZoneId, Instant)} with the anchor; the two-argument
 * {@link #nextAfter(Instant, ZoneId)} treats {@code after} itself as the last invocation.
 */
public record Rate(long value, ChronoUnit unit) implements ScheduleExpression {

    private static final Pattern SYNTAX = Pattern.compile("rate\\((\\S+) (\\S+)\\)");

    public Rate {
        if (unit != ChronoUnit.MINUTES && unit != ChronoUnit.HOURS && unit != ChronoUnit.DAYS) {
            throw new IllegalArgumentException("Rate unit must be minutes, hours or days, not " + unit);
        }
        if (value < 1) {
            throw new IllegalArgumentException("Rate value must be a positive whole number, not " + value);
        }
        if (value > Long.MAX_VALUE / unit.getDuration().getSeconds()) {
            throw new IllegalArgumentException("Rate value " + value + " " + unit + " is too large");
        }
    }

    static Rate parse(String text) {
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            throw Invalid.expression(text, "expected rate(value unit), e.g. rate(5 minutes)");
        }
        String number = m.group(1);
        String word = m.group(2);
        if (!number.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw Invalid.expression(text, "the value '" + number + "' is not a positive whole number");
        }
        long value;
        try {
            value = Long.parseLong(number);
        } catch (NumberFormatException e) {
            throw Invalid.expression(text, "the value " + number + " is too large");
        }
        if (value < 1) {
            throw Invalid.expression(text, "the value must be at least 1");
        }
        boolean plural = word.endsWith("s");
        ChronoUnit unit = switch (plural ? word.substring(0, word.length() - 1) : word) {
            case "minute" -> ChronoUnit.MINUTES;
            case "hour" -> ChronoUnit.HOURS;
            case "day" -> ChronoUnit.DAYS;
            default ->
                throw Invalid.expression(text, "the unit '" + word + "' is not one of minute(s), hour(s), day(s)");
        };
        if (plural != (value != 1)) {
            throw Invalid.expression(
                    text,
                    value == 1
                            ? "a value of 1 takes the singular unit, e.g. rate(1 " + singular(unit) + ")"
                            : "a value above 1 takes the plural unit, e.g. rate(" + value + " " + singular(unit)
                                    + "s)");
        }
        try {
            return new Rate(value, unit);
        } catch (IllegalArgumentException e) {
            throw Invalid.expression(text, e.getMessage());
        }
    }

    /** The length of one interval. */
    public Duration interval() {
        return unit.getDuration().multipliedBy(value);
    }

    /**
     * {@code after + interval}: the next fire when {@code after} is the last invocation (or the
     * moment a schedule without a start date was created). The zone is ignored.
     */
    @Override
    public Optional<Instant> nextAfter(Instant after, ZoneId zone) {
        return nextAfter(after, zone, after);
    }

    /**
     * The first {@code anchor + k * interval} (k ≥ 0) strictly after {@code after}; {@code anchor}
     * itself when {@code after} is before it. The zone is ignored. Empty only past {@link Instant#MAX}.
     */
    public Optional<Instant> nextAfter(Instant after, ZoneId zone, Instant anchor) {
        if (after.isBefore(anchor)) {
            return Optional.of(anchor);
        }
        Duration interval = interval();
        try {
            long elapsed = Duration.between(anchor, after).dividedBy(interval);
            return Optional.of(anchor.plus(interval.multipliedBy(elapsed + 1)));
        } catch (DateTimeException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    @Override
    public String text() {
        return "rate(" + value + " " + singular(unit) + (value == 1 ? "" : "s") + ")";
    }

    private static String singular(ChronoUnit unit) {
        return switch (unit) {
            case MINUTES -> "minute";
            case HOURS -> "hour";
            default -> "day";
        };
    }
}
