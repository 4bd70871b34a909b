package dev.spur.gateway;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An HTTP API route key: {@code GET /pets/{id}}, {@code ANY /items/{proxy+}} or {@code $default}
 * (API Gateway guide, <em>Working with routes for HTTP APIs</em>).
 *
 * <p>{@link #parse} accepts what API Gateway accepts and refuses the rest with an
 * {@link IllegalArgumentException} whose message is fit for a 400 answer:
 * <ul>
 *   <li>exactly one space between method and path; the method is one of {@code GET POST PUT PATCH
 *       DELETE HEAD OPTIONS ANY}, upper case;
 *   <li>the path starts with {@code /}; {@code /} alone is the root; otherwise no empty segment, so no
 *       {@code //} and no trailing {@code /};
 *   <li>a path variable is a whole segment, {@code {name}} with a name of letters, digits, {@code _},
 *       {@code -} or {@code .}; names are unique within the key;
 *   <li>a greedy variable {@code {name+}} is allowed only as the last segment ("The greedy path
 *       variable must be at the end of the resource path").
 * </ul>
 * Two keys are equal when their text is.
 */
public final class RouteKey {
    /** The catch-all route, matched only when no other route does. */
    public static final RouteKey DEFAULT = new RouteKey("$default", "", "", List.of());

    static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern LITERAL = Pattern.compile("[^{}\\s?#]+");

    private final String text;
    private final String method;
    private final String path;
    private final List<Segment> segments;

    private RouteKey(String text, String method, String path, List<Segment> segments) {
        this.text = text;
        this.method = method;
        this.path = path;
        this.segments = segments;
    }

    /** One path segment of a route: a literal, a {@code {variable}} or a greedy {@code {variable+}}. */
    record Segment(String value, Kind kind) {
        enum Kind {
            LITERAL,
            VARIABLE,
            GREEDY
        }
    }

    public static RouteKey parse(String routeKey) {
        if (routeKey == null || routeKey.isEmpty()) {
            throw new IllegalArgumentException("route key must not be empty");
        }
        if (routeKey.equals(DEFAULT.text)) {
            return DEFAULT;
        }
        int space = routeKey.indexOf(' ');
        if (space < 0) {
            throw new IllegalArgumentException(
                    "route key must be '$default' or '<METHOD> <path>', e.g. 'GET /pets/{id}', was '" + routeKey + "'");
        }
        String method = routeKey.substring(0, space);
        String path = routeKey.substring(space + 1);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("route key method must be one of "
                    + "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY, was '" + method + "'");
        }
        return new RouteKey(routeKey, method, path, segments(path));
    }

    private static List<Segment> segments(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("route path must start with '/', was '" + path + "'");
        }
        if (path.equals("/")) {
            return List.of();
        }
        String[] parts = path.substring(1).split("/", -1);
        List<Segment> segments = new ArrayList<>(parts.length);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty()) {
                throw new IllegalArgumentException(
                        "route path must not have an empty segment or a trailing '/', was '" + path + "'");
            }
            if (part.startsWith("{") && part.endsWith("}")) {
                boolean greedy = part.endsWith("+}");
                String name = part.substring(1, part.length() - (greedy ? 2 : 1));
                if (!NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("path variable '" + part + "' must be '{name}' or '{name+}' "
                            + "with a name of letters, digits, '_', '-' or '.'");
                }
                if (greedy && i != parts.length - 1) {
                    throw new IllegalArgumentException("greedy path variable '" + part
                            + "' must be the last segment of the path, was '" + path + "'");
                }
                if (!names.add(name)) {
                    throw new IllegalArgumentException("path variable '" + name + "' appears twice in '" + path + "'");
                }
                segments.add(new Segment(name, greedy ? Segment.Kind.GREEDY : Segment.Kind.VARIABLE));
            } else if (LITERAL.matcher(part).matches()) {
                segments.add(new Segment(part, Segment.Kind.LITERAL));
            } else {
                throw new IllegalArgumentException("path segment '" + part + "' must be a literal or a whole "
                        + "'{name}' variable, without spaces, '?' or '#'");
            }
        }
        return List.copyOf(segments);
    }

    public boolean isDefault() {
        return this == DEFAULT;
    }

    /** The method, {@code ANY} for all; {@code ""} for {@link #DEFAULT}. */
    public String method() {
        return method;
    }

    /** The path template, e.g. {@code /pets/{id}}; {@code ""} for {@link #DEFAULT}. */
    public String path() {
        return path;
    }

    /** The names of the path variables, in path order. */
    public List<String> parameterNames() {
        return segments.stream()
                .filter(s -> s.kind() != Segment.Kind.LITERAL)
                .map(Segment::value)
                .toList();
    }

    List<Segment> segments() {
        return segments;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RouteKey other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The key as API Gateway writes it: {@code GET /pets/{id}} or {@code $default}. */
    @Override
    public String toString() {
        return text;
    }
}
