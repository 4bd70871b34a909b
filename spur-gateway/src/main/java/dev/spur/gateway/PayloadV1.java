package dev.spur.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * API Gateway payload format 1.0 request events, the REST API proxy shape HTTP APIs also offer.
 *
 * <p>The event follows the 1.0 example in "Payload format version" of <em>Working with AWS Lambda
 * proxy integrations for HTTP APIs</em>, and "Input format of a Lambda function for proxy
 * integration" in <em>Set up Lambda proxy integrations in API Gateway</em> for what that example
 * leaves open. Cookies, query decoding and the text-or-base64 body follow the same rules as
 * {@link PayloadV2}. Where 1.0 differs:
 * <ul>
 *   <li>{@code multiValueHeaders}: every header, {@code Cookie} included, with all its values in
 *       arrival order, under the name as the client first spelt it (names compared ignoring case).
 *       {@code headers} has the same names with the <em>last</em> value, as the guide's example shows
 *       ({@code Header2: value2} for {@code [value1, value2]}).
 *   <li>{@code multiValueQueryStringParameters}: every value of each name; {@code queryStringParameters}
 *       the last one, as the REST guide's example shows ({@code multivalueName: me} for
 *       {@code [you, me]}). Both are {@code null} when the URL has no query. The HTTP API guide's
 *       example shows the <em>first</em> value ({@code parameter1: value1} for {@code [value1, value2]})
 *       while showing the last for headers; Spur follows the REST guide, which describes the rule,
 *       so headers and query agree.
 *   <li>{@code resource} and {@code requestContext.resourcePath} are the route's path template
 *       ({@code /pets/{id}}); for {@code $default}, which has none, the request path, as in the
 *       guide's example ({@code resource}, {@code path} and {@code resourcePath} all {@code /my/path}).
 *       {@code path} and {@code requestContext.path} are the raw request path.
 *   <li>{@code pathParameters} and {@code stageVariables} are {@code null} when empty, {@code body}
 *       is {@code null} when the request has none, as in the example.
 *   <li>{@code requestContext.identity} carries {@code sourceIp} and {@code userAgent}, and for
 *       {@code AWS_IAM} the caller ({@code accessKey}, {@code accountId}, {@code caller},
 *       {@code user}, {@code userArn}, as in the REST guide's IAM example); the Cognito fields are
 *       always {@code null}. {@code clientCert} is left out: Spur has no mutual TLS.
 *   <li>{@code requestContext.authorizer}: {@code claims} (strings, as in 2.0) and {@code scopes} for
 *       a JWT authorizer, both {@code null} otherwise, as in the example; a Lambda authorizer's
 *       {@code context} properties directly in it ({@code $context.authorizer.property}).
 *   <li>{@code extendedRequestId} is the request id; {@code resourceId} is {@code null}, as in the
 *       example (HTTP APIs have no resources).
 * </ul>
 */
public final class PayloadV1 {

    private PayloadV1() {}

    /** The event an HTTP API integration with payload format 1.0 receives for {@code req}, as UTF-8 JSON. */
    public static byte[] event(HttpRequestData req, HttpApiContext ctx) {
        String resource =
                ctx.routeKey().isDefault() ? req.rawPath() : ctx.routeKey().path();
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.put("version", "1.0");
        event.put("resource", resource);
        event.put("path", req.rawPath());
        event.put("httpMethod", req.method());

        Map<String, List<String>> headers = RequestParts.multiValueHeaders(req);
        ObjectNode single = event.putObject("headers");
        headers.forEach((name, values) -> single.put(name, values.getLast()));
        putMultiValue(event, "multiValueHeaders", headers);
        Map<String, List<String>> query = RequestParts.queryValues(req.rawQuery());
        if (query.isEmpty()) {
            event.putNull("queryStringParameters");
            event.putNull("multiValueQueryStringParameters");
        } else {
            ObjectNode params = event.putObject("queryStringParameters");
            query.forEach((name, values) -> params.put(name, values.getLast()));
            putMultiValue(event, "multiValueQueryStringParameters", query);
        }

        ObjectNode context = event.putObject("requestContext");
        context.put("accountId", ctx.accountId());
        context.put("apiId", ctx.apiId());
        authorizer(context.putObject("authorizer"), ctx.authorizer());
        context.put("domainName", ctx.domainName());
        context.put("domainPrefix", ctx.domainPrefix());
        context.put("extendedRequestId", ctx.requestId());
        context.put("httpMethod", req.method());
        identity(context.putObject("identity"), req, ctx.authorizer());
        context.put("path", req.rawPath());
        context.put("protocol", req.protocol());
        context.put("requestId", ctx.requestId());
        context.put("requestTime", RequestParts.time(req.time()));
        context.put("requestTimeEpoch", req.time().toEpochMilli());
        context.putNull("resourceId");
        context.put("resourcePath", resource);
        context.put("stage", ctx.stage());

        putOrNull(event, "pathParameters", ctx.pathParameters());
        putOrNull(event, "stageVariables", ctx.stageVariables());
        Optional<RequestParts.Body> body = RequestParts.body(req);
        if (body.isPresent()) {
            event.put("body", body.get().value());
        } else {
            event.putNull("body");
        }
        event.put("isBase64Encoded", body.map(RequestParts.Body::base64).orElse(false));
        return RequestParts.bytes(event);
    }

    private static void authorizer(ObjectNode node, ApiAuthorizer authorizer) {
        switch (authorizer) {
            case ApiAuthorizer.Jwt jwt -> {
                node.set("claims", PayloadV2.stringClaims(jwt.claims()));
                if (jwt.scopes().isEmpty()) {
                    node.putNull("scopes");
                } else {
                    ArrayNode scopes = node.putArray("scopes");
                    jwt.scopes().forEach(scopes::add);
                }
            }
            case ApiAuthorizer.Lambda lambda -> node.setAll(lambda.context().deepCopy());
            case ApiAuthorizer.None _ -> {
                node.putNull("claims");
                node.putNull("scopes");
            }
            case ApiAuthorizer.Iam _ -> {
                node.putNull("claims");
                node.putNull("scopes");
            }
        }
    }

    private static void identity(ObjectNode identity, HttpRequestData req, ApiAuthorizer authorizer) {
        IamAuthorizer iam = authorizer instanceof ApiAuthorizer.Iam(IamAuthorizer caller) ? caller : null;
        putOrNull(identity, "accessKey", iam == null ? null : iam.accessKey());
        putOrNull(identity, "accountId", iam == null ? null : iam.accountId());
        putOrNull(identity, "caller", iam == null ? null : iam.callerId());
        identity.putNull("cognitoAuthenticationProvider");
        identity.putNull("cognitoAuthenticationType");
        identity.putNull("cognitoIdentityId");
        identity.putNull("cognitoIdentityPoolId");
        identity.putNull("principalOrgId");
        identity.put("sourceIp", req.sourceIp());
        putOrNull(identity, "user", iam == null ? null : iam.userId());
        identity.put("userAgent", req.header("User-Agent").orElse(""));
        putOrNull(identity, "userArn", iam == null ? null : iam.userArn());
    }

    private static void putMultiValue(ObjectNode event, String field, Map<String, List<String>> values) {
        ObjectNode node = event.putObject(field);
        values.forEach((name, list) -> {
            ArrayNode array = node.putArray(name);
            list.forEach(array::add);
        });
    }

    private static void putOrNull(ObjectNode event, String field, Map<String, String> values) {
        if (values.isEmpty()) {
            event.putNull(field);
        } else {
            ObjectNode node = event.putObject(field);
            values.forEach(node::put);
        }
    }

    private static void putOrNull(ObjectNode node, String field, String value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }
}
