package dev.spur.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import dev.spur.common.Json;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

/** How commands print: aligned tables, JSON indented like the AWS CLI's, times in UTC to the second. */
final class Output {
    /** Indented like the AWS CLI's JSON output: {@code "Key": value}. */
    private static final PrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));

    private static final DateTimeFormatter UTC_SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private Output() {}

    /** Rows (the first is the header) in columns two spaces apart; the last column is not padded. */
    static void table(PrintWriter out, List<List<String>> rows) {
        int columns = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i + 1 < row.size() ? String.format("%-" + (widths[i] + 2) + "s", row.get(i)) : row.get(i));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    static String json(Object value) {
        try {
            return Json.MAPPER.writer(PRETTY).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print JSON", e);
        }
    }

    /**
     * A wire time as {@code 2019-10-10 18:22:33 UTC}: Lambda's {@code 2019-10-10T18:22:33.139+0000}
     * or an ISO instant ({@code 2019-10-10T18:22:33.139Z}); {@code -} for none; anything else as is.
     */
    static String time(Object wire) {
        if (wire == null) {
            return "-";
        }
        String text = wire.toString();
        if (text.length() >= 19 && text.charAt(10) == 'T' && text.endsWith("+0000")) {
            return text.substring(0, 10) + " " + text.substring(11, 19) + " UTC";
        }
        try {
            return UTC_SECONDS.format(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return text;
        }
    }

    /** A function ARN as its name and qualifier ({@code arn:…:function:NAME[:QUALIFIER]} → {@code NAME[:QUALIFIER]}). */
    static String function(Object arn) {
        String text = text(arn);
        int at = text.indexOf(":function:");
        return at < 0 ? text : text.substring(at + ":function:".length());
    }

    /** A value for a table cell: {@code -} for none. */
    static String text(Object value) {
        return value == null ? "-" : value.toString();
    }
}
