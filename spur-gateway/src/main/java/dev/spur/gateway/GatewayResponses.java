package dev.spur.gateway;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The answers an HTTP API gives itself, without the integration: JSON {@code {"message": "..."}}
 * bodies with {@code content-type: application/json}, as API Gateway's HTTP APIs send them.
 *
 * <p>Which one when, from the guides: no route matched → {@link #notFound()} ("Working with routes
 * for HTTP APIs"); a JWT or Lambda authorizer refused, or an identity source is missing →
 * {@link #unauthorized()} or {@link #forbidden()} (JWT authorizer troubleshooting; Lambda
 * authorizers); throttled → {@link #tooManyRequests()}; the function failed or its answer could
 * not be mapped → {@link #badGateway()}, the integration could not be invoked at all, or a Lambda
 * authorizer failed → {@link #internalServerError()} (Lambda guide, <em>Handling Lambda errors with an
 * API Gateway API</em>: "If the Lambda API rejects the invocation request, API Gateway returns a 500
 * error code. If the function runs but returns an error, or returns a response in the wrong format,
 * API Gateway returns a 502"); the integration timed out → {@link #serviceUnavailable()}.
 */
public final class GatewayResponses {

    private GatewayResponses() {}

    public static HttpResponseData notFound() {
        return message(404, "Not Found");
    }

    public static HttpResponseData unauthorized() {
        return message(401, "Unauthorized");
    }

    /**
     * 401 with the {@code www-authenticate} header a JWT authorizer sends, e.g. {@code Bearer scope=""
     * error="invalid_token" error_description="the token does not have a valid audience"}.
     */
    public static HttpResponseData unauthorized(JwtException e) {
        HttpResponseData plain = unauthorized();
        String challenge = "Bearer scope=\"\" error=\"invalid_token\" error_description=\"" + e.description() + "\"";
        return new HttpResponseData(
                401, List.of(plain.headers().getFirst(), Map.entry("www-authenticate", challenge)), plain.body());
    }

    public static HttpResponseData forbidden() {
        return message(403, "Forbidden");
    }

    public static HttpResponseData tooManyRequests() {
        return message(429, "Too Many Requests");
    }

    public static HttpResponseData internalServerError() {
        return message(500, "Internal Server Error");
    }

    /** 502 with the HTTP API's body, for a function error or a response that cannot be mapped. */
    public static HttpResponseData badGateway() {
        return message(502, "Internal Server Error");
    }

    public static HttpResponseData serviceUnavailable() {
        return message(503, "Service Unavailable");
    }

    /** The request body is over the API's limit (10 MB). */
    public static HttpResponseData payloadTooLarge() {
        return message(413, "Request Entity Too Large");
    }

    /** The integration did not answer within the API's integration timeout. */
    public static HttpResponseData gatewayTimeout() {
        return message(504, "Endpoint request timed out");
    }

    /** {@code response} with one more header. */
    public static HttpResponseData withHeader(HttpResponseData response, String name, String value) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(response.headers());
        headers.add(Map.entry(name, value));
        return new HttpResponseData(response.status(), headers, response.body());
    }

    private static HttpResponseData message(int status, String message) {
        return new HttpResponseData(
                status,
                List.of(Map.entry("content-type", "application/json")),
                ("{\"message\":\"" + message + "\"}").getBytes(StandardCharsets.US_ASCII));
    }
}
