package dev.spur.logs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A CloudWatch Logs filter pattern, matched against one event's message:
 *
 * <ul>
 *   <li>empty: every event;
 *   <li>terms, case-sensitive, all of which must occur: {@code ERROR timeout}; a quoted phrase
 *       {@code "Task timed out"} is one term; {@code -term} must not occur; {@code ?a ?b} — at least
 *       one of the {@code ?} terms must occur; {@code *} in a term stands for any characters;
 *   <li>JSON, for events whose message is a JSON object: {@code { $.level = "ERROR" }}, with
 *       {@code &&}, {@code ||} and parentheses, {@code = != < <= > >=} against strings (with
 *       {@code *} wildcards) or numbers, and {@code IS NULL}, {@code IS TRUE}, {@code IS FALSE},
 *       {@code NOT EXISTS} ({@link JsonFilter});
 *   <li>a regular expression between {@code %} signs: {@code %ERROR [0-9]+%}.
 * </ul>
 *
 * Space-delimited patterns ({@code [ip, user, ...]}) are not supported and are refused.
 */
public interface FilterPattern {
    boolean matches(String message);

    /** The pattern that matches every event. */
    static FilterPattern any() {
        return m -> true;
    }

    /**
     * Parses a pattern.
     *
     * @throws IllegalArgumentException with a message fit for the caller when it is not valid
     */
    static FilterPattern parse(String pattern) {
        String p = pattern == null ? "" : pattern.strip();
        if (p.isEmpty() || p.equals("\"\"")) {
            return any();
        }
        if (p.startsWith("{")) {
            return JsonFilter.parse(p);
        }
        if (p.startsWith("[")) {
            throw new IllegalArgumentException("Space-delimited filter patterns are not supported by Spur.");
        }
        if (p.length() >= 2 && p.startsWith("%") && p.endsWith("%")) {
            try {
                Pattern regex = Pattern.compile(p.substring(1, p.length() - 1));
                return m -> regex.matcher(m).find();
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        "Invalid regular expression in filter pattern: " + e.getDescription());
            }
        }
        return terms(p);
    }

    private static FilterPattern terms(String p) {
        List<Pattern> required = new ArrayList<>();
        List<Pattern> optional = new ArrayList<>();
        List<Pattern> excluded = new ArrayList<>();
        int i = 0;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            List<Pattern> into = required;
            if (c == '?' || c == '-') {
                into = c == '?' ? optional : excluded;
                i++;
            }
            StringBuilder term = new StringBuilder();
            if (i < p.length() && p.charAt(i) == '"') {
                i++;
                while (i < p.length() && p.charAt(i) != '"') {
                    if (p.charAt(i) == '\\' && i + 1 < p.length()) {
                        i++;
                    }
                    term.append(p.charAt(i++));
                }
                if (i >= p.length()) {
                    throw new IllegalArgumentException("Unterminated quoted term in filter pattern.");
                }
                i++;
            } else {
                while (i < p.length() && !Character.isWhitespace(p.charAt(i))) {
                    term.append(p.charAt(i++));
                }
            }
            if (term.isEmpty()) {
                throw new IllegalArgumentException("Empty term in filter pattern.");
            }
            into.add(glob(term.toString()));
        }
        return m -> {
            for (Pattern r : required) {
                if (!r.matcher(m).find()) {
                    return false;
                }
            }
            for (Pattern x : excluded) {
                if (x.matcher(m).find()) {
                    return false;
                }
            }
            if (optional.isEmpty()) {
                return true;
            }
            for (Pattern o : optional) {
                if (o.matcher(m).find()) {
                    return true;
                }
            }
            return false;
        };
    }

    /** A whole-string match where {@code *} stands for any characters. */
    static Pattern globWhole(String term) {
        return Pattern.compile("^" + glob(term).pattern() + "$", Pattern.DOTALL);
    }

    /** A substring match where {@code *} stands for any characters. */
    static Pattern glob(String term) {
        StringBuilder regex = new StringBuilder();
        for (String part : term.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            if (!part.isEmpty()) {
                regex.append(Pattern.quote(part));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
