package dev.spur.cron;

import java.time.DayOfWeek;
import java.time.YearMonth;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which days of a month a cron expression fires on: whichever of Day-of-month and Day-of-week is
 * not {@code ?}, including the special forms L, LW, nW, nL and n#k (see {@link Cron}).
 */
sealed interface DayRule {

    /** The matching days of {@code month}, as bits 1..length of month. */
    BitSet daysIn(YearMonth month);

    Pattern NEAREST_WEEKDAY = Pattern.compile("(\\d{1,2})W");
    Pattern LAST_OF_WEEKDAY = Pattern.compile("(\\w+)L");
    Pattern NTH_WEEKDAY = Pattern.compile("(\\w+)#(\\d+)");

    static DayRule parseDayOfMonth(String field, String text) {
        var spec = new CronFields.Field("Day-of-month", 1, 31, Map.of(), true);
        String f = field.toUpperCase(Locale.ROOT);
        if (f.equals("L")) {
            return new LastDay();
        }
        if (f.equals("LW")) {
            return new LastWeekday();
        }
        Matcher m = NEAREST_WEEKDAY.matcher(f);
        if (m.matches()) {
            int day = Integer.parseInt(m.group(1));
            if (day < 1 || day > 31) {
                throw CronFields.bad(text, spec, field, "names a day out of range 1-31");
            }
            return new NearestWeekday(day);
        }
        if (f.contains("L") || f.contains("W")) {
            throw CronFields.bad(
                    text,
                    spec,
                    field,
                    "uses L or W other than as documented: L, LW or nW (e.g. 15W), alone in the field");
        }
        return new DaysOfMonth(CronFields.values(field, spec, text));
    }

    static DayRule parseDayOfWeek(String field, String text) {
        var spec = new CronFields.Field("Day-of-week", 1, 7, CronFields.WEEKDAYS, false);
        String f = field.toUpperCase(Locale.ROOT);
        if (f.equals("L")) {
            BitSet saturday = new BitSet(8);
            saturday.set(7);
            return new DaysOfWeek(saturday);
        }
        Matcher last = LAST_OF_WEEKDAY.matcher(f);
        if (last.matches()) {
            return new LastOfWeekday(weekday(last.group(1), spec, text));
        }
        Matcher nth = NTH_WEEKDAY.matcher(f);
        if (nth.matches()) {
            int k = nth.group(2).length() > 1 ? 0 : Integer.parseInt(nth.group(2));
            if (k < 1 || k > 5) {
                throw CronFields.bad(text, spec, field, "asks for occurrence " + nth.group(2) + "; it must be 1-5");
            }
            return new NthWeekday(weekday(nth.group(1), spec, text), k);
        }
        if (f.contains("#")) {
            throw CronFields.bad(
                    text,
                    spec,
                    field,
                    "uses '#' in a list or range; with '#' the field holds" + " exactly one expression, e.g. 3#2");
        }
        if (f.contains("L")) {
            throw CronFields.bad(
                    text, spec, field, "uses L other than as documented: L or nL (e.g. 6L), alone in the field");
        }
        return new DaysOfWeek(CronFields.values(field, spec, text));
    }

    private static int weekday(String token, CronFields.Field spec, String text) {
        BitSet one = CronFields.values(token, spec, text);
        if (one.cardinality() != 1 || token.equals("*")) {
            throw CronFields.bad(text, spec, token, "must be a single day of the week, 1-7 or SUN-SAT");
        }
        return one.nextSetBit(0);
    }

    /** AWS numbering: 1 = Sunday ... 7 = Saturday. */
    static int awsWeekday(DayOfWeek day) {
        return day.getValue() % 7 + 1;
    }

    record DaysOfMonth(BitSet days) implements DayRule {
        @Override
        public BitSet daysIn(YearMonth month) {
            BitSet result = (BitSet) days.clone();
            result.clear(month.lengthOfMonth() + 1, 32);
            return result;
        }
    }

    record LastDay() implements DayRule {
        @Override
        public BitSet daysIn(YearMonth month) {
            return only(month.lengthOfMonth());
        }
    }

    record LastWeekday() implements DayRule {
        @Override
        public BitSet daysIn(YearMonth month) {
            int day = month.lengthOfMonth();
            while (isWeekend(month, day)) {
                day--;
            }
            return only(day);
        }
    }

    /** The Monday-Friday day nearest {@code day}, staying inside the month; nothing in a shorter month. */
    record NearestWeekday(int day) implements DayRule {
        @Override
        public BitSet daysIn(YearMonth month) {
            int length = month.lengthOfMonth();
            if (day > length) {
                return new BitSet();
            }
            return switch (month.atDay(day).getDayOfWeek()) {
                case SATURDAY -> only(day == 1 ? 3 : day - 1);
                case SUNDAY -> only(day == length ? day - 2 : day + 1);
                default -> only(day);
            };
        }
    }

    record DaysOfWeek(BitSet weekdays) implements DayRule {
        @Override
        public BitSet daysIn(YearMonth month) {
            BitSet result = new BitSet(32);
            for (int d = 1; d <= month.lengthOfMonth(); d++) {
                if (weekdays.get(awsWeekday(month.atDay(d).getDayOfWeek()))) {
                    result.set(d);
                }
            }
            return result;
        }
    }

    record LastOfWeekday(int weekday) implements DayRule {
        @Override
        public BitSet daysIn(YearMonth month) {
            int day = month.lengthOfMonth();
            while (awsWeekday(month.atDay(day).getDayOfWeek()) != weekday) {
                day--;
            }
            return only(day);
        }
    }

    /** The {@code occurrence}-th {@code weekday} of the month; nothing in a month without one (a missing 5th). */
    record NthWeekday(int weekday, int occurrence) implements DayRule {
        @Override
        public BitSet daysIn(YearMonth month) {
            int first = 1 + Math.floorMod(weekday - awsWeekday(month.atDay(1).getDayOfWeek()), 7);
            int day = first + 7 * (occurrence - 1);
            return day <= month.lengthOfMonth() ? only(day) : new BitSet();
        }
    }

    private static boolean isWeekend(YearMonth month, int day) {
        DayOfWeek dow = month.atDay(day).getDayOfWeek();
        return dow == DayOfWeek.SATURDAY || dow == DayOfWeek.SUNDAY;
    }

    private static BitSet only(int day) {
        BitSet set = new BitSet(32);
        set.set(day);
        return set;
    }
}
