package dev.spur.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A token {@link JwtVerifier} accepted.
 *
 * @param claims the payload, a JSON object; not copied, so callers must not change it
 * @param scopes the {@code scope} claim split on spaces, or the {@code scp} array; empty when neither
 */
public record VerifiedJwt(JsonNode claims, List<String> scopes) {

    public VerifiedJwt {
        if (!claims.isObject()) {
            throw new IllegalArgumentException("claims must be a JSON object");
        }
        scopes = List.copyOf(scopes);
    }

    /**
     * Whether the token may call a route that requires {@code routeScopes}: always when the route
     * requires none, else when the token has at least one of them ("If you configure scopes for a
     * route, the token must include at least one of the route's scopes").
     */
    public boolean hasAnyScope(List<String> routeScopes) {
        return routeScopes.isEmpty() || routeScopes.stream().anyMatch(scopes::contains);
    }
}
