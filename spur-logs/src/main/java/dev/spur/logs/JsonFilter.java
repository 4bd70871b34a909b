package dev.spur.logs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * JSON filter patterns, {@code { $.level = "ERROR" && ($.latency > 100 || $.user.id IS NULL) }}: a
 * small recursive-descent parser over the grammar
 *
 * <pre>
 *   pattern    := '{' or '}'
 *   or         := and ('||' and)*
 *   and        := unary ('&amp;&amp;' unary)*
 *   unary      := '(' or ')' | comparison
 *   comparison := selector op value | selector 'IS' ('NULL'|'TRUE'|'FALSE') | selector 'NOT' 'EXISTS'
 *   selector   := '$' ('.' name | '[' index ']')*
 *   value      := "quoted string" | number | bare word        (strings may hold * wildcards)
 * </pre>
 *
 * A comparison is false when the selector finds nothing (except {@code NOT EXISTS}); numbers compare
 * numerically, strings by glob equality; a message that is not a JSON object matches nothing.
 */
final class JsonFilter implements FilterPattern {
    private final Node root;

    private JsonFilter(Node root) {
        this.root = root;
    }

    static FilterPattern parse(String pattern) {
        Parser p = new Parser(pattern);
        p.expect("{");
        Node n = p.or();
        p.expect("}");
        p.skip();
        if (p.at < pattern.length()) {
            throw p.error("unexpected text after '}'");
        }
        return new JsonFilter(n);
    }

    @Override
    public boolean matches(String message) {
        int i = 0;
        while (i < message.length() && Character.isWhitespace(message.charAt(i))) {
            i++;
        }
        if (i >= message.length() || message.charAt(i) != '{') {
            return false;
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(message);
        } catch (Exception e) {
            return false;
        }
        return json != null && json.isObject() && root.test(json);
    }

    private interface Node {
        boolean test(JsonNode json);
    }

    private record Or(List<Node> parts) implements Node {
        @Override
        public boolean test(JsonNode json) {
            return parts.stream().anyMatch(p -> p.test(json));
        }
    }

    private record And(List<Node> parts) implements Node {
        @Override
        public boolean test(JsonNode json) {
            return parts.stream().allMatch(p -> p.test(json));
        }
    }

    private record Comparison(List<Object> path, String op, Object value) implements Node {
        @Override
        public boolean test(JsonNode json) {
            JsonNode node = json;
            for (Object step : path) {
                node = node == null ? null : step instanceof Integer i ? node.get(i) : node.get((String) step);
            }
            return switch (op) {
                case "NOT EXISTS" -> node == null;
                case "IS NULL" -> node != null && node.isNull();
                case "IS TRUE" -> node != null && node.isBoolean() && node.booleanValue();
                case "IS FALSE" -> node != null && node.isBoolean() && !node.booleanValue();
                default -> node != null && !node.isNull() && compare(node);
            };
        }

        private boolean compare(JsonNode node) {
            if (value instanceof Double number) {
                double actual;
                if (node.isNumber()) {
                    actual = node.doubleValue();
                } else if (node.isTextual()) {
                    try {
                        actual = Double.parseDouble(node.textValue());
                    } catch (NumberFormatException e) {
                        return false;
                    }
                } else {
                    return false;
                }
                int c = Double.compare(actual, number);
                return switch (op) {
                    case "=" -> c == 0;
                    case "!=" -> c != 0;
                    case "<" -> c < 0;
                    case "<=" -> c <= 0;
                    case ">" -> c > 0;
                    default -> c >= 0;
                };
            }
            if (!node.isValueNode()) {
                return false;
            }
            boolean equal = ((Pattern) value).matcher(node.asText()).matches();
            return op.equals("=") ? equal : !equal;
        }
    }

    private static final class Parser {
        private final String text;
        int at;

        Parser(String text) {
            this.text = text;
        }

        Node or() {
            List<Node> parts = new ArrayList<>(List.of(and()));
            while (accept("||")) {
                parts.add(and());
            }
            return parts.size() == 1 ? parts.getFirst() : new Or(parts);
        }

        Node and() {
            List<Node> parts = new ArrayList<>(List.of(unary()));
            while (accept("&&")) {
                parts.add(unary());
            }
            return parts.size() == 1 ? parts.getFirst() : new And(parts);
        }

        Node unary() {
            if (accept("(")) {
                Node n = or();
                expect(")");
                return n;
            }
            List<Object> path = selector();
            if (acceptWord("IS")) {
                for (String what : List.of("NULL", "TRUE", "FALSE")) {
                    if (acceptWord(what)) {
                        return new Comparison(path, "IS " + what, null);
                    }
                }
                throw error("expected NULL, TRUE or FALSE after IS");
            }
            if (acceptWord("NOT")) {
                if (!acceptWord("EXISTS")) {
                    throw error("expected EXISTS after NOT");
                }
                return new Comparison(path, "NOT EXISTS", null);
            }
            String op = null;
            for (String candidate : List.of("!=", "<=", ">=", "=", "<", ">")) {
                if (accept(candidate)) {
                    op = candidate;
                    break;
                }
            }
            if (op == null) {
                throw error("expected a comparison operator");
            }
            skip();
            if (at < text.length() && text.charAt(at) == '"') {
                if (!op.equals("=") && !op.equals("!=")) {
                    throw error("strings compare only with = and !=");
                }
                return new Comparison(path, op, FilterPattern.globWhole(quoted()));
            }
            String word = word();
            try {
                return new Comparison(path, op, Double.parseDouble(word));
            } catch (NumberFormatException e) {
                if (!op.equals("=") && !op.equals("!=")) {
                    throw error("'" + word + "' is not a number");
                }
                return new Comparison(path, op, FilterPattern.globWhole(word));
            }
        }

        private List<Object> selector() {
            skip();
            if (!accept("$")) {
                throw error("expected a selector starting with $");
            }
            List<Object> path = new ArrayList<>();
            while (at < text.length()) {
                char c = text.charAt(at);
                if (c == '.') {
                    at++;
                    int start = at;
                    while (at < text.length()
                            && (Character.isLetterOrDigit(text.charAt(at)) || "_-@".indexOf(text.charAt(at)) >= 0)) {
                        at++;
                    }
                    if (start == at) {
                        throw error("expected a field name after '.'");
                    }
                    path.add(text.substring(start, at));
                } else if (c == '[') {
                    at++;
                    int start = at;
                    while (at < text.length() && Character.isDigit(text.charAt(at))) {
                        at++;
                    }
                    if (start == at || at >= text.length() || text.charAt(at) != ']') {
                        throw error("expected an index in [ ]");
                    }
                    path.add(Integer.parseInt(text.substring(start, at)));
                    at++;
                } else {
                    break;
                }
            }
            if (path.isEmpty()) {
                throw error("a selector names a field: $.name");
            }
            return path;
        }

        private String quoted() {
            StringBuilder sb = new StringBuilder();
            at++;
            while (at < text.length() && text.charAt(at) != '"') {
                if (text.charAt(at) == '\\' && at + 1 < text.length()) {
                    at++;
                }
                sb.append(text.charAt(at++));
            }
            if (at >= text.length()) {
                throw error("unterminated string");
            }
            at++;
            return sb.toString();
        }

        private String word() {
            int start = at;
            while (at < text.length()
                    && !Character.isWhitespace(text.charAt(at))
                    && "()&|}".indexOf(text.charAt(at)) < 0) {
                at++;
            }
            if (start == at) {
                throw error("expected a value");
            }
            return text.substring(start, at);
        }

        void skip() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        boolean accept(String token) {
            skip();
            if (text.startsWith(token, at)) {
                at += token.length();
                return true;
            }
            return false;
        }

        private boolean acceptWord(String word) {
            skip();
            int end = at + word.length();
            if (text.regionMatches(true, at, word, 0, word.length())
                    && (end >= text.length() || !Character.isLetterOrDigit(text.charAt(end)))) {
                at = end;
                return true;
            }
            return false;
        }

        void expect(String token) {
            if (!accept(token)) {
                throw error("expected '" + token + "'");
            }
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("Invalid filter pattern at character " + (at + 1) + ": " + what + ".");
        }
    }
}
