package dev.spur.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.gateway.ResponseParts.MalformedResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps a function's answer to an HTTP response for an HTTP API integration with payload format 1.0.
 * Rules, from "Lambda function response for format 1.0" (<em>Working with AWS Lambda proxy
 * integrations for HTTP APIs</em>) and "Output format of a Lambda function for proxy integration"
 * (<em>Set up Lambda proxy integrations in API Gateway</em>):
 * <ul>
 *   <li>The answer must be the structured shape {@code {statusCode, headers, multiValueHeaders, body,
 *       isBase64Encoded}}; unlike 2.0 nothing is inferred, and "if the function output is of a
 *       different format, API Gateway returns a 502 Bad Gateway". So a string, {@code null}, an empty
 *       payload, invalid JSON or an object without {@code statusCode} is answered with
 *       {@link GatewayResponses#badGateway()}, as is a function error.
 *   <li>{@code statusCode} is an integer 100..599, or a string holding one (AWS's own Python
 *       blueprints return {@code '200'}).
 *   <li>{@code headers} values are strings (numbers and booleans sent as their JSON text);
 *       {@code multiValueHeaders} values are arrays of such. Both are merged; "if the same key-value
 *       pair is specified in both, only the values from {@code multiValueHeaders} will appear", which
 *       Spur applies per header name (ignoring case): a name in {@code multiValueHeaders} drops the
 *       same name from {@code headers}.
 *   <li>{@code body} and {@code isBase64Encoded} as in 2.0. Without a {@code content-type} header the
 *       response gets {@code application/json}, as 2.0 does; the 1.0 guides don't say.
 * </ul>
 */
public final class ResponseMappingV1 {

    private ResponseMappingV1() {}

    /**
     * @param payload       the function's response bytes
     * @param functionError whether the invoke reported {@code X-Amz-Function-Error}
     */
    public static HttpResponseData map(byte[] payload, boolean functionError) {
        if (functionError || payload.length == 0 || !Json.isWellFormed(payload, payload.length)) {
            return GatewayResponses.badGateway();
        }
        try {
            JsonNode root = Json.MAPPER.readTree(payload);
            if (!root.isObject() || ResponseParts.absent(root.path("statusCode"))) {
                return GatewayResponses.badGateway();
            }
            return structured(root);
        } catch (IOException | MalformedResponse e) {
            return GatewayResponses.badGateway();
        }
    }

    private static HttpResponseData structured(JsonNode root) {
        int status = status(root.get("statusCode"));
        JsonNode single = object(root.path("headers"));
        JsonNode multi = object(root.path("multiValueHeaders"));
        Set<String> multiNames = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        multi.fieldNames().forEachRemaining(multiNames::add);

        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (Map.Entry<String, JsonNode> h : single.properties()) {
            if (!h.getValue().isNull() && !multiNames.contains(h.getKey())) {
                headers.add(Map.entry(h.getKey(), ResponseParts.headerValue(h.getValue())));
            }
        }
        for (Map.Entry<String, JsonNode> h : multi.properties()) {
            if (h.getValue().isNull()) {
                continue;
            }
            if (!h.getValue().isArray()) {
                throw new MalformedResponse();
            }
            for (JsonNode value : h.getValue()) {
                headers.add(Map.entry(h.getKey(), ResponseParts.headerValue(value)));
            }
        }
        if (headers.stream().noneMatch(h -> h.getKey().equalsIgnoreCase("content-type"))) {
            headers.add(Map.entry("content-type", "application/json"));
        }
        return new HttpResponseData(status, headers, ResponseParts.body(root));
    }

    private static int status(JsonNode node) {
        int status;
        if (node.isIntegralNumber() && node.canConvertToInt()) {
            status = node.intValue();
        } else if (node.isTextual() && node.textValue().matches("[0-9]{3}")) {
            status = Integer.parseInt(node.textValue());
        } else {
            throw new MalformedResponse();
        }
        if (status < 100 || status > 599) {
            throw new MalformedResponse();
        }
        return status;
    }

    /** An optional object field: {@code {}} when absent or null, malformed when not an object. */
    private static JsonNode object(JsonNode node) {
        if (ResponseParts.absent(node)) {
            return Json.MAPPER.createObjectNode();
        }
        if (!node.isObject()) {
            throw new MalformedResponse();
        }
        return node;
    }
}
