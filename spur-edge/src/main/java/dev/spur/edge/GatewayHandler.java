package dev.spur.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.HttpApi;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.common.Ticker;
import dev.spur.gateway.AccessLog;
import dev.spur.gateway.ApiAuthorizer;
import dev.spur.gateway.Cors;
import dev.spur.gateway.GatewayResponses;
import dev.spur.gateway.Gateways;
import dev.spur.gateway.HttpApiContext;
import dev.spur.gateway.HttpRequestData;
import dev.spur.gateway.HttpResponseData;
import dev.spur.gateway.JwkSet;
import dev.spur.gateway.JwtException;
import dev.spur.gateway.JwtVerifier;
import dev.spur.gateway.PayloadV1;
import dev.spur.gateway.PayloadV2;
import dev.spur.gateway.ResponseMappingV1;
import dev.spur.gateway.ResponseMappingV2;
import dev.spur.gateway.RouteKey;
import dev.spur.gateway.RouteTable;
import dev.spur.gateway.TokenBucket;
import dev.spur.gateway.VerifiedJwt;
import dev.spur.invoke.InvokeCommand;
import dev.spur.invoke.InvokeResult;
import dev.spur.invoke.Invoker;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Serves HTTP APIs, addressed by host name ({@code <apiId>.execute-api.<region>.localhost}, as AWS's
 * {@code …execute-api.<region>.amazonaws.com}) or by path ({@code /gw/<apiId>/…}): CORS preflight →
 * route (most specific match) → throttling (route bucket, then API bucket) → authorizer (API key,
 * JWT, or a Lambda authorizer with a per-identity cache) → the event in the route's payload format
 * → the ordinary invoke path, bounded by the integration timeout → the response mapped back as API
 * Gateway does → CORS headers, {@code apigw-requestid}, and one JSON access-log line.
 *
 * <p>Errors answer as API Gateway's do: 404/401/403/413/429/500/502/504 with a JSON
 * {@code {"message": …}} body, and never invoke the route's function when the request is refused.
 */
final class GatewayHandler {
    private static final System.Logger LOG = System.getLogger(GatewayHandler.class.getName());
    static final String PATH_PREFIX = "/gw/";
    static final String HOST_MARK = ".execute-api.";
    /** API Gateway's payload limit: 10 MB. */
    static final int MAX_BODY = 10 * 1024 * 1024;

    private static final Duration JWKS_TTL = Duration.ofMinutes(5);
    /** Lambda-authorizer decisions cached per API at most (expired ones are dropped first). */
    static final int MAX_CACHED_DECISIONS = 10_000;

    private final Gateways gateways;
    private final Invoker invoker;
    private final InstantSource clock;
    private final Ticker ticker;
    private final AccessLogs accessLogs;
    private final ConcurrentMap<String, Compiled> compiled = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, CachedKeys> jwks = new ConcurrentHashMap<>();

    GatewayHandler(Gateways gateways, Invoker invoker, InstantSource clock, Ticker ticker, AccessLogs accessLogs) {
        this.gateways = gateways;
        this.invoker = invoker;
        this.clock = clock;
        this.ticker = ticker;
        this.accessLogs = accessLogs;
    }

    /** The API id a request addresses, from its host name or path; null if it is not a gateway request. */
    static String apiId(String host, String rawPath) {
        if (host != null) {
            int mark = host.indexOf(HOST_MARK);
            if (mark == 10 && host.indexOf('.') == 10) {
                return host.substring(0, 10);
            }
        }
        if (rawPath != null && rawPath.startsWith(PATH_PREFIX) && rawPath.length() >= PATH_PREFIX.length() + 10) {
            int end = PATH_PREFIX.length() + 10;
            if (rawPath.length() == end || rawPath.charAt(end) == '/') {
                return rawPath.substring(PATH_PREFIX.length(), end);
            }
        }
        return null;
    }

    /** An API ready to serve: its routing table, token buckets and JWT verifiers, rebuilt when it changes. */
    private record Compiled(
            HttpApi api,
            RouteTable<HttpApi.Route> routes,
            TokenBucket apiBucket,
            Map<String, TokenBucket> routeBuckets,
            ConcurrentMap<String, CachedDecision> decisions) {}

    private record CachedDecision(boolean authorized, ObjectNode context, long expiresAtMillis) {}

    private record CachedKeys(JwkSet keys, Instant fetchedAt) {}

    void handle(Exchange x, String apiId, boolean byPath) {
        long startNanos = ticker.nanos();
        String requestId = RequestIds.next();
        Outcome outcome = new Outcome();
        Optional<HttpApi> found = gateways.find(apiId);
        String rawPath = byPath ? rest(x.rawPath(), apiId) : x.rawPath();
        if (found.isEmpty()) {
            compiled.remove(apiId); // deleted: its compiled form goes too
            send(x, requestId, GatewayResponses.notFound());
            return;
        }
        Compiled api = compile(found.get());
        HttpRequestData request = null;
        HttpResponseData response;
        try {
            byte[] body = x.body(MAX_BODY);
            request = new HttpRequestData(
                    x.method(),
                    rawPath,
                    x.rawQuery(),
                    x.headers(),
                    body.length > MAX_BODY ? new byte[0] : body,
                    x.remoteAddress(),
                    x.protocol(),
                    clock.instant());
            if (body.length > MAX_BODY) {
                response = GatewayResponses.payloadTooLarge();
            } else {
                response = route(api, request, requestId, outcome);
            }
        } catch (Exception e) {
            LOG.log(Level.ERROR, "gateway request " + requestId + " failed", e);
            response = GatewayResponses.internalServerError();
        }
        if (api.api().cors() != null && request != null && !Cors.isPreflight(request)) {
            response = Cors.decorate(api.api().cors(), request, response);
        }
        send(x, requestId, response);
        accessLogs.append(
                api.api().apiId(),
                AccessLog.line(new AccessLog.Entry(
                        requestId,
                        x.remoteAddress(),
                        request != null ? request.time() : clock.instant(),
                        x.method(),
                        outcome.routeKey,
                        rawPath,
                        response.status(),
                        x.protocol(),
                        response.body().length,
                        (ticker.nanos() - startNanos) / 1_000_000,
                        outcome.integrationMillis,
                        outcome.integrationStatus,
                        outcome.error == null ? "" : outcome.error)));
    }

    /** What the access log reports about the integration. */
    private static final class Outcome {
        String routeKey = "-";
        long integrationMillis = -1;
        int integrationStatus = -1;
        String error;
    }

    private HttpResponseData route(Compiled api, HttpRequestData request, String requestId, Outcome outcome)
            throws InterruptedException {
        if (api.api().cors() != null && Cors.isPreflight(request)) {
            Optional<HttpResponseData> preflight = Cors.preflight(api.api().cors(), request);
            if (preflight.isPresent()) {
                outcome.routeKey = "OPTIONS (CORS preflight)";
                return preflight.get();
            }
        }
        Optional<RouteTable.Match<HttpApi.Route>> match = api.routes().match(request.method(), request.rawPath());
        if (match.isEmpty()) {
            return GatewayResponses.notFound();
        }
        HttpApi.Route route = match.get().target();
        outcome.routeKey = route.routeKey();
        TokenBucket routeBucket = api.routeBuckets().get(route.routeKey());
        if (routeBucket != null && !routeBucket.tryAcquire()) {
            return throttled(routeBucket);
        }
        if (api.apiBucket() != null && !api.apiBucket().tryAcquire()) {
            return throttled(api.apiBucket());
        }
        ApiAuthorizer authorizer = ApiAuthorizer.none();
        if (route.authorizer() != null) {
            Authorization decision = authorize(api, route, match.get(), request, requestId);
            if (decision.refusal != null) {
                outcome.error = decision.reason;
                return decision.refusal;
            }
            authorizer = decision.context;
        }
        HttpApiContext context = context(api.api(), match.get(), request, requestId, authorizer);
        byte[] event = route.payloadFormat().equals("1.0")
                ? PayloadV1.event(request, context)
                : PayloadV2.httpApiEvent(request, context);
        long integrationStart = ticker.nanos();
        try {
            InvokeResult result = invoke(
                    api.api(),
                    route.functionName(),
                    route.qualifier(),
                    event,
                    api.api().integrationTimeoutMillis());
            outcome.integrationMillis = (ticker.nanos() - integrationStart) / 1_000_000;
            outcome.integrationStatus = result.status();
            boolean functionError = result.functionError().isPresent();
            if (functionError) {
                outcome.error = "The function failed";
            }
            if (functionError) {
                return GatewayResponses.internalServerError(); // an unhandled function error, as HTTP APIs answer it
            }
            return route.payloadFormat().equals("1.0")
                    ? ResponseMappingV1.map(result.payload(), false)
                    : ResponseMappingV2.forHttpApi(result.payload(), false);
        } catch (TimeoutException e) {
            outcome.integrationMillis = (ticker.nanos() - integrationStart) / 1_000_000;
            outcome.error = "Integration timed out after " + api.api().integrationTimeoutMillis() + " ms";
            return GatewayResponses.gatewayTimeout();
        } catch (LambdaException e) {
            outcome.error = e.code().type() + ": " + e.getMessage();
            return e.code() == ErrorCode.TOO_MANY_REQUESTS
                    ? GatewayResponses.tooManyRequests()
                    : GatewayResponses.internalServerError();
        }
    }

    /** Invokes a function of the API's account, giving up waiting after the integration timeout. */
    private InvokeResult invoke(HttpApi api, String function, String qualifier, byte[] event, int timeoutMillis)
            throws TimeoutException, InterruptedException {
        InvokeCommand command = new InvokeCommand(
                new Caller(api.account(), api.region()),
                function,
                qualifier.isEmpty() ? Optional.empty() : Optional.of(qualifier),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                event,
                event.length,
                RequestIds.next());
        CompletableFuture<InvokeResult> future = new CompletableFuture<>();
        Thread.ofVirtual().name("spur-gateway-integration").start(() -> {
            try {
                future.complete(invoker.invoke(command));
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        });
        try {
            return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LambdaException le) {
                throw le;
            }
            throw LambdaException.internal("the integration failed", e.getCause());
        }
    }

    /** The outcome of an authorizer: either a refusal to send, or what to put in the event. */
    private record Authorization(HttpResponseData refusal, String reason, ApiAuthorizer context) {
        static Authorization refuse(HttpResponseData response, String reason) {
            return new Authorization(response, reason, null);
        }
    }

    private Authorization authorize(
            Compiled api,
            HttpApi.Route route,
            RouteTable.Match<HttpApi.Route> match,
            HttpRequestData request,
            String requestId)
            throws InterruptedException {
        HttpApi.Authorizer a = api.api().authorizers().get(route.authorizer());
        List<String> identity = identity(a.identitySource(), request);
        if (identity == null) {
            return Authorization.refuse(GatewayResponses.unauthorized(), "identity source missing");
        }
        return switch (a.type()) {
            case "API_KEY" ->
                a.apiKeys().contains(Gateways.hashKey(identity.getFirst()))
                        ? new Authorization(null, null, ApiAuthorizer.none())
                        : Authorization.refuse(GatewayResponses.forbidden(), "unknown API key");
            case "JWT" -> {
                try {
                    String token = JwtVerifier.bearerToken(identity.getFirst()); // "Bearer" alone is a 401 too
                    VerifiedJwt verified =
                            new JwtVerifier(a.issuer(), a.audiences(), keys(a), clock, Duration.ZERO).verify(token);
                    yield new Authorization(null, null, ApiAuthorizer.Jwt.of(verified));
                } catch (JwtException e) {
                    yield new Authorization(GatewayResponses.unauthorized(e), "JWT: " + e.description(), null);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "cannot fetch JWKS " + a.jwksUri(), e);
                    yield Authorization.refuse(GatewayResponses.internalServerError(), "JWKS unavailable");
                }
            }
            case "REQUEST" -> lambdaAuthorizer(api, a, route, match, request, requestId, identity);
            default -> Authorization.refuse(GatewayResponses.internalServerError(), "unknown authorizer type");
        };
    }

    /** A Lambda authorizer (payload 2.0, simple responses), its decision cached per identity for its TTL. */
    private Authorization lambdaAuthorizer(
            Compiled api,
            HttpApi.Authorizer a,
            HttpApi.Route route,
            RouteTable.Match<HttpApi.Route> match,
            HttpRequestData request,
            String requestId,
            List<String> identity)
            throws InterruptedException {
        String cacheKey = route.authorizer() + "\n" + String.join("\n", identity);
        long now = clock.millis();
        CachedDecision cached = a.resultTtlSeconds() > 0 ? api.decisions().get(cacheKey) : null;
        if (cached == null || cached.expiresAtMillis() <= now) {
            HttpApiContext context = context(api.api(), match, request, requestId, ApiAuthorizer.none());
            byte[] event = authorizerEvent(request, context, identity, api.api(), route);
            InvokeResult result;
            try {
                result = invoke(
                        api.api(),
                        a.functionName(),
                        a.qualifier(),
                        event,
                        api.api().integrationTimeoutMillis());
            } catch (TimeoutException | LambdaException e) {
                return Authorization.refuse(
                        GatewayResponses.internalServerError(), "authorizer failed: " + e.getMessage());
            }
            JsonNode answer;
            try {
                answer = result.functionError().isPresent() ? null : Json.MAPPER.readTree(result.payload());
            } catch (IOException e) {
                answer = null;
            }
            if (answer == null || !answer.path("isAuthorized").isBoolean()) {
                return Authorization.refuse(GatewayResponses.internalServerError(), "authorizer gave no isAuthorized");
            }
            ObjectNode ctx = answer.path("context").isObject()
                    ? (ObjectNode) answer.path("context")
                    : Json.MAPPER.createObjectNode();
            cached = new CachedDecision(
                    answer.path("isAuthorized").booleanValue(), ctx, now + a.resultTtlSeconds() * 1000L);
            if (a.resultTtlSeconds() > 0) {
                if (api.decisions().size() >= MAX_CACHED_DECISIONS) {
                    api.decisions().values().removeIf(d -> d.expiresAtMillis() <= now);
                    if (api.decisions().size() >= MAX_CACHED_DECISIONS) {
                        api.decisions().clear(); // many live identities: start over rather than grow
                    }
                }
                api.decisions().put(cacheKey, cached);
            }
        }
        return cached.authorized()
                ? new Authorization(null, null, new ApiAuthorizer.Lambda(cached.context()))
                : Authorization.refuse(GatewayResponses.forbidden(), "the authorizer said no");
    }

    /**
     * A Lambda authorizer's payload (format 2.0): the route's event without a body, plus
     * {@code type: "REQUEST"}, {@code routeArn} and the {@code identitySource} values.
     */
    private static byte[] authorizerEvent(
            HttpRequestData request, HttpApiContext context, List<String> identity, HttpApi api, HttpApi.Route route) {
        try {
            ObjectNode event = (ObjectNode) Json.MAPPER.readTree(PayloadV2.httpApiEvent(request, context));
            event.remove("body");
            event.remove("isBase64Encoded");
            ObjectNode out = Json.MAPPER.createObjectNode();
            out.put("version", "2.0");
            out.put("type", "REQUEST");
            out.put(
                    "routeArn",
                    "arn:aws:execute-api:" + api.region() + ":" + api.account() + ":" + api.apiId()
                            + "/$default/"
                            + (route.routeKey().equals("$default")
                                    ? "$default"
                                    : route.routeKey().replace(' ', '/').replace("//", "/")));
            identity.forEach(out.putArray("identitySource")::add);
            event.properties().forEach(e -> {
                if (!e.getKey().equals("version")) {
                    out.set(e.getKey(), e.getValue());
                }
            });
            return Json.MAPPER.writeValueAsBytes(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot build the authorizer event", e);
        }
    }

    /**
     * The identity source's values: {@code $request.header.X} and {@code $request.querystring.Y},
     * comma-separated; null when one is missing (then the request is refused without asking).
     */
    static List<String> identity(String sources, HttpRequestData request) {
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
                return null;
            }
            values.add(value.get());
        }
        return values;
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

    /** The JWT authorizer's keys: inline, or fetched from its JWKS URI and cached for five minutes. */
    private JwkSet keys(HttpApi.Authorizer a) throws IOException {
        if (a.jwks() != null) {
            return JwkSet.parse(a.jwks());
        }
        CachedKeys cached = jwks.get(a.jwksUri());
        if (cached != null && cached.fetchedAt().plus(JWKS_TTL).isAfter(clock.instant())) {
            return cached.keys();
        }
        HttpURLConnection c =
                (HttpURLConnection) URI.create(a.jwksUri()).toURL().openConnection();
        c.setConnectTimeout(5_000);
        c.setReadTimeout(5_000);
        try (InputStream in = c.getInputStream()) {
            JwkSet keys = JwkSet.parse(new String(in.readNBytes(1024 * 1024), StandardCharsets.UTF_8));
            jwks.put(a.jwksUri(), new CachedKeys(keys, clock.instant()));
            return keys;
        }
    }

    private static HttpApiContext context(
            HttpApi api,
            RouteTable.Match<HttpApi.Route> match,
            HttpRequestData request,
            String requestId,
            ApiAuthorizer authorizer) {
        String host = request.header("Host").orElse(api.apiId());
        // The domain prefix is the API id whether the request came by host name (where it is the first
        // label) or by path (where the host is the server's own, e.g. 127.0.0.1), as for function URLs.
        return new HttpApiContext(
                match.routeKey(),
                "$default",
                api.apiId(),
                host,
                api.apiId(),
                api.account(),
                requestId,
                match.pathParameters(),
                Map.of(),
                authorizer);
    }

    /** The API's compiled form; built once per API document (concurrent first requests share it). */
    private Compiled compile(HttpApi api) {
        Compiled current = compiled.get(api.apiId());
        if (current != null && current.api() == api) {
            return current;
        }
        return compiled.compute(
                api.apiId(), (id, existing) -> existing != null && existing.api() == api ? existing : build(api));
    }

    private Compiled build(HttpApi api) {
        List<Map.Entry<RouteKey, HttpApi.Route>> entries = new ArrayList<>();
        Map<String, TokenBucket> buckets = new HashMap<>();
        for (HttpApi.Route r : api.routes()) {
            entries.add(Map.entry(RouteKey.parse(r.routeKey()), r));
            if (r.throttle() != null) {
                buckets.put(
                        r.routeKey(),
                        new TokenBucket(r.throttle().rateLimit(), r.throttle().burstLimit(), ticker));
            }
        }
        TokenBucket apiBucket = api.throttle() == null
                ? null
                : new TokenBucket(api.throttle().rateLimit(), api.throttle().burstLimit(), ticker);
        return new Compiled(api, RouteTable.of(entries), apiBucket, Map.copyOf(buckets), new ConcurrentHashMap<>());
    }

    private static String rest(String rawPath, String apiId) {
        String rest = rawPath.substring(PATH_PREFIX.length() + apiId.length());
        return rest.isEmpty() ? "/" : rest;
    }

    private static HttpResponseData throttled(TokenBucket bucket) {
        return GatewayResponses.withHeader(
                GatewayResponses.tooManyRequests(),
                "Retry-After",
                Long.toString(Math.max(1, bucket.retryAfterSeconds())));
    }

    private static void send(Exchange x, String requestId, HttpResponseData response) {
        x.send(GatewayResponses.withHeader(response, "apigw-requestid", requestId));
    }
}
