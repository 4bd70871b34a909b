package dev.spur.common;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP API: routes from {@code METHOD /path} keys to functions, as API Gateway HTTP APIs have
 * them, with CORS, authorizers and throttling. Served at
 * {@code http://<apiId>.execute-api.<region>.localhost:<port>/…} and {@code /gw/<apiId>/…}.
 *
 * @param apiId                  10 lower-case letters and digits, unique on the server
 * @param cors                   null when the API answers no CORS
 * @param throttle               the API-wide token bucket, or null for none
 * @param integrationTimeoutMillis how long a route's function may take before the client gets 504
 */
public record HttpApi(
        String account,
        String region,
        String apiId,
        String name,
        CorsConfig cors,
        Throttle throttle,
        Map<String, Authorizer> authorizers,
        List<Route> routes,
        int integrationTimeoutMillis,
        Instant createdAt,
        Instant lastModified) {
    public static final int DEFAULT_TIMEOUT_MILLIS = 30_000;

    public HttpApi {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(apiId, "apiId");
        name = name == null ? "" : name;
        authorizers = authorizers == null ? Map.of() : Map.copyOf(authorizers);
        routes = routes == null ? List.of() : List.copyOf(routes);
        integrationTimeoutMillis = integrationTimeoutMillis <= 0 ? DEFAULT_TIMEOUT_MILLIS : integrationTimeoutMillis;
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(lastModified, "lastModified");
    }

    /**
     * One route.
     *
     * @param routeKey       {@code GET /pets/{id}}, {@code ANY /files/{proxy+}} or {@code $default}
     * @param qualifier      "" for the unqualified function
     * @param payloadFormat  {@code 2.0} (default) or {@code 1.0}
     * @param authorizer     the name of one of the API's authorizers, or null
     * @param throttle       this route's token bucket, or null
     */
    public record Route(
            String routeKey,
            String functionName,
            String qualifier,
            String payloadFormat,
            String authorizer,
            Throttle throttle) {
        public Route {
            Objects.requireNonNull(routeKey, "routeKey");
            Objects.requireNonNull(functionName, "functionName");
            qualifier = qualifier == null ? "" : qualifier;
            payloadFormat = payloadFormat == null ? "2.0" : payloadFormat;
        }
    }

    /** Token bucket: {@code rateLimit} requests per second sustained, {@code burstLimit} at once. */
    public record Throttle(double rateLimit, int burstLimit) {}

    /**
     * An authorizer.
     *
     * @param type            {@code JWT}, {@code REQUEST} (a Lambda authorizer, simple responses) or
     *                        {@code API_KEY}
     * @param identitySource  where the identity is read, e.g. {@code $request.header.Authorization}
     * @param issuer          JWT: the required {@code iss}
     * @param audiences       JWT: one of these must be in {@code aud}
     * @param jwksUri         JWT: where the signing keys are fetched (cached), or null with {@code jwks}
     * @param jwks            JWT: the signing keys inline (a JWKS document), or null
     * @param functionName    REQUEST: the authorizer function
     * @param resultTtlSeconds REQUEST: how long a decision is cached per identity (0 = not cached)
     * @param apiKeys         API_KEY: the accepted keys, stored as SHA-256 hex (never in clear)
     */
    public record Authorizer(
            String type,
            String identitySource,
            String issuer,
            List<String> audiences,
            String jwksUri,
            String jwks,
            String functionName,
            String qualifier,
            int resultTtlSeconds,
            List<String> apiKeys) {
        public Authorizer {
            Objects.requireNonNull(type, "type");
            audiences = audiences == null ? List.of() : List.copyOf(audiences);
            qualifier = qualifier == null ? "" : qualifier;
            apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        }
    }
}
