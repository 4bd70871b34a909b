package dev.spur.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The function URL event, pinned against the example in "Request payload format" (Lambda developer guide). */
class PayloadV2Test {
    private static final FunctionUrlContext NONE_AUTH = new FunctionUrlContext(
            "abcdefghijklmnopqrstuvwxyz012345",
            "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.localhost:9001",
            "anonymous",
            "e1506fd5-9e7b-434f-bd42-4f8fa224b599",
            Optional.empty());

    /**
     * The guide's example, rebuilt as a real request. Where {@code function-url-event.json} differs from
     * the guide: the request needs a {@code content-type} to carry a text body and a {@code user-agent}
     * to produce {@code http.userAgent}, so both appear in {@code headers}; {@code time} is the one
     * {@code timeEpoch} denotes (the guide pairs 12 Mar with the epoch of 4 Mar); and the fields the
     * guide says Lambda may leave out ({@code authentication}, {@code pathParameters},
     * {@code stageVariables}) are left out.
     */
    @Test
    void documentedExampleMatchesFieldByField() throws IOException {
        HttpRequestData req = Requests.request("POST", "/my/path")
                .query("parameter1=value1&parameter1=value2&parameter2=value")
                .header("header1", "value1")
                .header("header2", "value1")
                .header("header2", "value2")
                .header("Cookie", "cookie1; cookie2")
                .header("content-type", "text/plain")
                .header("User-Agent", "agent")
                .body("Hello from client!".getBytes(StandardCharsets.UTF_8))
                .build();
        FunctionUrlContext ctx = new FunctionUrlContext(
                "<url-id>",
                "<url-id>.lambda-url.us-west-2.on.aws",
                "123456789012",
                "id",
                Optional.of(new IamAuthorizer(
                        "AKIA...",
                        "111122223333",
                        "AIDA...",
                        "arn:aws:iam::111122223333:user/example-user",
                        "AIDA...")));

        JsonNode event = Json.MAPPER.readTree(PayloadV2.functionUrlEvent(req, ctx));

        JsonNode expected;
        try (InputStream in = getClass().getResourceAsStream("function-url-event.json")) {
            expected = Json.MAPPER.readTree(in);
        }
        assertThat(fieldNames(event)).containsExactlyElementsOf(fieldNames(expected));
        expected.properties()
                .forEach(field ->
                        assertThat(event.get(field.getKey())).as(field.getKey()).isEqualTo(field.getValue()));
    }

    @Test
    void getDecodesAndJoinsRepeatedQueryParameters() throws IOException {
        HttpRequestData req = Requests.get("/items/a%20b")
                .query("a=1&a=2&q=x%20y&plus=a+b&flag&&enc%3D=%E2%82%AC")
                .build();

        JsonNode event = Json.MAPPER.readTree(PayloadV2.functionUrlEvent(req, NONE_AUTH));

        assertThat(event.get("rawPath").asText()).isEqualTo("/items/a%20b");
        assertThat(event.at("/requestContext/http/path").asText()).isEqualTo("/items/a%20b");
        assertThat(event.get("rawQueryString").asText()).isEqualTo("a=1&a=2&q=x%20y&plus=a+b&flag&&enc%3D=%E2%82%AC");
        JsonNode params = event.get("queryStringParameters");
        assertThat(fieldNames(params)).containsExactly("a", "q", "plus", "flag", "enc=");
        assertThat(params.get("a").asText()).isEqualTo("1,2");
        assertThat(params.get("q").asText()).isEqualTo("x y");
        assertThat(params.get("plus").asText()).isEqualTo("a b");
        assertThat(params.get("flag").asText()).isEmpty();
        assertThat(params.get("enc=").asText()).isEqualTo("€");
        assertThat(event.has("body")).isFalse();
        assertThat(event.get("isBase64Encoded").asBoolean()).isFalse();
    }

    @Test
    void requestWithoutQueryCookiesOrIamOmitsThem() throws IOException {
        JsonNode event = Json.MAPPER.readTree(
                PayloadV2.functionUrlEvent(Requests.get("/").build(), NONE_AUTH));

        assertThat(event.get("rawQueryString").asText()).isEmpty();
        assertThat(event.has("queryStringParameters")).isFalse();
        assertThat(event.has("cookies")).isFalse();
        assertThat(event.has("pathParameters")).isFalse();
        assertThat(event.get("headers").isObject()).isTrue();
        assertThat(event.get("headers").isEmpty()).isTrue();
        JsonNode context = event.get("requestContext");
        assertThat(context.has("authorizer")).isFalse();
        assertThat(context.get("accountId").asText()).isEqualTo("anonymous");
        assertThat(context.get("apiId").asText()).isEqualTo("abcdefghijklmnopqrstuvwxyz012345");
        assertThat(context.get("domainPrefix").asText()).isEqualTo("abcdefghijklmnopqrstuvwxyz012345");
        assertThat(context.get("domainName").asText())
                .isEqualTo("abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.localhost:9001");
        assertThat(context.get("requestId").asText()).isEqualTo("e1506fd5-9e7b-434f-bd42-4f8fa224b599");
        assertThat(context.at("/http/userAgent").asText()).isEmpty();
    }

    @Test
    void headersAreLowerCasedJoinedWithCommasAndCookiesMoveToTheirOwnField() throws IOException {
        HttpRequestData req = Requests.get("/")
                .header("X-Trace", "a")
                .header("Accept", "text/html")
                .header("x-trace", "b")
                .header("Cookie", "s=1; theme=dark")
                .header("cookie", "lang=en")
                .build();

        JsonNode event = Json.MAPPER.readTree(PayloadV2.functionUrlEvent(req, NONE_AUTH));

        assertThat(fieldNames(event.get("headers"))).containsExactly("x-trace", "accept");
        assertThat(event.at("/headers/x-trace").asText()).isEqualTo("a,b");
        assertThat(event.get("cookies")).extracting(JsonNode::asText).containsExactly("s=1", "theme=dark", "lang=en");
    }

    @Test
    void timeIsRenderedInApacheLogFormatInUtcWithEpochMillis() throws IOException {
        Instant time = Instant.parse("2021-09-07T22:50:22.677Z");
        JsonNode event = Json.MAPPER.readTree(
                PayloadV2.functionUrlEvent(Requests.get("/").time(time).build(), NONE_AUTH));

        assertThat(event.at("/requestContext/time").asText()).isEqualTo("07/Sep/2021:22:50:22 +0000");
        assertThat(event.at("/requestContext/timeEpoch").isIntegralNumber()).isTrue();
        assertThat(event.at("/requestContext/timeEpoch").asLong()).isEqualTo(1631055022677L);
    }

    @Test
    void jsonBodyIsSentAsText() throws IOException {
        String json = "{\"example\": \"test\", \"euro\": \"€\"}";
        HttpRequestData req = Requests.request("POST", "/")
                .header("Content-Type", "application/json; charset=utf-8")
                .body(json.getBytes(StandardCharsets.UTF_8))
                .build();

        JsonNode event = Json.MAPPER.readTree(PayloadV2.functionUrlEvent(req, NONE_AUTH));

        assertThat(event.get("isBase64Encoded").asBoolean()).isFalse();
        assertThat(event.get("body").asText()).isEqualTo(json);
    }

    @Test
    void pngBodyIsBase64AndRoundTripsExactly() throws IOException {
        byte[] png = png();
        HttpRequestData req = Requests.request("POST", "/upload")
                .header("Content-Type", "image/png")
                .body(png)
                .build();

        JsonNode event = Json.MAPPER.readTree(PayloadV2.functionUrlEvent(req, NONE_AUTH));

        assertThat(event.get("isBase64Encoded").asBoolean()).isTrue();
        assertThat(Base64.getDecoder().decode(event.get("body").asText())).isEqualTo(png);
    }

    @Test
    void textTypeWithBytesThatAreNotUtf8IsBase64SoNothingIsLost() throws IOException {
        byte[] latin1 = "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);
        HttpRequestData req = Requests.request("POST", "/")
                .header("Content-Type", "text/plain; charset=iso-8859-1")
                .body(latin1)
                .build();

        JsonNode event = Json.MAPPER.readTree(PayloadV2.functionUrlEvent(req, NONE_AUTH));

        assertThat(event.get("isBase64Encoded").asBoolean()).isTrue();
        assertThat(Base64.getDecoder().decode(event.get("body").asText())).isEqualTo(latin1);
    }

    @Test
    void onlyTextJsonXmlAndJavascriptCountAsText() {
        assertThat(PayloadV2.isTextual("text/html")).isTrue();
        assertThat(PayloadV2.isTextual("TEXT/CSV; charset=utf-8")).isTrue();
        assertThat(PayloadV2.isTextual("application/json")).isTrue();
        assertThat(PayloadV2.isTextual("application/xml")).isTrue();
        assertThat(PayloadV2.isTextual("application/javascript")).isTrue();
        assertThat(PayloadV2.isTextual("")).isFalse();
        assertThat(PayloadV2.isTextual("application/x-www-form-urlencoded")).isFalse();
        assertThat(PayloadV2.isTextual("application/octet-stream")).isFalse();
        assertThat(PayloadV2.isTextual("application/vnd.api+json")).isFalse();
    }

    /** A PNG signature and IHDR start, then every byte value, so no byte survives a text round trip by luck. */
    static byte[] png() {
        byte[] header = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        byte[] png = new byte[header.length + 256];
        System.arraycopy(header, 0, png, 0, header.length);
        for (int i = 0; i < 256; i++) {
            png[header.length + i] = (byte) i;
        }
        return png;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
