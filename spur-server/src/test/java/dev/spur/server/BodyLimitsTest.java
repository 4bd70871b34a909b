package dev.spur.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every body limit of the HTTP port, one byte over, through a real server's socket: the Invoke API
 * (6 MB, and 1 MB for Event invokes), the control plane (70 MB: a 50 MB zip in base64 in JSON), Spur's
 * own API (1 MB), the HTTP gateway (10 MB) and function URLs (6 MB), each answered in its own shape.
 */
class BodyLimitsTest {
    static final int SIX_MB = 6 * 1024 * 1024;
    static final int ONE_MB = 1024 * 1024;
    static RunningSpur spur;
    static String urlId;
    static String apiId;

    @BeforeAll
    static void start() {
        spur = RunningSpur.start();
        Functions.create(spur.port(), "limits-fn");
        RawHttp.Response url =
                RawHttp.post(spur.port(), "/2021-10-31/functions/limits-fn/url", "{\"AuthType\":\"NONE\"}");
        assertThat(url.status()).as(url.toString()).isEqualTo(201);
        Matcher id = Pattern.compile("//([a-z0-9]{32})\\.lambda-url\\.")
                .matcher(url.json().get("FunctionUrl").asText());
        assertThat(id.find()).isTrue();
        urlId = id.group(1);
        RawHttp.Response api = RawHttp.post(spur.port(), "/spur/v1/apis", """
                {"Name":"limits","Routes":[{"RouteKey":"ANY /{proxy+}","Target":{"Function":"limits-fn"}}]}""");
        assertThat(api.status()).as(api.toString()).isEqualTo(201);
        apiId = api.json().get("ApiId").asText();
    }

    @AfterAll
    static void stop() {
        spur.close();
    }

    @Test
    void anInvokeOfSixMegabytesIsAcceptedAndOneByteMoreIs413InLambdasShape() {
        RawHttp.Response atLimit = invoke("DryRun", jsonString(SIX_MB));
        RawHttp.Response over = invoke("DryRun", jsonString(SIX_MB + 1));

        assertThat(atLimit.status()).as(atLimit.toString()).isEqualTo(204);
        assertThat(over.statusLine()).isEqualTo("HTTP/1.1 413 Payload Too Large");
        assertThat(over.header("x-amzn-ErrorType")).isEqualTo("RequestEntityTooLargeException");
        assertThat(over.header("x-amzn-RequestId")).isNotBlank();
        assertThat(over.text())
                .isEqualTo("{\"Type\":\"User\",\"message\":\"Request must be smaller than 6291456 bytes for the"
                        + " InvokeFunction operation\"}");
    }

    @Test
    void anEventInvokeOverOneMegabyteIs413AndNothingIsQueued() {
        long queuedBefore = spur.server.queue().stats().enqueued();

        RawHttp.Response over = invoke("Event", jsonString(ONE_MB + 1));

        assertThat(over.status()).isEqualTo(413);
        assertThat(over.header("x-amzn-ErrorType")).isEqualTo("RequestEntityTooLargeException");
        assertThat(over.json().get("message").asText())
                .isEqualTo("Request must be smaller than 1048576 bytes for the InvokeFunction operation");
        assertThat(spur.server.queue().stats().enqueued()).isEqualTo(queuedBefore);
    }

    @Test
    void anEventInvokeOverOneMegabyteIs413EvenWhenItIsNotJson() {
        byte[] notJson = new byte[ONE_MB + 1];
        Arrays.fill(notJson, (byte) '<');

        RawHttp.Response over = invoke("Event", notJson);

        assertThat(over.status()).isEqualTo(413);
        assertThat(over.header("x-amzn-ErrorType")).isEqualTo("RequestEntityTooLargeException");
        assertThat(over.json().get("message").asText())
                .isEqualTo("Request must be smaller than 1048576 bytes for the InvokeFunction operation");
    }

    @Test
    void anUpdateFunctionCodeBodyOverLambdasRequestLimitIs413WithItsMessage() {
        byte[] body = new byte[70_167_211 + 1];
        Arrays.fill(body, (byte) ' ');

        RawHttp.Response over = RawHttp.call(
                spur.port(),
                "PUT",
                "/2015-03-31/functions/limits-fn/code",
                Map.of("Content-Type", "application/json"),
                body);

        assertThat(over.status()).isEqualTo(413);
        assertThat(over.header("x-amzn-ErrorType")).isEqualTo("RequestEntityTooLargeException");
        assertThat(over.text())
                .isEqualTo("{\"Type\":\"User\",\"message\":\"Request must be smaller than 70167211 bytes for the"
                        + " UpdateFunctionCode operation\"}");
    }

    @Test
    void aSpurApiBodyOverOneMegabyteIs413() {
        RawHttp.Response over = RawHttp.call(spur.port(), "POST", "/spur/v1/apis", Map.of(), jsonString(ONE_MB + 1));

        assertThat(over.status()).isEqualTo(413);
        assertThat(over.header("x-amzn-ErrorType")).isEqualTo("RequestEntityTooLargeException");
        assertThat(over.json().get("message").asText()).isEqualTo("Request must be smaller than 1048576 bytes.");
    }

    @Test
    void aGatewayBodyOverTenMegabytesIs413InApiGatewaysShape() {
        RawHttp.Response over =
                RawHttp.call(spur.port(), "POST", "/gw/" + apiId + "/upload", Map.of(), new byte[10 * 1024 * 1024 + 1]);

        assertThat(over.statusLine()).isEqualTo("HTTP/1.1 413 Payload Too Large");
        assertThat(over.header("apigw-requestid")).isNotBlank();
        assertThat(over.header("Content-Type")).isEqualTo("application/json");
        assertThat(over.text()).isEqualTo("{\"message\":\"Request Entity Too Large\"}");
    }

    @Test
    void aFunctionUrlBodyOverSixMegabytesIs413InFunctionUrlsShape() {
        RawHttp.Response over =
                RawHttp.call(spur.port(), "POST", "/url/" + urlId + "/upload", Map.of(), new byte[SIX_MB + 1]);

        assertThat(over.statusLine()).isEqualTo("HTTP/1.1 413 Payload Too Large");
        assertThat(over.header("x-amzn-RequestId")).isNotBlank();
        assertThat(over.header("Content-Type")).isEqualTo("application/json");
        assertThat(over.text()).isEqualTo("{\"Message\":\"Request Entity Too Large\"}");
    }

    private static RawHttp.Response invoke(String type, byte[] payload) {
        return RawHttp.call(
                spur.port(),
                "POST",
                "/2015-03-31/functions/limits-fn/invocations",
                Map.of("X-Amz-Invocation-Type", type),
                payload);
    }

    /** A JSON string of exactly {@code length} bytes, quotes included: a well-formed payload of that size. */
    static byte[] jsonString(int length) {
        byte[] json = new byte[length];
        Arrays.fill(json, (byte) 'a');
        json[0] = '"';
        json[length - 1] = '"';
        return json;
    }
}
