package dev.spur.gateway;

import dev.spur.common.HttpApi;
import dev.spur.common.Ticker;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;
import java.util.function.Function;

/**
 * HTTP APIs served as API Gateway serves them, with no HTTP server in it: request data in, response
 * data out. The edge adapts its HTTP exchanges to this; a console or an event source can call it
 * the same way.
 *
 * <p>One request, in order: find the API (404) → read at most {@link #MAX_BODY} of body (413 above)
 * → answer a CORS preflight → route, most specific match first (404) → throttle, the route's bucket
 * then the API's (429 + {@code Retry-After}) → the route's authorizer: API key, JWT (keys inline or
 * fetched from a JWKS URI and cached), or a Lambda authorizer whose decision is cached per identity
 * (401/403; a refused request never invokes the route's function) → the event in the route's payload
 * format → the function, waited for at most the API's integration timeout (504 after; the function
 * itself runs on) → the answer mapped back (function error 500, malformed answer 502) → CORS headers,
 * {@code apigw-requestid}, and one JSON line in the API's access log.
 */
public interface HttpApiService extends AutoCloseable {

    /** API Gateway's payload limit: 10 MB. */
    int MAX_BODY = 10 * 1024 * 1024;

    /**
     * Serves one request to the API {@code apiId}. Blocks while the API's functions run (at most the
     * integration timeout per function).
     *
     * @param head the request as it arrived — method, path (after any {@code /gw/<apiId>} prefix),
     *             query, headers, peer, protocol, arrival time; its own body is not used
     * @param body the request's body, read only when the API exists
     * @return the response to send as it is; failures are answered (500), never thrown
     */
    HttpResponseData serve(String apiId, HttpRequestData head, RequestBody body);

    /** Serves a request held whole in memory (its body at most {@link #MAX_BODY}, else 413). */
    default HttpResponseData serve(String apiId, HttpRequestData request) {
        return serve(apiId, request, RequestBody.of(request.body()));
    }

    /** Closes the access logs; requests served afterwards reopen them. */
    @Override
    void close();

    /**
     * @param apis         the API with an id, if there is one ({@code Gateways::find})
     * @param functions    runs the routes' and Lambda authorizers' functions
     * @param clock        wall time: request times, JWT expiry, JWKS and decision cache ages
     * @param ticker       elapsed time: throttles, latencies in the access log
     * @param accessLogDir where each API's access log is written, {@code <apiId>.log}, rolled at 8 MB
     */
    static HttpApiService create(
            Function<String, Optional<HttpApi>> apis,
            FunctionInvoker functions,
            InstantSource clock,
            Ticker ticker,
            Path accessLogDir) {
        return new ApiGateway(apis, functions, clock, ticker, new AccessLogs(accessLogDir));
    }
}
