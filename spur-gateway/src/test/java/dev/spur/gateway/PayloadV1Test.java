package dev.spur.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The payload 1.0 event, pinned against the 1.0 example in "Payload format version"
 * (<em>Working with AWS Lambda proxy integrations for HTTP APIs</em>).
 */
class PayloadV1Test {
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
     * Where {@code http-api-event-v1.json} differs from the guide: the request needs a
     * {@code Content-Type} to carry a text body and a {@code User-Agent} for {@code identity.userAgent},
     * so both appear in the headers; {@code queryStringParameters.parameter1} is the last value
     * ({@code value2}) where the guide shows the first, see {@link PayloadV1}; {@code extendedRequestId}
     * is the request id ({@code id=}) where the guide shows a different placeholder
     * ({@code request-id}); {@code identity.clientCert} (mutual TLS) is left out.
     */
    @Test
    void documentedExampleMatchesFieldByField() throws IOException {
        HttpRequestData req = Requests.request("GET", "/my/path")
                .query("parameter1=value1&parameter1=value2&parameter2=value")
                .header("Header1", "value1")
                .header("Header2", "value1")
                .header("Header2", "value2")
                .header("Content-Type", "text/plain")
                .header("User-Agent", "user-agent")
                .body("Hello from Lambda!".getBytes(StandardCharsets.UTF_8))
                .sourceIp("IP")
                .time(Instant.ofEpochMilli(1583349317135L))
                .build();
        HttpApiContext ctx = new HttpApiContext(
                RouteKey.DEFAULT,
                "$default",
                "id",
                "id.execute-api.us-east-1.amazonaws.com",
                "id",
                "123456789012",
                "id=",
                Map.of(),
                Map.of(),
                ApiAuthorizer.none());

        JsonNode event = Json.MAPPER.readTree(PayloadV1.event(req, ctx));

        Events.assertMatches(event, Events.resource("http-api-event-v1.json"));
    }

    @Test
    void routeTemplateIsTheResourceAndPathParametersAppear() throws IOException {
        JsonNode event =
                Json.MAPPER.readTree(PayloadV1.event(Requests.get("/pets/7").build(), PETS));

        assertThat(event.get("resource").asText()).isEqualTo("/pets/{id}");
        assertThat(event.at("/requestContext/resourcePath").asText()).isEqualTo("/pets/{id}");
        assertThat(event.get("path").asText()).isEqualTo("/pets/7");
        assertThat(event.at("/pathParameters/id").asText()).isEqualTo("7");
        assertThat(event.get("queryStringParameters").isNull()).isTrue();
        assertThat(event.get("multiValueQueryStringParameters").isNull()).isTrue();
        assertThat(event.get("body").isNull()).isTrue();
        assertThat(event.get("isBase64Encoded").asBoolean()).isFalse();
    }

    @Test
    void headerNamesKeepTheirFirstSpellingAndCookiesStayAHeader() throws IOException {
        HttpRequestData req = Requests.get("/pets/7")
                .header("X-Trace", "a")
                .header("x-trace", "b")
                .header("Cookie", "s=1; theme=dark")
                .build();

        JsonNode event = Json.MAPPER.readTree(PayloadV1.event(req, PETS));

        assertThat(Events.fieldNames(event.get("headers"))).containsExactly("X-Trace", "Cookie");
        assertThat(event.at("/headers/X-Trace").asText()).isEqualTo("b");
        assertThat(event.at("/multiValueHeaders/X-Trace"))
                .extracting(JsonNode::asText)
                .containsExactly("a", "b");
        assertThat(event.at("/headers/Cookie").asText()).isEqualTo("s=1; theme=dark");
        assertThat(event.has("cookies")).isFalse();
    }

    @Test
    void queryValuesAreDecodedAndTheLastWins() throws IOException {
        JsonNode event = Json.MAPPER.readTree(PayloadV1.event(
                Requests.get("/pets/7")
                        .query("multivalueName=you&multivalueName=me&q=a+b%21")
                        .build(),
                PETS));

        assertThat(event.at("/queryStringParameters/multivalueName").asText()).isEqualTo("me");
        assertThat(event.at("/multiValueQueryStringParameters/multivalueName"))
                .extracting(JsonNode::asText)
                .containsExactly("you", "me");
        assertThat(event.at("/queryStringParameters/q").asText()).isEqualTo("a b!");
    }

    @Test
    void binaryBodyIsBase64() throws IOException {
        byte[] png = PayloadV2Test.png();
        JsonNode event = Json.MAPPER.readTree(PayloadV1.event(
                Requests.request("POST", "/pets/7")
                        .header("Content-Type", "image/png")
                        .body(png)
                        .build(),
                PETS));

        assertThat(event.get("isBase64Encoded").asBoolean()).isTrue();
        assertThat(Base64.getDecoder().decode(event.get("body").asText())).isEqualTo(png);
    }

    @Test
    void jwtClaimsAndScopesGoStraightIntoAuthorizer() throws IOException {
        ObjectNode claims = Json.MAPPER.createObjectNode().put("sub", "u1").put("exp", 1700000000);
        JsonNode authorizer = Json.MAPPER
                .readTree(PayloadV1.event(
                        Requests.get("/pets/7").build(), with(new ApiAuthorizer.Jwt(claims, List.of("read")))))
                .at("/requestContext/authorizer");

        assertThat(authorizer.at("/claims/sub").asText()).isEqualTo("u1");
        assertThat(authorizer.at("/claims/exp").asText()).isEqualTo("1700000000");
        assertThat(authorizer.get("scopes")).extracting(JsonNode::asText).containsExactly("read");
    }

    @Test
    void lambdaContextPropertiesSitDirectlyInAuthorizer() throws IOException {
        ObjectNode context = Json.MAPPER.createObjectNode().put("tenant", "t1").put("tier", 2);
        JsonNode authorizer = Json.MAPPER
                .readTree(PayloadV1.event(Requests.get("/pets/7").build(), with(new ApiAuthorizer.Lambda(context))))
                .at("/requestContext/authorizer");

        assertThat(authorizer).isEqualTo(context);
    }

    @Test
    void iamCallerFillsTheIdentity() throws IOException {
        IamAuthorizer iam =
                new IamAuthorizer("AKIA1", "123456789012", "AIDA1", "arn:aws:iam::123456789012:user/alice", "AIDA1");
        JsonNode identity = Json.MAPPER
                .readTree(PayloadV1.event(Requests.get("/pets/7").build(), with(new ApiAuthorizer.Iam(iam))))
                .at("/requestContext/identity");

        assertThat(identity.get("accessKey").asText()).isEqualTo("AKIA1");
        assertThat(identity.get("accountId").asText()).isEqualTo("123456789012");
        assertThat(identity.get("caller").asText()).isEqualTo("AIDA1");
        assertThat(identity.get("user").asText()).isEqualTo("AIDA1");
        assertThat(identity.get("userArn").asText()).isEqualTo("arn:aws:iam::123456789012:user/alice");
        assertThat(identity.get("sourceIp").asText()).isEqualTo("123.123.123.123");
    }

    private static HttpApiContext with(ApiAuthorizer authorizer) {
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
