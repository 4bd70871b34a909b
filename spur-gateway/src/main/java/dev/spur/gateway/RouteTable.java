package dev.spur.gateway;

import dev.spur.gateway.RouteKey.Segment;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP API's routes, each with an opaque target, and the choice of route for a request.
 *
 * <p>"API Gateway selects the route with the most-specific match" (<em>Working with routes for HTTP
 * APIs</em>, "Routing API requests"): a full match of method and path, then a match through a greedy
 * variable, then {@code $default}; {@code ANY} matches every method "that you haven't defined for a
 * resource". Spur makes that an order: among the routes whose method and path match, the winner is
 * the one whose segments, read left to right, are first more specific (literal over {@code {var}}
 * over {@code {var+}}), then the one with a method over {@code ANY}; {@code $default} only when
 * nothing else matched. Two routes of the same method and shape ({@code GET /a/{x}} and
 * {@code GET /a/{y}}) are refused when the table is built, so the winner is always unique.
 *
 * <p>Matching, also Spur's reading where the guide is silent:
 * <ul>
 *   <li>the path is compared case-sensitively, one segment against one route segment, after
 *       percent-decoding the request segment ({@code +} stays a plus; a malformed escape is compared
 *       as is). Path parameters are handed over decoded, as the guide says API Gateway does;
 *   <li>a {@code {var}} needs a non-empty segment; a {@code {var+}} needs at least one more segment
 *       and takes the rest of the path, slashes included, so {@code /items/{proxy+}} matches
 *       {@code /items/a/b} ({@code proxy = a/b}) but not {@code /items};
 *   <li>a trailing slash is part of the path: {@code /pets/} is not {@code /pets}. It ends in an empty
 *       segment, which only a greedy variable or {@code $default} can take. Route keys cannot end in
 *       {@code /}, so no route is lost by this;
 *   <li>the method is compared exactly; {@code HEAD} does not fall back to a {@code GET} route.
 * </ul>
 * The lookup scans every route: an API has at most a few hundred, and a scan of segment arrays is a
 * few microseconds at that size.
 */
public final class RouteTable<T> {
    private final List<Map.Entry<RouteKey, T>> routes;
    private final Optional<T> defaultTarget;

    /** A chosen route, its target and its path parameters, decoded, in path order. */
    public record Match<T>(RouteKey routeKey, T target, Map<String, String> pathParameters) {
        public Match {
            Objects.requireNonNull(routeKey, "routeKey");
            Objects.requireNonNull(target, "target");
            pathParameters = Collections.unmodifiableMap(new LinkedHashMap<>(pathParameters));
        }
    }

    private RouteTable(List<Map.Entry<RouteKey, T>> routes, Optional<T> defaultTarget) {
        this.routes = routes;
        this.defaultTarget = defaultTarget;
    }

    /**
     * @throws IllegalArgumentException when a key appears twice or two keys differ only in variable names
     */
    public static <T> RouteTable<T> of(List<Map.Entry<RouteKey, T>> routes) {
        List<Map.Entry<RouteKey, T>> plain = new ArrayList<>();
        Optional<T> defaultTarget = Optional.empty();
        Map<String, RouteKey> shapes = new HashMap<>();
        for (Map.Entry<RouteKey, T> route : routes) {
            RouteKey key = Objects.requireNonNull(route.getKey(), "route key");
            Objects.requireNonNull(route.getValue(), "target");
            RouteKey clash = shapes.putIfAbsent(shape(key), key);
            if (clash != null) {
                throw new IllegalArgumentException(
                        clash.equals(key)
                                ? "route '" + key + "' appears twice"
                                : "routes '" + clash + "' and '" + key + "' match the same requests");
            }
            if (key.isDefault()) {
                defaultTarget = Optional.of(route.getValue());
            } else {
                plain.add(Map.entry(key, route.getValue()));
            }
        }
        return new RouteTable<>(List.copyOf(plain), defaultTarget);
    }

    /** The most specific route for the request, or empty when none matches and there is no {@code $default}. */
    public Optional<Match<T>> match(String method, String rawPath) {
        String[] segments = split(rawPath);
        Map.Entry<RouteKey, T> best = null;
        for (Map.Entry<RouteKey, T> route : routes) {
            RouteKey key = route.getKey();
            if ((key.method().equals(method) || key.method().equals("ANY"))
                    && matches(key, segments)
                    && (best == null || moreSpecific(key, best.getKey()))) {
                best = route;
            }
        }
        if (best != null) {
            return Optional.of(new Match<>(best.getKey(), best.getValue(), parameters(best.getKey(), segments)));
        }
        return defaultTarget.map(target -> new Match<>(RouteKey.DEFAULT, target, Map.of()));
    }

    /** The request path's segments, still encoded; {@code /} has none, {@code /a/} has {@code a} and {@code ""}. */
    private static String[] split(String rawPath) {
        if (rawPath.isEmpty() || rawPath.equals("/")) {
            return new String[0];
        }
        return (rawPath.startsWith("/") ? rawPath.substring(1) : rawPath).split("/", -1);
    }

    private static boolean matches(RouteKey key, String[] request) {
        List<Segment> route = key.segments();
        boolean greedy = !route.isEmpty() && route.getLast().kind() == Segment.Kind.GREEDY;
        if (greedy ? request.length < route.size() : request.length != route.size()) {
            return false;
        }
        for (int i = 0; i < route.size(); i++) {
            Segment segment = route.get(i);
            switch (segment.kind()) {
                case LITERAL -> {
                    if (!segment.value().equals(decode(request[i]))) {
                        return false;
                    }
                }
                case VARIABLE -> {
                    if (request[i].isEmpty()) {
                        return false;
                    }
                }
                case GREEDY -> {
                    if (String.join("/", List.of(request).subList(i, request.length))
                            .isEmpty()) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Whether {@code a} wins over {@code b} when both match the same request. */
    private static boolean moreSpecific(RouteKey a, RouteKey b) {
        List<Segment> sa = a.segments();
        List<Segment> sb = b.segments();
        for (int i = 0; i < Math.min(sa.size(), sb.size()); i++) {
            int cmp = sa.get(i).kind().compareTo(sb.get(i).kind());
            if (cmp != 0) {
                return cmp < 0;
            }
        }
        return !a.method().equals("ANY") && b.method().equals("ANY");
    }

    private static Map<String, String> parameters(RouteKey key, String[] request) {
        Map<String, String> params = new LinkedHashMap<>();
        List<Segment> route = key.segments();
        for (int i = 0; i < route.size(); i++) {
            Segment segment = route.get(i);
            switch (segment.kind()) {
                case LITERAL -> {}
                case VARIABLE -> params.put(segment.value(), decode(request[i]));
                case GREEDY ->
                    params.put(
                            segment.value(),
                            decode(String.join("/", List.of(request).subList(i, request.length))));
            }
        }
        return params;
    }

    /** What makes two keys match the same requests: method, literals and variable kinds, not names. */
    private static String shape(RouteKey key) {
        if (key.isDefault()) {
            return key.toString();
        }
        StringBuilder shape = new StringBuilder(key.method()).append(' ');
        for (Segment segment : key.segments()) {
            shape.append('/')
                    .append(
                            switch (segment.kind()) {
                                case LITERAL -> segment.value();
                                case VARIABLE -> "{}";
                                case GREEDY -> "{+}";
                            });
        }
        return shape.toString();
    }

    /** Percent-decodes a path (not a form: {@code +} stays); a malformed escape or non-UTF-8 leaves it as is. */
    static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return raw;
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return raw;
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] bytes = out.toByteArray();
        String decoded = new String(bytes, StandardCharsets.UTF_8);
        return Arrays.equals(decoded.getBytes(StandardCharsets.UTF_8), bytes) ? decoded : raw;
    }
}
