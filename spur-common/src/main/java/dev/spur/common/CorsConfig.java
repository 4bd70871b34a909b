package dev.spur.common;

import java.util.List;

/**
 * Cross-origin settings of a function URL (and of gateway APIs), field for field Lambda's
 * {@code Cors} type. Absent lists read as empty; a {@code maxAge} outside 0..86400 is refused (the
 * control plane validates it first with Lambda's wording).
 *
 * @param allowOrigins origins such as {@code https://www.example.com}, or {@code *} for any
 * @param allowMethods methods such as {@code GET}, or {@code *} for any
 * @param maxAge       seconds a browser may cache a preflight answer, 0..86400; 0 means not at all
 */
public record CorsConfig(
        boolean allowCredentials,
        List<String> allowHeaders,
        List<String> allowMethods,
        List<String> allowOrigins,
        List<String> exposeHeaders,
        int maxAge) {

    public CorsConfig {
        allowHeaders = allowHeaders == null ? List.of() : List.copyOf(allowHeaders);
        allowMethods = allowMethods == null ? List.of() : List.copyOf(allowMethods);
        allowOrigins = allowOrigins == null ? List.of() : List.copyOf(allowOrigins);
        exposeHeaders = exposeHeaders == null ? List.of() : List.copyOf(exposeHeaders);
        if (maxAge < 0 || maxAge > 86_400) {
            throw new IllegalArgumentException("maxAge must be 0..86400, was " + maxAge);
        }
    }
}
