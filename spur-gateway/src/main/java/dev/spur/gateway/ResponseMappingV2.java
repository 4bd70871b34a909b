package dev.spur.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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
 *       {@code X-Amz-Function-Error}) is answered with {@link #badGateway()}.
 * </ul>
 */
public final class ResponseMappingV2 {
    /** Line breaks that wrapping encoders (the {@code base64} tool) put into a body. */
    private static final Pattern WHITESPACE = Pattern.compile("[ \\t\\r\\n]");
    private static final byte[] INTERNAL_SERVER_ERROR = "Internal Server Error".getBytes(StandardCharsets.US_ASCII);

    private ResponseMappingV2() {
    }

    /**
     * @param payload       the function's response bytes
     * @param functionError whether the invoke reported {@code X-Amz-Function-Error}; the payload is then
     *                      the error document, which is never shown to the HTTP client
     */
    public static HttpResponseData map(byte[] payload, boolean functionError) {
        if (functionError) {
            return badGateway();
        }
        if (payload.length == 0) {
            return new HttpResponseData(200, List.of(), payload);
        }
        if (!Json.isWellFormed(payload, payload.length)) {
            return badGateway();
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(payload);
        } catch (IOException e) {
            return badGateway();
        }
        if (!root.isObject() || !root.has("statusCode")) {
            return new HttpResponseData(200, List.of(Map.entry("content-type", "application/json")), payload);
        }
        try {
            return structured(root);
        } catch (MalformedResponse e) {
            return badGateway();
        }
    }

    /**
     * What a function URL answers when the function failed or its response cannot be mapped: 502 with
     * the plain-text body {@code Internal Server Error}. The status and body are what function URLs
     * return; the {@code text/plain} content type is Spur's choice, since the body is not JSON.
     */
    public static HttpResponseData badGateway() {
        return new HttpResponseData(502, List.of(Map.entry("content-type", "text/plain; charset=utf-8")),
                INTERNAL_SERVER_ERROR.clone());
    }

    private static HttpResponseData structured(JsonNode root) {
        JsonNode status = root.get("statusCode");
        if (!status.isIntegralNumber() || !status.canConvertToInt()
                || status.intValue() < 100 || status.intValue() > 599) {
            throw new MalformedResponse();
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        boolean hasContentType = false;
        JsonNode headerNode = root.path("headers");
        if (!headerNode.isMissingNode() && !headerNode.isNull()) {
            if (!headerNode.isObject()) {
                throw new MalformedResponse();
            }
            for (Map.Entry<String, JsonNode> h : headerNode.properties()) {
                JsonNode value = h.getValue();
                if (value.isNull()) {
                    continue;
                }
                if (!value.isValueNode()) {
                    throw new MalformedResponse();
                }
                headers.add(Map.entry(h.getKey(), value.isTextual() ? value.textValue() : value.toString()));
                hasContentType |= h.getKey().equalsIgnoreCase("content-type");
            }
        }
        if (!hasContentType) {
            headers.add(Map.entry("content-type", "application/json"));
        }
        JsonNode cookies = root.path("cookies");
        if (!cookies.isMissingNode() && !cookies.isNull()) {
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
        return new HttpResponseData(status.intValue(), headers, body(root));
    }

    private static byte[] body(JsonNode root) {
        JsonNode body = root.path("body");
        if (body.isMissingNode() || body.isNull()) {
            return new byte[0];
        }
        if (!body.isTextual()) {
            throw new MalformedResponse();
        }
        JsonNode base64 = root.path("isBase64Encoded");
        boolean encoded = false;
        if (!base64.isMissingNode() && !base64.isNull()) {
            if (!base64.isBoolean()) {
                throw new MalformedResponse();
            }
            encoded = base64.booleanValue();
        }
        if (!encoded) {
            return body.textValue().getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(WHITESPACE.matcher(body.textValue()).replaceAll(""));
        } catch (IllegalArgumentException e) {
            throw new MalformedResponse();
        }
    }

    /** Control flow inside {@link #structured}: the response cannot be mapped, answer 502. */
    private static final class MalformedResponse extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedResponse() {
            super(null, null, false, false);
        }
    }
}
