package dev.spur.gateway;

import java.util.List;

/**
 * A function URL's CORS settings, field for field Lambda's {@code Cors} type.
 *
 * @param allowOrigins origins such as {@code https://www.example.com}, or {@code *} for any
 * @param allowMethods methods such as {@code GET}, or {@code *} for any
 * @param maxAge       seconds a browser may cache a preflight answer, 0..86400; 0 means not at all
 */
public record CorsConfig(boolean allowCredentials, List<String> allowHeaders, List<String> allowMethods,
                         List<String> allowOrigins, List<String> exposeHeaders, int maxAge) {

    public CorsConfig {
        allowHeaders = List.copyOf(allowHeaders);
        allowMethods = List.copyOf(allowMethods);
        allowOrigins = List.copyOf(allowOrigins);
        exposeHeaders = List.copyOf(exposeHeaders);
        if (maxAge < 0 || maxAge > 86_400) {
            throw new IllegalArgumentException("maxAge must be 0..86400, was " + maxAge);
        }
    }
}
