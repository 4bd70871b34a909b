package dev.spur.gateway;

import dev.spur.common.CorsConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A function URL's configured CORS, applied by the gateway (Lambda guide, <em>Creating and managing
 * Lambda function URLs</em>, "Cross-origin resource sharing (CORS)"): each {@link CorsConfig} field
 * becomes its {@code Access-Control-*} header, and where the function set the same header itself the
 * configured one wins.
 *
 * <p>An origin is allowed when {@code allowOrigins} holds {@code *} or the origin itself (compared
 * ignoring case). The allowed origin is answered with {@code *} only when the configuration has the
 * wildcard and no credentials; otherwise the request's own origin is echoed with {@code Vary: Origin},
 * because browsers refuse {@code *} on credentialed requests and caches must not share the answer
 * across origins. For the same reason a {@code *} in {@code allowMethods} or {@code allowHeaders} is
 * answered with the requested method or headers when credentials are allowed.
 *
 * <p>A preflight from a disallowed origin, or for a method not in {@code allowMethods}, is still
 * answered by the gateway (the function is not invoked) but without any CORS header, so the browser
 * blocks the actual request. Requested headers are not checked here: the browser compares them
 * against {@code Access-Control-Allow-Headers}.
 */
public final class Cors {
    static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";
    static final String ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials";
    static final String ALLOW_METHODS = "Access-Control-Allow-Methods";
    static final String ALLOW_HEADERS = "Access-Control-Allow-Headers";
    static final String EXPOSE_HEADERS = "Access-Control-Expose-Headers";
    static final String MAX_AGE = "Access-Control-Max-Age";
    private static final String WILDCARD = "*";

    private Cors() {}

    /** Whether {@code req} is a CORS preflight: {@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}. */
    public static boolean isPreflight(HttpRequestData req) {
        return req.method().equalsIgnoreCase("OPTIONS")
                && req.header("Origin").isPresent()
                && req.header("Access-Control-Request-Method").isPresent();
    }

    /**
     * The gateway's own answer to a preflight, to send instead of invoking the function; empty when
     * {@code req} is not a preflight. The answer is 200 with an empty body, with CORS headers only
     * when the origin and the requested method are allowed.
     */
    public static Optional<HttpResponseData> preflight(CorsConfig config, HttpRequestData req) {
        if (!isPreflight(req)) {
            return Optional.empty();
        }
        String origin = req.header("Origin").orElseThrow();
        String method =
                req.header("Access-Control-Request-Method").orElseThrow().strip();
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        if (originAllowed(config, origin) && contains(config.allowMethods(), method)) {
            addOrigin(config, origin, headers);
            headers.add(Map.entry(ALLOW_METHODS, wildcardOrList(config, config.allowMethods(), method)));
            String requested = req.header("Access-Control-Request-Headers").orElse("");
            String allowHeaders = wildcardOrList(config, config.allowHeaders(), requested);
            if (!allowHeaders.isBlank()) {
                headers.add(Map.entry(ALLOW_HEADERS, allowHeaders));
            }
            headers.add(Map.entry(MAX_AGE, Integer.toString(config.maxAge())));
        }
        return Optional.of(new HttpResponseData(200, headers, new byte[0]));
    }

    /**
     * {@code resp} with {@code Access-Control-Allow-Origin}, {@code -Allow-Credentials} and
     * {@code -Expose-Headers} when the request came from an allowed origin, replacing any the function
     * set; {@code resp} unchanged when the request has no {@code Origin} or it is not allowed.
     */
    public static HttpResponseData decorate(CorsConfig config, HttpRequestData req, HttpResponseData resp) {
        Optional<String> origin = req.header("Origin");
        if (origin.isEmpty() || !originAllowed(config, origin.get())) {
            return resp;
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (Map.Entry<String, String> h : resp.headers()) {
            String name = h.getKey();
            if (!name.equalsIgnoreCase(ALLOW_ORIGIN)
                    && !name.equalsIgnoreCase(ALLOW_CREDENTIALS)
                    && !name.equalsIgnoreCase(EXPOSE_HEADERS)) {
                headers.add(h);
            }
        }
        addOrigin(config, origin.get(), headers);
        if (!config.exposeHeaders().isEmpty()) {
            headers.add(Map.entry(EXPOSE_HEADERS, String.join(",", config.exposeHeaders())));
        }
        return new HttpResponseData(resp.status(), headers, resp.body());
    }

    private static void addOrigin(CorsConfig config, String origin, List<Map.Entry<String, String>> headers) {
        boolean wildcard = config.allowOrigins().contains(WILDCARD) && !config.allowCredentials();
        headers.add(Map.entry(ALLOW_ORIGIN, wildcard ? WILDCARD : origin));
        if (!wildcard
                && headers.stream()
                        .noneMatch(h -> h.getKey().equalsIgnoreCase("Vary")
                                && h.getValue().toLowerCase(Locale.ROOT).contains("origin"))) {
            headers.add(Map.entry("Vary", "Origin"));
        }
        if (config.allowCredentials()) {
            headers.add(Map.entry(ALLOW_CREDENTIALS, "true"));
        }
    }

    private static boolean originAllowed(CorsConfig config, String origin) {
        return contains(config.allowOrigins(), origin.strip());
    }

    private static boolean contains(List<String> allowed, String value) {
        return allowed.stream().anyMatch(a -> a.equals(WILDCARD) || a.equalsIgnoreCase(value));
    }

    /** The configured list, or with credentials and a {@code *} in it, what the browser asked for. */
    private static String wildcardOrList(CorsConfig config, List<String> allowed, String requested) {
        if (config.allowCredentials() && allowed.contains(WILDCARD)) {
            return requested;
        }
        return String.join(",", allowed);
    }
}
