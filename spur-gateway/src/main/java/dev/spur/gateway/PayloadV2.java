package dev.spur.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

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
 *   <li>{@code requestContext.authorizer} holds {@code iam} for {@code AWS_IAM}, {@code jwt} with
 *       {@code claims} and {@code scopes} for a JWT authorizer, {@code lambda} with the authorizer's
 *       {@code context} for a Lambda authorizer; it is left out without an authorizer.
 *   <li>JWT claims are rendered as strings, as HTTP APIs do and as the guide's example shows
 *       ({@code "claim1": "value1"}): numbers and booleans as their JSON text, arrays as
 *       {@code [a b]} (elements space-separated in brackets), objects as their JSON text.
 *       {@code scopes} is {@code null} when the token has none.
 *   <li>{@code pathParameters} and {@code stageVariables} are left out when empty, as function URLs
 *       (which have neither) always do; the guide lets Lambda leave them out. {@code authentication}
 *       (mutual TLS) is never sent: Spur has no client certificates.
 *   <li>{@code body}: omitted when empty. Sent as text only when the media type is {@code text/*},
 *       {@code application/json}, {@code application/xml} or {@code application/javascript} and the
 *       bytes are valid UTF-8; anything else (no {@code Content-Type}, form posts, images, {@code +json}
 *       types) is base64 with {@code isBase64Encoded: true}. The guide only says "if the content type
 *       of the request is binary, the body is base64-encoded"; the list is the split observed on real
 *       HTTP APIs, and the UTF-8 check keeps every body lossless.
 * </ul>
 */
public final class PayloadV2 {
    private static final String DEFAULT = "$default";

    private PayloadV2() {}

    /** The event a function behind a function URL receives for {@code req}, as UTF-8 JSON. */
    public static byte[] functionUrlEvent(HttpRequestData req, FunctionUrlContext ctx) {
        ApiAuthorizer authorizer =
                ctx.iam().<ApiAuthorizer>map(ApiAuthorizer.Iam::new).orElse(ApiAuthorizer.none());
        return RequestParts.bytes(event(
                req,
                new HttpApiContext(
                        RouteKey.DEFAULT,
                        DEFAULT,
                        ctx.urlId(),
                        ctx.domainName(),
                        ctx.urlId(),
                        ctx.accountId(),
                        ctx.requestId(),
                        Map.of(),
                        Map.of(),
                        authorizer)));
    }

    /** The event an HTTP API integration with payload format 2.0 receives for {@code req}, as UTF-8 JSON. */
    public static byte[] httpApiEvent(HttpRequestData req, HttpApiContext ctx) {
        return RequestParts.bytes(event(req, ctx));
    }

    /** Whether a body of this {@code Content-Type} travels as text rather than base64. */
    static boolean isTextual(String contentType) {
        return RequestParts.isTextual(contentType);
    }

    private static ObjectNode event(HttpRequestData req, HttpApiContext ctx) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.put("version", "2.0");
        event.put("routeKey", ctx.routeKey().toString());
        event.put("rawPath", req.rawPath());
        event.put("rawQueryString", req.rawQuery() == null ? "" : req.rawQuery());

        List<String> cookies = RequestParts.cookies(req);
        if (!cookies.isEmpty()) {
            ArrayNode array = event.putArray("cookies");
            cookies.forEach(array::add);
        }
        ObjectNode headers = event.putObject("headers");
        RequestParts.joinedHeaders(req).forEach(headers::put);
        Map<String, List<String>> query = RequestParts.queryValues(req.rawQuery());
        if (!query.isEmpty()) {
            ObjectNode params = event.putObject("queryStringParameters");
            query.forEach((name, values) -> params.put(name, String.join(",", values)));
        }

        ObjectNode context = event.putObject("requestContext");
        context.put("accountId", ctx.accountId());
        context.put("apiId", ctx.apiId());
        authorizer(context, ctx.authorizer());
        context.put("domainName", ctx.domainName());
        context.put("domainPrefix", ctx.domainPrefix());
        ObjectNode http = context.putObject("http");
        http.put("method", req.method());
        http.put("path", req.rawPath());
        http.put("protocol", req.protocol());
        http.put("sourceIp", req.sourceIp());
        http.put("userAgent", req.header("User-Agent").orElse(""));
        context.put("requestId", ctx.requestId());
        context.put("routeKey", ctx.routeKey().toString());
        context.put("stage", ctx.stage());
        context.put("time", RequestParts.time(req.time()));
        context.put("timeEpoch", req.time().toEpochMilli());

        Optional<RequestParts.Body> body = RequestParts.body(req);
        body.ifPresent(b -> event.put("body", b.value()));
        putIfNotEmpty(event, "pathParameters", ctx.pathParameters());
        event.put("isBase64Encoded", body.map(RequestParts.Body::base64).orElse(false));
        putIfNotEmpty(event, "stageVariables", ctx.stageVariables());
        return event;
    }

    private static void authorizer(ObjectNode context, ApiAuthorizer authorizer) {
        switch (authorizer) {
            case ApiAuthorizer.None _ -> {}
            case ApiAuthorizer.Iam(IamAuthorizer iam) -> {
                ObjectNode node = context.putObject("authorizer").putObject("iam");
                node.put("accessKey", iam.accessKey());
                node.put("accountId", iam.accountId());
                node.put("callerId", iam.callerId());
                node.putNull("cognitoIdentity");
                node.putNull("principalOrgId");
                node.put("userArn", iam.userArn());
                node.put("userId", iam.userId());
            }
            case ApiAuthorizer.Jwt jwt -> {
                ObjectNode node = context.putObject("authorizer").putObject("jwt");
                node.set("claims", stringClaims(jwt.claims()));
                if (jwt.scopes().isEmpty()) {
                    node.putNull("scopes");
                } else {
                    ArrayNode scopes = node.putArray("scopes");
                    jwt.scopes().forEach(scopes::add);
                }
            }
            case ApiAuthorizer.Lambda lambda ->
                context.putObject("authorizer").set("lambda", lambda.context().deepCopy());
        }
    }

    /** Every claim as a string: text as is, arrays as {@code [a b]}, anything else as its JSON text. */
    static ObjectNode stringClaims(JsonNode claims) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        claims.properties().forEach(claim -> out.put(claim.getKey(), claimText(claim.getValue())));
        return out;
    }

    private static String claimText(JsonNode value) {
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isArray()) {
            return StreamSupport.stream(value.spliterator(), false)
                    .map(PayloadV2::claimText)
                    .collect(Collectors.joining(" ", "[", "]"));
        }
        return value.toString();
    }

    private static void putIfNotEmpty(ObjectNode event, String field, Map<String, String> values) {
        if (!values.isEmpty()) {
            ObjectNode node = event.putObject(field);
            values.forEach(node::put);
        }
    }
}
