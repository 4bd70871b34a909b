package dev.spur.logs;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * The line format of a log file: {@code <time> <stream> <message>\n}, the time in UTC with exactly
 * three fraction digits ({@code 2026-01-02T03:04:05.006Z}, 24 characters) so that it can be read back
 * without a general parser. Lines written before the fixed width (ISO instants without fraction) are
 * still read; lines that are not in this shape at all are skipped by readers.
 */
final class LogLines {
    static final int TIME_WIDTH = 24;

    private LogLines() {}

    /** Appends {@code millis} as {@code yyyy-MM-ddTHH:mm:ss.SSSZ}. */
    static StringBuilder appendTime(StringBuilder sb, long millis) {
        long days = Math.floorDiv(millis, 86_400_000L);
        long ofDay = Math.floorMod(millis, 86_400_000L);
        LocalDate date = LocalDate.ofEpochDay(days);
        pad(sb, date.getYear(), 4).append('-');
        pad(sb, date.getMonthValue(), 2).append('-');
        pad(sb, date.getDayOfMonth(), 2).append('T');
        pad(sb, (int) (ofDay / 3_600_000), 2).append(':');
        pad(sb, (int) (ofDay / 60_000 % 60), 2).append(':');
        pad(sb, (int) (ofDay / 1000 % 60), 2).append('.');
        return pad(sb, (int) (ofDay % 1000), 3).append('Z');
    }

    private static StringBuilder pad(StringBuilder sb, int value, int width) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }

    /**
     * The time at the start of the line {@code [from, to)} of {@code bytes} in epoch milliseconds, or
     * {@code Long.MIN_VALUE} when the line does not start with one.
     */
    static long time(byte[] bytes, int from, int to) {
        if (to - from > TIME_WIDTH && bytes[from + TIME_WIDTH] == ' ' && bytes[from + 23] == 'Z') {
            long fast = fixedWidth(bytes, from);
            if (fast != Long.MIN_VALUE) {
                return fast;
            }
        }
        int space = indexOf(bytes, from, to, (byte) ' ');
        if (space < 0 || space - from > 40) {
            return Long.MIN_VALUE;
        }
        try {
            return Instant.parse(new String(bytes, from, space - from, StandardCharsets.US_ASCII))
                    .toEpochMilli();
        } catch (DateTimeParseException e) {
            return Long.MIN_VALUE;
        }
    }

    private static long fixedWidth(byte[] b, int at) {
        int year = digits(b, at, 4);
        int month = digits(b, at + 5, 2);
        int day = digits(b, at + 8, 2);
        int hour = digits(b, at + 11, 2);
        int minute = digits(b, at + 14, 2);
        int second = digits(b, at + 17, 2);
        int milli = digits(b, at + 20, 3);
        if ((year | month | day | hour | minute | second | milli) < 0
                || b[at + 4] != '-'
                || b[at + 10] != 'T'
                || b[at + 19] != '.'
                || month < 1
                || month > 12
                || day < 1
                || day > 31) {
            return Long.MIN_VALUE;
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return Long.MIN_VALUE;
        }
        return epochDay * 86_400_000L + hour * 3_600_000L + minute * 60_000L + second * 1000L + milli;
    }

    private static int digits(byte[] b, int at, int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            int d = b[at + i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    static int indexOf(byte[] bytes, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
