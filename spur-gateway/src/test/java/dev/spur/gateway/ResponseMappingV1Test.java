package dev.spur.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Payload format 1.0 responses, after "Output format of a Lambda function for proxy integration". */
class ResponseMappingV1Test {

    @Test
    void structuredResponseMergesHeadersAndMultiValueHeaders() {
        HttpResponseData resp = map("""
                {"statusCode": 201,
                 "headers": {"Content-Type": "text/plain", "X-One": "1", "Set-Cookie": "dropped=1", "X-Num": 7},
                 "multiValueHeaders": {"set-cookie": ["a=1", "b=2"], "X-Many": ["x", "y"]},
                 "body": "created",
                 "isBase64Encoded": false}""");

        assertThat(resp.status()).isEqualTo(201);
        assertThat(resp.headers())
                .containsExactly(
                        Map.entry("Content-Type", "text/plain"),
                        Map.entry("X-One", "1"),
                        Map.entry("X-Num", "7"),
                        Map.entry("set-cookie", "a=1"),
                        Map.entry("set-cookie", "b=2"),
                        Map.entry("X-Many", "x"),
                        Map.entry("X-Many", "y"));
        assertThat(new String(resp.body(), StandardCharsets.UTF_8)).isEqualTo("created");
    }

    @Test
    void base64BodyIsDecodedAndContentTypeDefaultsToJson() {
        byte[] png = PayloadV2Test.png();
        HttpResponseData resp = map("""
                {"statusCode": 200, "body": "%s", "isBase64Encoded": true}""".formatted(Base64.getEncoder().encodeToString(png)));

        assertThat(resp.body()).isEqualTo(png);
        assertThat(resp.headers()).containsExactly(Map.entry("content-type", "application/json"));
    }

    @Test
    void statusCodeMayBeANumericString() {
        assertThat(map("{\"statusCode\": \"404\", \"body\": \"no\"}").status()).isEqualTo(404);
    }

    @Test
    void missingBodyIsEmpty() {
        assertThat(map("{\"statusCode\": 204}").body()).isEmpty();
    }

    /** Format 1.0 infers nothing: everything that is not the structured shape is a 502. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "\"Hello from Lambda!\"",
                "{\"message\": \"Hello\"}",
                "null",
                "{\"statusCode\": 99}",
                "{\"statusCode\": 600}",
                "{\"statusCode\": \"abc\"}",
                "{\"statusCode\": 200.5}",
                "{\"statusCode\": true}",
                "{\"statusCode\": null}",
                "{\"statusCode\": 200, \"headers\": []}",
                "{\"statusCode\": 200, \"headers\": {\"a\": {\"b\": 1}}}",
                "{\"statusCode\": 200, \"multiValueHeaders\": {\"a\": \"b\"}}",
                "{\"statusCode\": 200, \"multiValueHeaders\": {\"a\": [[1]]}}",
                "{\"statusCode\": 200, \"body\": {\"a\": 1}}",
                "{\"statusCode\": 200, \"body\": \"@@\", \"isBase64Encoded\": true}",
                "{\"statusCode\": 200, \"isBase64Encoded\": \"yes\", \"body\": \"\"}",
                "{\"statusCode\": 200",
                "{} {}"
            })
    void anythingButTheStructuredShapeIsBadGateway(String payload) {
        HttpResponseData resp = map(payload);

        assertThat(resp.status()).isEqualTo(502);
        assertThat(new String(resp.body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"message\":\"Internal Server Error\"}");
        assertThat(resp.headers()).containsExactly(Map.entry("content-type", "application/json"));
    }

    @Test
    void functionErrorIsBadGatewayWhateverThePayload() {
        HttpResponseData resp = ResponseMappingV1.map("{\"statusCode\": 200}".getBytes(StandardCharsets.UTF_8), true);

        assertThat(resp.status()).isEqualTo(502);
    }

    @Test
    void httpApiFormat2FailuresUseTheHttpApiBodyWhileFunctionUrlsKeepTheirs() {
        byte[] malformed = "{\"statusCode\": \"x\"}".getBytes(StandardCharsets.UTF_8);

        HttpResponseData api = ResponseMappingV2.forHttpApi(malformed, false);
        HttpResponseData url = ResponseMappingV2.map(malformed, false);

        assertThat(api.status()).isEqualTo(502);
        assertThat(new String(api.body(), StandardCharsets.UTF_8)).isEqualTo("{\"message\":\"Internal Server Error\"}");
        assertThat(url.status()).isEqualTo(502);
        assertThat(new String(url.body(), StandardCharsets.UTF_8)).isEqualTo("Internal Server Error");
        assertThat(ResponseMappingV2.forHttpApi(new byte[0], true).status()).isEqualTo(502);
        assertThat(ResponseMappingV2.forHttpApi("\"hi\"".getBytes(StandardCharsets.UTF_8), false)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void gatewayResponsesCarryTheHttpApiMessages() {
        assertThat(body(GatewayResponses.notFound())).isEqualTo("{\"message\":\"Not Found\"}");
        assertThat(GatewayResponses.notFound().status()).isEqualTo(404);
        assertThat(GatewayResponses.internalServerError().status()).isEqualTo(500);
        assertThat(body(GatewayResponses.tooManyRequests())).isEqualTo("{\"message\":\"Too Many Requests\"}");
        assertThat(GatewayResponses.forbidden().status()).isEqualTo(403);
        assertThat(GatewayResponses.serviceUnavailable().status()).isEqualTo(503);
        HttpResponseData unauthorized =
                GatewayResponses.unauthorized(new JwtException(JwtException.Reason.WRONG_AUDIENCE, "aud was x"));
        assertThat(unauthorized.status()).isEqualTo(401);
        assertThat(body(unauthorized)).isEqualTo("{\"message\":\"Unauthorized\"}");
        assertThat(unauthorized.header("WWW-Authenticate"))
                .contains(
                        "Bearer scope=\"\" error=\"invalid_token\" error_description=\"the token does not have a valid audience\"");
    }

    private static String body(HttpResponseData resp) {
        return new String(resp.body(), StandardCharsets.UTF_8);
    }

    private static HttpResponseData map(String payload) {
        return ResponseMappingV1.map(payload.getBytes(StandardCharsets.UTF_8), false);
    }
}
