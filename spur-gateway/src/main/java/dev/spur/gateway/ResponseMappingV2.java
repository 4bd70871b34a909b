package dev.spur.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.gateway.ResponseParts.MalformedResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Maps a function's answer to an HTTP response, as function URLs and HTTP APIs (payload format 2.0)
 * do. Rules, from "Response payload format" in <em>Invoking Lambda function URLs</em> and "Lambda
 * function response for format 2.0" in API Gateway's <em>Working with AWS Lambda proxy integrations
 * for HTTP APIs</em>:
 * <ul>
 *   <li>A JSON object with a {@code statusCode} is a structured response. {@code statusCode} must be
 *       an integer 100..599; {@code headers} an object whose values are strings, or numbers and
 *       booleans (sent as their JSON text); {@code cookies} an array of strings, one
 *       {@code Set-Cookie} each; {@code body} a string, base64-decoded when {@code isBase64Encoded}
 *       is {@code true}. Anything else of the wrong type makes the response malformed.
 *       {@code multiValueHeaders} belongs to format 1.0 and is ignored. Without a
 *       {@code content-type} header the response gets {@code application/json}.
 *   <li>Any other valid JSON (a string, a number, {@code null}, an object without {@code statusCode})
 *       is returned as 200, {@code content-type: application/json}, with the payload bytes as the body
 *       unchanged, so the string result {@code "Hello, world!"} reaches the client with its quotes, as
 *       in the guide's example.
 *   <li>An empty payload is answered 200 with an empty body. The guides don't cover it; Spur's
 *       choice, so a function that returns nothing is not an error.
 *   <li>Invalid JSON, a malformed structured response or a function error (the invoke reported
 *       {@code X-Amz-Function-Error}) is answered with 502: {@link #badGateway()} for a function URL,
 *       {@link GatewayResponses#badGateway()} (a JSON message) for an HTTP API.
 * </ul>
 */
public final class ResponseMappingV2 {
    private static final byte[] INTERNAL_SERVER_ERROR = "Internal Server Error".getBytes(StandardCharsets.US_ASCII);

    private ResponseMappingV2() {}

    /**
     * @param payload       the function's response bytes
     * @param functionError whether the invoke reported {@code X-Amz-Function-Error}; the payload is then
     *                      the error document, which is never shown to the HTTP client
     */
    public static HttpResponseData map(byte[] payload, boolean functionError) {
        return map(payload, functionError, badGateway());
    }

    /** As {@link #map}, for an HTTP API integration with payload format 2.0: failures get the HTTP API's 502. */
    public static HttpResponseData forHttpApi(byte[] payload, boolean functionError) {
        return map(payload, functionError, GatewayResponses.badGateway());
    }

    private static HttpResponseData map(byte[] payload, boolean functionError, HttpResponseData failure) {
        if (functionError) {
            return failure;
        }
        if (payload.length == 0) {
            return new HttpResponseData(200, List.of(), payload);
        }
        if (!Json.isWellFormed(payload, payload.length)) {
            return failure;
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(payload);
        } catch (IOException e) {
            return failure;
        }
        if (!root.isObject() || !root.has("statusCode")) {
            return new HttpResponseData(200, List.of(Map.entry("content-type", "application/json")), payload);
        }
        try {
            return structured(root);
        } catch (MalformedResponse e) {
            return failure;
        }
    }

    /**
     * What a function URL answers when the function failed or its response cannot be mapped: 502 with
     * the plain-text body {@code Internal Server Error}. The status and body are what function URLs
     * return; the {@code text/plain} content type is Spur's choice, since the body is not JSON.
     */
    public static HttpResponseData badGateway() {
        return new HttpResponseData(
                502, List.of(Map.entry("content-type", "text/plain; charset=utf-8")), INTERNAL_SERVER_ERROR.clone());
    }

    private static HttpResponseData structured(JsonNode root) {
        JsonNode status = root.get("statusCode");
        if (!status.isIntegralNumber()
                || !status.canConvertToInt()
                || status.intValue() < 100
                || status.intValue() > 599) {
            throw new MalformedResponse();
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        boolean hasContentType = false;
        JsonNode headerNode = root.path("headers");
        if (!ResponseParts.absent(headerNode)) {
            if (!headerNode.isObject()) {
                throw new MalformedResponse();
            }
            for (Map.Entry<String, JsonNode> h : headerNode.properties()) {
                if (h.getValue().isNull()) {
                    continue;
                }
                headers.add(Map.entry(h.getKey(), ResponseParts.headerValue(h.getValue())));
                hasContentType |= h.getKey().equalsIgnoreCase("content-type");
            }
        }
        if (!hasContentType) {
            headers.add(Map.entry("content-type", "application/json"));
        }
        JsonNode cookies = root.path("cookies");
        if (!ResponseParts.absent(cookies)) {
            if (!cookies.isArray()) {
                throw new MalformedResponse();
            }
            for (JsonNode cookie : cookies) {
                if (!cookie.isTextual()) {
                    throw new MalformedResponse();
                }
                headers.add(Map.entry("set-cookie", cookie.textValue()));
            }
        }
        return new HttpResponseData(status.intValue(), headers, ResponseParts.body(root));
    }
}
