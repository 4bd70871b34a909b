package dev.spur.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Payload format 2.0 responses, after the examples in "Response payload format" (Lambda developer guide). */
class ResponseMappingV2Test {

    @Test
    void structuredResponseWithCookiesAndBase64Body() {
        byte[] png = PayloadV2Test.png();
        HttpResponseData resp = map("""
                {"statusCode": 201,
                 "headers": {"Content-Type": "image/png", "My-Custom-Header": "Custom Value"},
                 "cookies": ["Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT", "Cookie_2=Value2; Max-Age=78000"],
                 "body": "%s",
                 "isBase64Encoded": true}""".formatted(Base64.getEncoder().encodeToString(png)));

        assertThat(resp.status()).isEqualTo(201);
        assertThat(resp.headers())
                .containsExactly(
                        Map.entry("Content-Type", "image/png"),
                        Map.entry("My-Custom-Header", "Custom Value"),
                        Map.entry("set-cookie", "Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT"),
                        Map.entry("set-cookie", "Cookie_2=Value2; Max-Age=78000"));
        assertThat(resp.body()).isEqualTo(png);
    }

    @Test
    void structuredResponseWithoutContentTypeGetsJsonAndKeepsTextBody() {
        HttpResponseData resp = map("""
                {"statusCode": 404, "body": "{ \\"message\\": \\"n\\u00e4\\" }", "multiValueHeaders": {"X": ["1", "2"]}}""");

        assertThat(resp.status()).isEqualTo(404);
        assertThat(resp.headers()).containsExactly(Map.entry("content-type", "application/json"));
        assertThat(new String(resp.body(), StandardCharsets.UTF_8)).isEqualTo("{ \"message\": \"nä\" }");
    }

    @Test
    void nonStringScalarHeaderValuesAreSentAsTheirJsonText() {
        HttpResponseData resp = map("""
                {"statusCode": 200, "headers": {"x-count": 3, "x-ratio": 1.5, "x-flag": true, "x-none": null}}""");

        assertThat(resp.header("x-count")).contains("3");
        assertThat(resp.header("x-ratio")).contains("1.5");
        assertThat(resp.header("x-flag")).contains("true");
        assertThat(resp.header("x-none")).isEmpty();
        assertThat(resp.body()).isEmpty();
    }

    @Test
    void objectWithoutStatusCodeIsReturnedAsIsWith200() {
        String payload = "{\n  \"message\": \"Hello, world!\"\n}";
        HttpResponseData resp = map(payload);

        assertThat(resp.status()).isEqualTo(200);
        assertThat(resp.headers()).containsExactly(Map.entry("content-type", "application/json"));
        assertThat(new String(resp.body(), StandardCharsets.UTF_8)).isEqualTo(payload);
    }

    @Test
    void jsonStringResultKeepsItsQuotes() {
        HttpResponseData resp = map("\"Hello, world!\"");

        assertThat(resp.status()).isEqualTo(200);
        assertThat(resp.header("content-type")).contains("application/json");
        assertThat(new String(resp.body(), StandardCharsets.UTF_8)).isEqualTo("\"Hello, world!\"");
        assertThat(resp.body()).hasSize(15);
    }

    @Test
    void numberAndNullResultsAreReturnedAsIs() {
        assertThat(new String(map("42").body(), StandardCharsets.UTF_8)).isEqualTo("42");
        assertThat(new String(map("null").body(), StandardCharsets.UTF_8)).isEqualTo("null");
        assertThat(map("[1,2]").status()).isEqualTo(200);
    }

    @Test
    void emptyPayloadIsAnEmpty200() {
        HttpResponseData resp = ResponseMappingV2.map(new byte[0], false);

        assertThat(resp.status()).isEqualTo(200);
        assertThat(resp.body()).isEmpty();
    }

    @Test
    void invalidJsonIs502() {
        assertBadGateway(map("{\"statusCode\": 200"));
        assertBadGateway(map("Hello"));
        assertBadGateway(map("{} {}"));
    }

    @Test
    void statusCodeAsStringIs502() {
        assertBadGateway(map("{\"statusCode\": \"200\", \"body\": \"ok\"}"));
    }

    @Test
    void otherMalformedStructuredResponsesAre502() {
        assertBadGateway(map("{\"statusCode\": 200.5}"));
        assertBadGateway(map("{\"statusCode\": 99}"));
        assertBadGateway(map("{\"statusCode\": null}"));
        assertBadGateway(map("{\"statusCode\": 200, \"headers\": [\"a\"]}"));
        assertBadGateway(map("{\"statusCode\": 200, \"headers\": {\"a\": {\"b\": 1}}}"));
        assertBadGateway(map("{\"statusCode\": 200, \"cookies\": \"a=1\"}"));
        assertBadGateway(map("{\"statusCode\": 200, \"body\": {\"message\": \"hi\"}}"));
        assertBadGateway(map("{\"statusCode\": 200, \"body\": \"***\", \"isBase64Encoded\": true}"));
    }

    @Test
    void functionErrorIs502WithoutLeakingTheErrorDocument() {
        HttpResponseData resp = ResponseMappingV2.map(
                "{\"errorMessage\":\"secret detail\",\"errorType\":\"Error\"}".getBytes(StandardCharsets.UTF_8), true);

        assertBadGateway(resp);
    }

    private static void assertBadGateway(HttpResponseData resp) {
        assertThat(resp.status()).isEqualTo(502);
        assertThat(new String(resp.body(), StandardCharsets.UTF_8)).isEqualTo("Internal Server Error");
    }

    private static HttpResponseData map(String payload) {
        return ResponseMappingV2.map(payload.getBytes(StandardCharsets.UTF_8), false);
    }
}
