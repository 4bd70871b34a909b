package dev.spur.sns;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The query protocol's flattened parameters ({@code Action=Publish&MessageAttributes.entry.1.Name=…}):
 * decoded once, then read by name, as a map ({@code Attributes.entry.N.key/value}) or as a list
 * ({@code PublishBatchRequestEntries.member.N.…}, in N's order). No state is touched while parsing.
 */
final class QueryParams {
    private final Map<String, String> values;

    private QueryParams(Map<String, String> values) {
        this.values = values;
    }

    /** The parameters of a form body and a query string together (the body's win). */
    static QueryParams parse(String query, byte[] body) {
        Map<String, String> values = new LinkedHashMap<>();
        decodeInto(values, query);
        decodeInto(values, new String(body, StandardCharsets.UTF_8));
        return new QueryParams(values);
    }

    private static void decodeInto(Map<String, String> values, String form) {
        if (form == null || form.isEmpty()) {
            return;
        }
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            values.put(key, value);
        }
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** The parameter, or InvalidParameter naming it as SNS does when a required one is missing. */
    String require(String name) {
        String value = values.get(name);
        if (value == null) {
            throw SnsException.invalid(name);
        }
        return value;
    }

    /** The parameters under {@code prefix + "."}, with that prefix removed. */
    QueryParams under(String prefix) {
        String p = prefix + ".";
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(p)) {
                out.put(k.substring(p.length()), v);
            }
        });
        return new QueryParams(out);
    }

    /** {@code <prefix>.N.…} for N = 1, 2, …, each with its own prefix removed, in N's order. */
    List<QueryParams> list(String prefix) {
        QueryParams under = under(prefix);
        TreeMap<Integer, Map<String, String>> members = new TreeMap<>();
        under.values.forEach((k, v) -> {
            int dot = k.indexOf('.');
            String index = dot < 0 ? k : k.substring(0, dot);
            try {
                members.computeIfAbsent(Integer.parseInt(index), i -> new LinkedHashMap<>())
                        .put(dot < 0 ? "" : k.substring(dot + 1), v);
            } catch (NumberFormatException e) {
                // not a member index: ignored, as AWS ignores unknown parameters
            }
        });
        List<QueryParams> out = new ArrayList<>();
        members.values().forEach(m -> out.add(new QueryParams(m)));
        return out;
    }

    /** A map flattened as {@code <prefix>.entry.N.<keyName>} / {@code .<valueName>}. */
    Map<String, String> map(String prefix, String keyName, String valueName) {
        Map<String, String> out = new LinkedHashMap<>();
        for (QueryParams entry : list(prefix + ".entry")) {
            String key = entry.values.get(keyName);
            if (key != null) {
                out.put(key, entry.values.getOrDefault(valueName, ""));
            }
        }
        return out;
    }

    /** Tags flattened as {@code Tags.member.N.Key/Value}. */
    Map<String, String> tags() {
        Map<String, String> out = new LinkedHashMap<>();
        for (QueryParams tag : list("Tags.member")) {
            String key = tag.values.get("Key");
            if (key != null) {
                out.put(key, tag.values.getOrDefault("Value", ""));
            }
        }
        return out;
    }
}
