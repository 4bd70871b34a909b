package dev.spur.cron;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Test helper: the next {@code n} fires of an expression, rendered as local time plus offset. */
final class Fires {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mmxxx");

    private Fires() {}

    /** Fires after {@code localStart} (a local time in {@code zone}); stops early when the schedule ends. */
    static List<String> next(String expression, String localStart, String zone, int n) {
        ZoneId z = ZoneId.of(zone);
        return next(expression, LocalDateTime.parse(localStart).atZone(z).toInstant(), z, n);
    }

    static List<String> next(String expression, Instant after, ZoneId zone, int n) {
        ScheduleExpression schedule = ScheduleExpression.parse(expression);
        List<String> fires = new ArrayList<>();
        Instant t = after;
        for (int i = 0; i < n; i++) {
            Optional<Instant> next = schedule.nextAfter(t, zone);
            if (next.isEmpty()) {
                break;
            }
            t = next.get();
            fires.add(FORMAT.format(ZonedDateTime.ofInstant(t, zone)));
        }
        return fires;
    }
}
