package dev.spur.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lambda function URL / API Gateway HTTP API payload format 2.0 request events.
 *
 * <p>The event follows "Request payload format" in the Lambda developer guide's <em>Invoking Lambda
 * function URLs</em> and "Payload format version" in API Gateway's <em>Working with AWS Lambda proxy
 * integrations for HTTP APIs</em>:
 * <ul>
 *   <li>{@code headers}: names lower-cased, repeated headers joined with {@code ","}; the
 *       {@code cookie} header is left out because its content is in {@code cookies}.
 *   <li>{@code cookies}: every {@code Cookie} header split on {@code ";"}, trimmed; omitted when none.
 *   <li>{@code rawQueryString}: as received, {@code ""} when the URL had no query.
 *   <li>{@code queryStringParameters}: names and values form-decoded ({@code +} is a space), repeated
 *       names joined with {@code ","} in arrival order; omitted when none. A malformed escape is passed
 *       through undecoded rather than failing the request.
 *   <li>{@code requestContext.http.path} is the raw path, like {@code rawPath}.
 *   <li>{@code requestContext.authorizer.iam} only for {@code AWS_IAM}; function URLs don't use
 *       {@code authentication}, {@code pathParameters} or {@code stageVariables} and the guide lets
 *       Lambda leave them out, so they are left out.
 *   <li>{@code body}: omitted when empty. Sent as text only when the media type is {@code text/*},
 *       {@code application/json}, {@code application/xml} or {@code application/javascript} and the
 *       bytes are valid UTF-8; anything else (no {@code Content-Type}, form posts, images, {@code +json}
 *       types) is base64 with {@code isBase64Encoded: true}. The guide only says "if the content type
 *       of the request is binary, the body is base64-encoded"; the list is the split observed on real
 *       HTTP APIs, and the UTF-8 check keeps every body lossless.
 * </ul>
 */
public final class PayloadV2 {
    /** {@code 12/Mar/2020:19:03:58 +0000}: English month, always UTC. */
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final String DEFAULT = "$default";

    private PayloadV2() {
    }

    /** The event a function behind a function URL receives for {@code req}, as UTF-8 JSON. */
    public static byte[] functionUrlEvent(HttpRequestData req, FunctionUrlContext ctx) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.put("version", "2.0");
        event.put("routeKey", DEFAULT);
        event.put("rawPath", req.rawPath());
        event.put("rawQueryString", req.rawQuery() == null ? "" : req.rawQuery());

        List<String> cookies = cookies(req);
        if (!cookies.isEmpty()) {
            ArrayNode array = event.putArray("cookies");
            cookies.forEach(array::add);
        }
        ObjectNode headers = event.putObject("headers");
        joinedHeaders(req).forEach(headers::put);
        Map<String, String> query = queryParameters(req.rawQuery());
        if (!query.isEmpty()) {
            ObjectNode params = event.putObject("queryStringParameters");
            query.forEach(params::put);
        }

        ObjectNode context = event.putObject("requestContext");
        context.put("accountId", ctx.accountId());
        context.put("apiId", ctx.urlId());
        ctx.iam().ifPresent(iam -> {
            ObjectNode node = context.putObject("authorizer").putObject("iam");
            node.put("accessKey", iam.accessKey());
            node.put("accountId", iam.accountId());
            node.put("callerId", iam.callerId());
            node.putNull("cognitoIdentity");
            node.putNull("principalOrgId");
            node.put("userArn", iam.userArn());
            node.put("userId", iam.userId());
        });
        context.put("domainName", ctx.domainName());
        context.put("domainPrefix", ctx.urlId());
        ObjectNode http = context.putObject("http");
        http.put("method", req.method());
        http.put("path", req.rawPath());
        http.put("protocol", req.protocol());
        http.put("sourceIp", req.sourceIp());
        http.put("userAgent", req.header("User-Agent").orElse(""));
        context.put("requestId", ctx.requestId());
        context.put("routeKey", DEFAULT);
        context.put("stage", DEFAULT);
        context.put("time", TIME.format(req.time()));
        context.put("timeEpoch", req.time().toEpochMilli());

        boolean base64 = false;
        if (req.body().length > 0) {
            String text = isTextual(req.header("Content-Type").orElse("")) ? utf8(req.body()) : null;
            base64 = text == null;
            event.put("body", base64 ? Base64.getEncoder().encodeToString(req.body()) : text);
        }
        event.put("isBase64Encoded", base64);
        try {
            return Json.MAPPER.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a tree of strings", e);
        }
    }

    /** Whether a body of this {@code Content-Type} travels as text rather than base64. */
    static boolean isTextual(String contentType) {
        int semicolon = contentType.indexOf(';');
        String media = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip()
                .toLowerCase(Locale.ROOT);
        return media.startsWith("text/")
                || media.equals("application/json")
                || media.equals("application/xml")
                || media.equals("application/javascript");
    }

    /** The bytes as a string if they are valid UTF-8, else {@code null}. */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static List<String> cookies(HttpRequestData req) {
        List<String> cookies = new ArrayList<>();
        for (String header : req.headerValues("Cookie")) {
            for (String cookie : header.split(";")) {
                String trimmed = cookie.strip();
                if (!trimmed.isEmpty()) {
                    cookies.add(trimmed);
                }
            }
        }
        return cookies;
    }

    /** Lower-cased names in first-arrival order, repeated values joined with {@code ","}; no {@code cookie}. */
    private static Map<String, String> joinedHeaders(HttpRequestData req) {
        Map<String, String> joined = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : req.headers()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!name.equals("cookie")) {
                joined.merge(name, h.getValue(), (a, b) -> a + "," + b);
            }
        }
        return joined;
    }

    static Map<String, String> queryParameters(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            params.merge(name, value, (a, b) -> a + "," + b);
        }
        return params;
    }

    private static String decode(String s) {
        try {
            return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s;
        }
    }
}
