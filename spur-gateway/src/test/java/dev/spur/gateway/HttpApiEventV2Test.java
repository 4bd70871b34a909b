package dev.spur.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API payload 2.0 event, pinned against the 2.0 example in "Payload format version"
 * (<em>Working with AWS Lambda proxy integrations for HTTP APIs</em>).
 */
class HttpApiEventV2Test {
    private static final HttpApiContext PETS = new HttpApiContext(
            RouteKey.parse("GET /pets/{id}"),
            "$default",
            "a1b2c3",
            "a1b2c3.execute-api.us-east-1.localhost:9001",
            "a1b2c3",
            "123456789012",
            "req-1",
            Map.of("id", "7"),
            Map.of(),
            ApiAuthorizer.none());

    /**
     * Where {@code http-api-event-v2.json} differs from the guide: header names are lower case (the
     * guide's {@code Header1} is how the client sent it; HTTP APIs lower-case names in 2.0, and so do
     * function URLs); the request needs a {@code content-type} to carry a text body and a
     * {@code user-agent} for {@code http.userAgent}, so both appear in {@code headers}; {@code time}
     * is the one {@code timeEpoch} denotes (the guide pairs 12 Mar with the epoch of 4 Mar); the
     * example's {@code authorizer} holds both {@code jwt} and {@code lambda} to show them, a real
     * route has one authorizer, so only {@code jwt} is here; {@code authentication} (mutual TLS) is
     * left out.
     */
    @Test
    void documentedExampleMatchesFieldByField() throws IOException {
        HttpRequestData req = Requests.request("POST", "/my/path")
                .query("parameter1=value1&parameter1=value2&parameter2=value")
                .header("Header1", "value1")
                .header("Header2", "value1")
                .header("Header2", "value2")
                .header("Cookie", "cookie1; cookie2")
                .header("content-type", "text/plain")
                .header("User-Agent", "agent")
                .body("Hello from Lambda".getBytes(StandardCharsets.UTF_8))
                .sourceIp("IP")
                .build();
        ObjectNode claims =
                Json.MAPPER.createObjectNode().put("claim1", "value1").put("claim2", "value2");
        HttpApiContext ctx = new HttpApiContext(
                RouteKey.DEFAULT,
                "$default",
                "api-id",
                "id.execute-api.us-east-1.amazonaws.com",
                "id",
                "123456789012",
                "id",
                Map.of("parameter1", "value1"),
                Map.of("stageVariable1", "value1", "stageVariable2", "value2"),
                new ApiAuthorizer.Jwt(claims, List.of("scope1", "scope2")));

        JsonNode event = Json.MAPPER.readTree(PayloadV2.httpApiEvent(req, ctx));

        Events.assertMatches(event, Events.resource("http-api-event-v2.json"));
    }

    @Test
    void routeKeyAndPathParametersComeFromTheMatchedRoute() throws IOException {
        RouteTable<String> table = RouteTable.of(List.of(Map.entry(RouteKey.parse("GET /pets/{id}"), "fn")));
        RouteTable.Match<String> match = table.match("GET", "/pets/a%20b").orElseThrow();
        HttpApiContext ctx = new HttpApiContext(
                match.routeKey(),
                "$default",
                "a1b2c3",
                "h",
                "a1b2c3",
                "1",
                "r",
                match.pathParameters(),
                Map.of(),
                ApiAuthorizer.none());

        JsonNode event = Json.MAPPER.readTree(
                PayloadV2.httpApiEvent(Requests.get("/pets/a%20b").build(), ctx));

        assertThat(event.get("routeKey").asText()).isEqualTo("GET /pets/{id}");
        assertThat(event.at("/requestContext/routeKey").asText()).isEqualTo("GET /pets/{id}");
        assertThat(event.get("rawPath").asText()).isEqualTo("/pets/a%20b");
        assertThat(event.at("/pathParameters/id").asText()).isEqualTo("a b");
        assertThat(event.has("stageVariables")).isFalse();
        assertThat(event.at("/requestContext").has("authorizer")).isFalse();
    }

    @Test
    void jwtClaimsBecomeStringsAndMissingScopesAreNull() throws IOException {
        JsonNode claims = Json.MAPPER.readTree("""
                {"sub": "u1", "exp": 1700000000, "email_verified": true, "cognito:groups": ["admin", "ops"],
                 "address": {"city": "X"}}""");
        HttpApiContext ctx = withAuthorizer(new ApiAuthorizer.Jwt(claims, List.of()));

        JsonNode jwt = Json.MAPPER
                .readTree(PayloadV2.httpApiEvent(Requests.get("/pets/7").build(), ctx))
                .at("/requestContext/authorizer/jwt");

        assertThat(jwt.at("/claims/sub").asText()).isEqualTo("u1");
        assertThat(jwt.at("/claims/exp").isTextual()).isTrue();
        assertThat(jwt.at("/claims/exp").asText()).isEqualTo("1700000000");
        assertThat(jwt.at("/claims/email_verified").asText()).isEqualTo("true");
        assertThat(jwt.at("/claims/cognito:groups").asText()).isEqualTo("[admin ops]");
        assertThat(jwt.at("/claims/address").asText()).isEqualTo("{\"city\":\"X\"}");
        assertThat(jwt.get("scopes").isNull()).isTrue();
    }

    @Test
    void lambdaAuthorizerContextIsPassedAsIs() throws IOException {
        ObjectNode context = (ObjectNode) Json.MAPPER.readTree("""
                {"stringKey": "value", "numberKey": 1, "booleanKey": true, "arrayKey": ["value1", "value2"],
                 "mapKey": {"value1": "value2"}}""");
        HttpApiContext ctx = withAuthorizer(new ApiAuthorizer.Lambda(context));

        JsonNode authorizer = Json.MAPPER
                .readTree(PayloadV2.httpApiEvent(Requests.get("/pets/7").build(), ctx))
                .at("/requestContext/authorizer");

        assertThat(Events.fieldNames(authorizer)).containsExactly("lambda");
        assertThat(authorizer.get("lambda")).isEqualTo(context);
        assertThat(authorizer.at("/lambda/numberKey").isInt()).isTrue();
    }

    @Test
    void iamCallerIsRenderedAsForFunctionUrls() throws IOException {
        IamAuthorizer iam =
                new IamAuthorizer("AKIA1", "111122223333", "AIDA1", "arn:aws:iam::111122223333:user/u", "AIDA1");
        JsonNode node = Json.MAPPER
                .readTree(PayloadV2.httpApiEvent(
                        Requests.get("/pets/7").build(), withAuthorizer(new ApiAuthorizer.Iam(iam))))
                .at("/requestContext/authorizer/iam");

        assertThat(node.get("accessKey").asText()).isEqualTo("AKIA1");
        assertThat(node.get("userArn").asText()).isEqualTo("arn:aws:iam::111122223333:user/u");
        assertThat(node.get("cognitoIdentity").isNull()).isTrue();
    }

    @Test
    void namedStageAndStageVariablesAppear() throws IOException {
        HttpApiContext ctx = new HttpApiContext(
                RouteKey.parse("ANY /{proxy+}"),
                "prod",
                "a",
                "h",
                "a",
                "1",
                "r",
                Map.of("proxy", "x/y"),
                Map.of("env", "prod"),
                ApiAuthorizer.none());

        JsonNode event =
                Json.MAPPER.readTree(PayloadV2.httpApiEvent(Requests.get("/x/y").build(), ctx));

        assertThat(event.at("/requestContext/stage").asText()).isEqualTo("prod");
        assertThat(event.at("/stageVariables/env").asText()).isEqualTo("prod");
        assertThat(event.at("/pathParameters/proxy").asText()).isEqualTo("x/y");
    }

    private static HttpApiContext withAuthorizer(ApiAuthorizer authorizer) {
        return new HttpApiContext(
                PETS.routeKey(),
                PETS.stage(),
                PETS.apiId(),
                PETS.domainName(),
                PETS.domainPrefix(),
                PETS.accountId(),
                PETS.requestId(),
                PETS.pathParameters(),
                PETS.stageVariables(),
                authorizer);
    }
}
