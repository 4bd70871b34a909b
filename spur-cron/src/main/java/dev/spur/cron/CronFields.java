package dev.spur.cron;

import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A compiled cron expression: one bit set per plain field and a {@link DayRule} for the day, and
 * the field-by-field search for the next matching local time. Compiling is also validation:
 * every problem is an {@link IllegalArgumentException} naming the field.
 */
record CronFields(BitSet minutes, BitSet hours, DayRule days, BitSet months, BitSet years) {

    static final int FIRST_YEAR = 1970;
    static final int LAST_YEAR = 2199;

    private static final Map<String, Integer> MONTHS =
            names("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    static final Map<String, Integer> WEEKDAYS = names("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    static CronFields compile(List<String> f, String text) {
        String dom = f.get(2);
        String dow = f.get(4);
        if (dom.equals("?") == dow.equals("?")) {
            throw Invalid.expression(
                    text,
                    dom.equals("?")
                            ? "'?' can't be used in both Day-of-month and Day-of-week"
                            : "you can't specify both Day-of-month and Day-of-week; use '?' in one of them");
        }
        return new CronFields(
                values(f.get(0), new Field("Minutes", 0, 59, Map.of(), true), text),
                values(f.get(1), new Field("Hours", 0, 23, Map.of(), true), text),
                dom.equals("?") ? DayRule.parseDayOfWeek(dow, text) : DayRule.parseDayOfMonth(dom, text),
                values(f.get(3), new Field("Month", 1, 12, MONTHS, true), text),
                values(f.get(5), new Field("Year", FIRST_YEAR, LAST_YEAR, Map.of(), true), text));
    }

    /** The earliest local time at or after {@code from} that every field matches; minutes only. */
    Optional<LocalDateTime> firstAtOrAfter(LocalDateTime from) {
        if (from.getYear() < FIRST_YEAR) {
            from = LocalDateTime.of(FIRST_YEAR, 1, 1, 0, 0);
        }
        for (int y = years.nextSetBit(from.getYear()); y >= 0; y = years.nextSetBit(y + 1)) {
            boolean sameYear = y == from.getYear();
            for (int m = months.nextSetBit(sameYear ? from.getMonthValue() : 1); m >= 0; m = months.nextSetBit(m + 1)) {
                boolean sameMonth = sameYear && m == from.getMonthValue();
                BitSet daysOfMonth = days.daysIn(YearMonth.of(y, m));
                for (int d = daysOfMonth.nextSetBit(sameMonth ? from.getDayOfMonth() : 1);
                        d >= 0;
                        d = daysOfMonth.nextSetBit(d + 1)) {
                    boolean sameDay = sameMonth && d == from.getDayOfMonth();
                    for (int h = hours.nextSetBit(sameDay ? from.getHour() : 0); h >= 0; h = hours.nextSetBit(h + 1)) {
                        int min = minutes.nextSetBit(sameDay && h == from.getHour() ? from.getMinute() : 0);
                        if (min >= 0) {
                            return Optional.of(LocalDateTime.of(y, m, d, h, min));
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** A plain field: its name for messages, its bounds, its names (JAN, MON) and whether '/' is allowed. */
    record Field(String name, int min, int max, Map<String, Integer> names, boolean steps) {}

    /**
     * Parses a comma-separated list of {@code *}, {@code v}, {@code a-b}, {@code a/n}, <code>*&#47;n</code>,
     * {@code a-b/n} (the last three only where {@code field.steps()}) into the set of values.
     */
    static BitSet values(String list, Field field, String text) {
        if (list.isEmpty() || list.startsWith(",") || list.endsWith(",") || list.contains(",,")) {
            throw bad(text, field, list, "is empty or has an empty list item");
        }
        BitSet set = new BitSet(field.max() + 1);
        for (String item : list.split(",")) {
            String range = item;
            int step = 1;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                if (!field.steps()) {
                    throw bad(text, field, item, "uses '/', which this field does not allow");
                }
                step = number(item.substring(slash + 1), text, field, item);
                if (step < 1) {
                    throw bad(text, field, item, "has an increment below 1");
                }
                range = item.substring(0, slash);
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = field.min();
                to = field.max();
            } else if (range.indexOf('-') > 0) {
                int dash = range.indexOf('-');
                from = value(range.substring(0, dash), field, text);
                to = value(range.substring(dash + 1), field, text);
                if (from > to) {
                    throw bad(text, field, item, "is a range that runs backwards");
                }
            } else {
                from = value(range, field, text);
                to = slash >= 0 ? field.max() : from; // a/n runs from a to the field's end
            }
            for (int v = from; v <= to; v += step) {
                set.set(v);
            }
        }
        return set;
    }

    private static int value(String token, Field field, String text) {
        Integer named = field.names().get(token.toUpperCase(Locale.ROOT));
        int v = named != null ? named : number(token, text, field, token);
        if (v < field.min() || v > field.max()) {
            throw bad(text, field, token, "is out of range " + field.min() + "-" + field.max());
        }
        return v;
    }

    private static int number(String token, String text, Field field, String item) {
        if (token.isEmpty() || token.length() > 4 || !token.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad(
                    text,
                    field,
                    item,
                    "is not a number"
                            + (field.names().isEmpty()
                                    ? ""
                                    : " or a name such as "
                                            + field.names().keySet().stream()
                                                    .sorted((a, b) -> field.names()
                                                                    .get(a)
                                                            - field.names().get(b))
                                                    .findFirst()
                                                    .orElseThrow()));
        }
        return Integer.parseInt(token);
    }

    static IllegalArgumentException bad(String text, Field field, String token, String problem) {
        return Invalid.expression(text, field.name() + " field: '" + token + "' " + problem);
    }

    private static Map<String, Integer> names(String... names) {
        var map = new HashMap<String, Integer>();
        for (int i = 0; i < names.length; i++) {
            map.put(names[i], i + 1);
        }
        return Map.copyOf(map);
    }
}
