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
}
