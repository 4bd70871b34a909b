package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvalidRequestContentException;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LambdaException;

/** Invoke semantics through the AWS SDK: results, function errors, timeouts, crashes, limits. */
@SpurTest
class InvokeTest {
    static Spur spur;
    static String fn;

    @BeforeAll
    static void deploy() {
        fn = spur.deploy("inv", FunctionPackage.testRuntime(), b -> b.timeout(2));
    }

    private static InvokeResponse invoke(String payload) {
        return spur.invokeWithTail(fn, payload);
    }

    private static String log(InvokeResponse r) {
        return Spur.tail(r);
    }

    @Test
    void dryRunAnswers204WithoutRunning() {
        InvokeResponse r = spur.lambda().invoke(b -> b.functionName(fn).invocationType(InvocationType.DRY_RUN));
        assertThat(r.statusCode()).isEqualTo(204);
    }

    @Test
    void tailReturnsThisInvocationsLogOnly() {
        InvokeResponse first = invoke("{\"print\":\"first-line\"}");
        InvokeResponse second = invoke("{\"print\":\"second-line\"}");
        assertThat(log(second))
                .contains("second-line")
                .doesNotContain("first-line")
                .contains("START RequestId: ")
                .contains("END RequestId: ")
                .contains("REPORT RequestId: ")
                .doesNotContain("Init Duration");
        assertThat(log(first)).contains("first-line");
    }

    @Test
    void functionErrorIsA200WithUnhandled() {
        InvokeResponse r = invoke("{\"fail\":\"it broke\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.functionError()).isEqualTo("Unhandled");
        assertThat(r.payload().asUtf8String()).contains("\"errorMessage\": \"it broke\"");
    }

    @Test
    void timeoutKillsTheEnvironmentAndSaysSo() {
        InvokeResponse r = invoke("{\"sleep\":30}");
        assertThat(r.functionError()).isEqualTo("Unhandled");
        assertThat(r.payload().asUtf8String())
                .contains("Sandbox.Timedout")
                .contains("Task timed out after 2.00 seconds");
        assertThat(log(r))
                .contains("Task timed out after 2.00 seconds")
                .containsPattern("Duration: 2\\d\\d\\d\\.\\d\\d ms");
        assertThat(invoke("{}").functionError()).isNull();
    }

    @Test
    void crashIsRuntimeExitError() {
        InvokeResponse r = invoke("{\"exit\":2}");
        assertThat(r.functionError()).isEqualTo("Unhandled");
        assertThat(r.payload().asUtf8String()).contains("Runtime.ExitError").contains("exit status 2");
        assertThat(invoke("{}").functionError()).isNull();
    }

    @Test
    void initErrorIsReturnedToTheCaller() {
        String name = spur.deploy(
                "initfail",
                FunctionPackage.testRuntime(),
                b -> b.environment(e -> e.variables(Map.of("INIT_FAIL", "1"))));
        InvokeResponse r = spur.lambda().invoke(b -> b.functionName(name));
        assertThat(r.functionError()).isEqualTo("Unhandled");
        assertThat(r.payload().asUtf8String()).contains("Runtime.TestInitError").contains("init failed on purpose");
    }

    @Test
    void clientContextReachesTheRuntime() {
        String context = "{\"custom\":{\"tenant\":\"t1\"}}";
        InvokeResponse r = spur.lambda()
                .invoke(b -> b.functionName(fn)
                        .clientContext(Base64.getEncoder().encodeToString(context.getBytes(StandardCharsets.UTF_8))));
        assertThat(r.payload().asUtf8String())
                .contains("\"context\": \"{\\\"custom\\\":{\\\"tenant\\\":\\\"t1\\\"}}\"");
    }

    @Test
    void requestOverSixMegabytesIs413() {
        String big = "{\"x\":\"" + "a".repeat(6 * 1024 * 1024) + "\"}";
        assertThatThrownBy(() -> invoke(big)).isInstanceOfSatisfying(LambdaException.class, e -> {
            // AWS's wire type, which the SDK's model does not name: a plain LambdaException
            assertThat(e.statusCode()).isEqualTo(413);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("RequestEntityTooLargeException");
        });
        assertThat(invoke("{}").functionError()).isNull();
    }

    @Test
    void responseOverSixMegabytesIsAFunctionError() {
        InvokeResponse r = invoke("{\"big\":" + (6 * 1024 * 1024 + 200) + "}");
        assertThat(r.functionError()).isEqualTo("Unhandled");
        assertThat(r.payload().asUtf8String()).contains("Function.ResponseSizeTooLarge");
    }

    @Test
    void payloadThatIsNotJsonIsRejected() {
        assertThatThrownBy(() -> invoke("not json"))
                .isInstanceOfSatisfying(
                        InvalidRequestContentException.class,
                        e -> assertThat(e.statusCode()).isEqualTo(400));
    }

    @Test
    void unknownInvocationTypeIsRejected() {
        assertThatThrownBy(() -> spur.lambda().invoke(b -> b.functionName(fn).invocationType("Sometimes")))
                .isInstanceOf(InvalidParameterValueException.class);
    }

    @Test
    void clientThatDisconnectsDoesNotLeakItsEnvironment() throws Exception {
        URI uri = URI.create(spur.endpoint());
        int before = spur.server().pools().stats().inFlight();
        try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
            OutputStream out = s.getOutputStream();
            String body = "{\"sleep\":0.5}";
            out.write(("POST /2015-03-31/functions/" + fn + "/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: "
                            + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(100);
        }
        Await.await(
                "the disconnected client's invocation to end",
                Duration.ofSeconds(5),
                () -> spur.server().pools().stats().inFlight() <= before);
        assertThat(spur.server().pools().stats().inFlight()).isEqualTo(before);
        assertThat(invoke("{}").functionError()).isNull();
    }

    @Test
    void rawResponseCarriesLambdaHeaders() throws Exception {
        URI uri = URI.create(spur.endpoint());
        try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write(("POST /2015-03-31/functions/" + fn + "/invocations HTTP/1.1\r\nHost: x\r\n"
                                    + "Content-Length: 2\r\n\r\n{}")
                            .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            StringBuilder response = new StringBuilder();
            while (!response.toString().endsWith("\r\n\r\n")) {
                response.append((char) in.read());
            }
            assertThat(response)
                    .startsWith("HTTP/1.1 200")
                    .containsIgnoringCase("X-Amz-Executed-Version: $LATEST")
                    .containsIgnoringCase("x-amzn-RequestId: ")
                    .containsIgnoringCase("Content-Type: application/json");
        }
    }
}
