package dev.spur.gateway;

import dev.spur.common.HttpApi;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A route's authorizer, as HTTP APIs run them: the identity source first (missing → 401 without
 * asking anyone), then by type — {@code API_KEY}: the key's SHA-256 among the stored hashes (else
 * 403); {@code JWT}: {@link JwtVerifier} with the authorizer's issuer and audiences and its keys,
 * inline or from its JWKS URI ({@link JwksCache}), refusals 401 with {@code www-authenticate};
 * {@code REQUEST}: a Lambda authorizer ({@link LambdaAuthorizer}). No refusal invokes the route's
 * function.
 */
final class Authorizers {
    private static final System.Logger LOG = System.getLogger(Authorizers.class.getName());

    private final InstantSource clock;
    private final JwksCache jwks;
    private final LambdaAuthorizer lambda;

    Authorizers(InstantSource clock, Integration integration) {
        this.clock = clock;
        this.jwks = new JwksCache(clock);
        this.lambda = new LambdaAuthorizer(clock, integration);
    }

    /** The decision of the route's authorizer (the route has one). */
    Authorization authorize(
            CompiledApi api,
            HttpApi.Route route,
            RouteTable.Match<HttpApi.Route> match,
            HttpRequestData request,
            String requestId)
            throws InterruptedException {
        HttpApi.Authorizer a = api.api().authorizers().get(route.authorizer());
        Optional<List<String>> found = identity(a.identitySource(), request);
        if (found.isEmpty()) {
            return Authorization.refuse(GatewayResponses.unauthorized(), "identity source missing");
        }
        List<String> identity = found.get();
        return switch (a.type()) {
            case "API_KEY" ->
                a.apiKeys().contains(Gateways.hashKey(identity.getFirst()))
                        ? new Authorization.Allowed(ApiAuthorizer.none())
                        : Authorization.refuse(GatewayResponses.forbidden(), "unknown API key");
            case "JWT" -> jwt(a, identity.getFirst());
            case "REQUEST" -> lambda.authorize(api, a, route, match, request, requestId, identity);
            default -> Authorization.refuse(GatewayResponses.internalServerError(), "unknown authorizer type");
        };
    }

    private Authorization jwt(HttpApi.Authorizer a, String identity) {
        try {
            String token = JwtVerifier.bearerToken(identity); // "Bearer" alone is a 401 too
            VerifiedJwt verified =
                    new JwtVerifier(a.issuer(), a.audiences(), keys(a), clock, Duration.ZERO).verify(token);
            return new Authorization.Allowed(ApiAuthorizer.Jwt.of(verified));
        } catch (JwtException e) {
            return Authorization.refuse(GatewayResponses.unauthorized(e), "JWT: " + e.description());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot fetch JWKS " + a.jwksUri(), e);
            return Authorization.refuse(GatewayResponses.internalServerError(), "JWKS unavailable");
        }
    }

    /** The JWT authorizer's keys: inline, or fetched from its JWKS URI and cached. */
    private JwkSet keys(HttpApi.Authorizer a) throws IOException {
        return a.jwks() != null ? JwkSet.parse(a.jwks()) : jwks.get(a.jwksUri());
    }

    /**
     * The identity source's values: {@code $request.header.X} and {@code $request.querystring.Y},
     * comma-separated; empty when one is missing or empty (then the request is refused without asking).
     */
    static Optional<List<String>> identity(String sources, HttpRequestData request) {
        List<String> values = new ArrayList<>();
        for (String source : sources.split(",")) {
            String s = source.trim();
            Optional<String> value;
            if (s.startsWith("$request.header.")) {
                value = request.header(s.substring("$request.header.".length()));
            } else if (s.startsWith("$request.querystring.")) {
                value = query(request.rawQuery(), s.substring("$request.querystring.".length()));
            } else {
                value = Optional.empty();
            }
            if (value.isEmpty() || value.get().isEmpty()) {
                return Optional.empty();
            }
            values.add(value.get());
        }
        return Optional.of(values);
    }

    private static Optional<String> query(String rawQuery, String name) {
        if (rawQuery == null) {
            return Optional.empty();
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (k.equals(name)) {
                return Optional.of(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }
}
