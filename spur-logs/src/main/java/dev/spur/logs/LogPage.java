package dev.spur.logs;

import java.util.List;
import java.util.OptionalLong;

/**
 * Events read forward, and the position to continue from; {@code next} is empty when the read
 * reached the end of the log (there is nothing more to ask for until new lines arrive), and
 * {@code end} is the end of the log the read saw (where a reader that reached it continues).
 */
public record LogPage(List<LogEvent> events, OptionalLong next, long end) {
    public LogPage {
        events = List.copyOf(events);
    }
}
