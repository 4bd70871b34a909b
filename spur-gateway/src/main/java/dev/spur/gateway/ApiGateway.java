package dev.spur.gateway;

import dev.spur.common.ErrorCode;
import dev.spur.common.HttpApi;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.common.Ticker;
import java.lang.System.Logger.Level;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The {@link HttpApiService}: one request end to end in {@link #serve}, each step one call —
 * {@link CompiledApi} (routes, buckets), {@link Cors}, {@link RouteTable#match}, {@link TokenBucket},
 * {@link Authorizers}, {@link PayloadV2}/{@link PayloadV1}, {@link Integration},
 * {@link ResponseMappingV2}/{@link ResponseMappingV1}, {@link AccessLog}.
 *
 * <p>Concurrency: requests run on their callers' threads, in parallel. The compiled forms are in a
 * concurrent map, replaced whole when an API document changes (concurrent first requests share one);
 * buckets and decision caches are lock-free; an access-log append takes its API's file lock.
 */
final class ApiGateway implements HttpApiService {
    private static final System.Logger LOG = System.getLogger(ApiGateway.class.getName());

    private final Function<String, Optional<HttpApi>> apis;
    private final Ticker ticker;
    private final Integration integration;
    private final Authorizers authorizers;
    private final AccessLogs accessLogs;
    private final ConcurrentMap<String, CompiledApi> compiled = new ConcurrentHashMap<>();

    ApiGateway(
            Function<String, Optional<HttpApi>> apis,
            FunctionInvoker functions,
            InstantSource clock,
            Ticker ticker,
            AccessLogs accessLogs) {
        this.apis = apis;
        this.ticker = ticker;
        this.integration = new Integration(functions);
        this.authorizers = new Authorizers(clock, integration);
        this.accessLogs = accessLogs;
    }

    /** What the access log reports about the integration. */
    private static final class Outcome {
        String routeKey = "-";
        long integrationMillis = -1;
        int integrationStatus = -1;
        String error;
    }

    @Override
    public HttpResponseData serve(String apiId, HttpRequestData head, RequestBody body) {
        long startNanos = ticker.nanos();
        String requestId = RequestIds.next();
        Optional<HttpApi> found = apis.apply(apiId);
        if (found.isEmpty()) {
            compiled.remove(apiId); // deleted: its compiled form goes too
            return withRequestId(GatewayResponses.notFound(), requestId);
        }
        CompiledApi api = compile(found.get());
        Outcome outcome = new Outcome();
        HttpRequestData request = null;
        HttpResponseData response;
        try {
            byte[] bytes = body.read(MAX_BODY);
            boolean tooLarge = bytes.length > MAX_BODY;
            request = head.withBody(tooLarge ? new byte[0] : bytes);
            response = tooLarge ? GatewayResponses.payloadTooLarge() : route(api, request, requestId, outcome);
        } catch (Exception e) {
            LOG.log(Level.ERROR, "gateway request " + requestId + " failed", e);
            response = GatewayResponses.internalServerError();
        }
        if (api.api().cors() != null && request != null && !Cors.isPreflight(request)) {
            response = Cors.decorate(api.api().cors(), request, response);
        }
        response = withRequestId(response, requestId);
        accessLogs.append(
                apiId,
                AccessLog.line(new AccessLog.Entry(
                        requestId,
                        head.sourceIp(),
                        head.time(),
                        head.method(),
                        outcome.routeKey,
                        head.rawPath(),
                        response.status(),
                        head.protocol(),
                        response.body().length,
                        (ticker.nanos() - startNanos) / 1_000_000,
                        outcome.integrationMillis,
                        outcome.integrationStatus,
                        outcome.error == null ? "" : outcome.error)));
        return response;
    }

    private HttpResponseData route(CompiledApi api, HttpRequestData request, String requestId, Outcome outcome)
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
            switch (authorizers.authorize(api, route, match.get(), request, requestId)) {
                case Authorization.Refused refused -> {
                    outcome.error = refused.reason();
                    return refused.response();
                }
                case Authorization.Allowed allowed -> authorizer = allowed.context();
            }
        }
        HttpApiContext context = api.context(match.get(), request, requestId, authorizer);
        boolean v1 = route.payloadFormat().equals("1.0");
        byte[] event = v1 ? PayloadV1.event(request, context) : PayloadV2.httpApiEvent(request, context);
        long integrationStart = ticker.nanos();
        try {
            FunctionInvoker.Result result = integration.invoke(
                    api.api(), route.functionName(), route.qualifier(), event, request.header("X-Amzn-Trace-Id"));
            outcome.integrationMillis = (ticker.nanos() - integrationStart) / 1_000_000;
            outcome.integrationStatus = result.status();
            if (result.functionError().isPresent()) {
                outcome.error = "The function failed";
                return GatewayResponses.internalServerError(); // an unhandled function error, as HTTP APIs answer it
            }
            return v1
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

    /** The API's compiled form; built once per API document (concurrent first requests share it). */
    private CompiledApi compile(HttpApi api) {
        CompiledApi current = compiled.get(api.apiId());
        if (current != null && current.api() == api) {
            return current;
        }
        return compiled.compute(
                api.apiId(),
                (id, existing) -> existing != null && existing.api() == api ? existing : CompiledApi.of(api, ticker));
    }

    @Override
    public void close() {
        accessLogs.close();
    }

    private static HttpResponseData throttled(TokenBucket bucket) {
        return GatewayResponses.withHeader(
                GatewayResponses.tooManyRequests(),
                "Retry-After",
                Long.toString(Math.max(1, bucket.retryAfterSeconds())));
    }

    private static HttpResponseData withRequestId(HttpResponseData response, String requestId) {
        return GatewayResponses.withHeader(response, "apigw-requestid", requestId);
    }
}
