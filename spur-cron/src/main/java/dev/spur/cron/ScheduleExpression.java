package dev.spur.cron;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * A schedule expression exactly as Amazon EventBridge Scheduler accepts it: {@code rate(...)},
 * {@code cron(...)} or {@code at(...)}.
 *
 * <p>Sources: EventBridge Scheduler User Guide, "Schedule types on EventBridge Scheduler"
 * (rate, cron, one-time and daylight saving time); EventBridge User Guide, "Cron expressions
 * reference" and "Rate expressions" (field table, wildcards, restrictions, singular/plural
 * units). Where those pages are silent, the choice made here is written on the type that makes it.
 *
 * <p>Parsing is pure and strict: anything the documents do not allow is rejected with an
 * {@link IllegalArgumentException} whose message names the expression and the problem, safe to
 * show the client that sent it (the caller maps it to its wire error, e.g. a
 * {@code ValidationException}).
 */
public sealed interface ScheduleExpression permits Rate, Cron, At {

    /**
     * Parses {@code rate(5 minutes)}, {@code cron(0 12 * * ? *)} or {@code at(2026-12-01T10:00:00)}.
     *
     * @throws IllegalArgumentException naming the problem when {@code text} is not a valid expression
     */
    static ScheduleExpression parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("Schedule expression is missing");
        }
        String s = text.strip();
        if (s.startsWith("rate(")) {
            return Rate.parse(s);
        }
        if (s.startsWith("cron(")) {
            return Cron.parse(s);
        }
        if (s.startsWith("at(")) {
            return At.parse(s);
        }
        throw new IllegalArgumentException("Invalid schedule expression '" + text
                + "': expected rate(value unit), cron(fields) or at(yyyy-mm-ddThh:mm:ss)");
    }

    /**
     * The first fire time strictly after {@code after}, evaluated in {@code zone}: cron fields and
     * the {@code at()} time are local times in it, rates are absolute intervals that ignore it.
     * Empty when there is none (an {@code at()} not after {@code after}, a cron whose years ran out).
     */
    Optional<Instant> nextAfter(Instant after, ZoneId zone);

    /** The canonical text; {@code parse(x.text())} equals {@code x}. */
    String text();
}
