package dev.spur.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.CorsConfig;
import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionKey;
import dev.spur.common.FunctionUrlConfig;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The function URL service on its own: the function is the test's own ({@link FunctionInvoker}),
 * answering what each test sets and recording that it ran; the signature check is the test's too.
 */
class FunctionUrlServiceTest {
    private static final String URL_ID = "abcdefghijklmnopqrstuvwxyz012345";
    private static final FunctionKey FUNCTION = new FunctionKey("123456789012", "eu-west-1", "shop");
    private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");
    private static final FunctionUrlService.SignatureCheck AUTH_OFF = body -> Optional.empty();

    private final List<FunctionInvoker.Call> calls = new CopyOnWriteArrayList<>();
    private FunctionInvoker.Result answer = ok("{\"statusCode\": 200, \"body\": \"hello\"}");
    private LambdaException refusal;
    private FunctionUrlConfig config = config(FunctionUrlConfig.AUTH_NONE, null);

    private final FunctionUrlService service = FunctionUrlService.create(
            id -> id.equals(URL_ID) ? Optional.of(new FunctionUrlService.Target(FUNCTION, config)) : Optional.empty(),
            call -> {
                calls.add(call);
                if (refusal != null) {
                    throw refusal;
                }
                return answer;
            });

    @Test
    void unknownUrlIsNotFound() {
        HttpResponseData response =
                service.serve("0".repeat(32), Requests.get("/").build(), RequestBody.of(new byte[0]), AUTH_OFF);

        assertThat(response.status()).isEqualTo(404);
        assertThat(body(response)).isEqualTo("{\"Message\":\"Not Found\"}");
        assertThat(response.header("x-amzn-RequestId")).isPresent();
        assertThat(calls).isEmpty();
    }

    @Test
    void requestBecomesAnEventForTheUrlsQualifierAndTheAnswerIsMapped() throws IOException {
        config = new FunctionUrlConfig(URL_ID, "live", FunctionUrlConfig.AUTH_NONE, "BUFFERED", null, CREATED, CREATED);

        HttpResponseData response = serve(Requests.get("/items/1").header("Host", URL_ID + ".lambda-url.localhost"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(body(response)).isEqualTo("hello");
        FunctionInvoker.Call call = calls.getFirst();
        assertThat(response.header("x-amzn-RequestId")).contains(call.requestId());
        assertThat(call.caller().account()).isEqualTo("123456789012");
        assertThat(call.caller().region()).isEqualTo("eu-west-1");
        assertThat(call.function()).isEqualTo("shop");
        assertThat(call.qualifier()).contains("live");
        JsonNode event = Json.MAPPER.readTree(call.event());
        assertThat(event.path("rawPath").asText()).isEqualTo("/items/1");
        assertThat(event.path("requestContext").path("domainPrefix").asText()).isEqualTo(URL_ID);
        assertThat(event.path("requestContext").path("accountId").asText()).isEqualTo("anonymous");
    }

    @Test
    void iamUrlNeedsASignatureFromTheFunctionsOwnAccount() throws IOException {
        config = config(FunctionUrlConfig.AUTH_IAM, null);

        HttpResponseData otherAccount = service.serve(
                URL_ID,
                Requests.get("/").build(),
                RequestBody.of(new byte[0]),
                body -> Optional.of(new FunctionUrlService.Signer("AKIDOTHER", "210987654321")));
        HttpResponseData badSignature =
                service.serve(URL_ID, Requests.get("/").build(), RequestBody.of(new byte[0]), body -> {
                    throw LambdaException.of(ErrorCode.ACCESS_DENIED, "bad signature");
                });
        assertThat(calls).isEmpty();
        HttpResponseData own = service.serve(
                URL_ID,
                Requests.get("/").build(),
                RequestBody.of(new byte[0]),
                body -> Optional.of(new FunctionUrlService.Signer("AKIDOWN", "123456789012")));
        HttpResponseData authOff = serve(Requests.get("/"));

        assertThat(otherAccount.status()).isEqualTo(403);
        assertThat(body(otherAccount)).isEqualTo("{\"Message\":\"Forbidden\"}");
        assertThat(badSignature.status()).isEqualTo(403);
        assertThat(own.status()).isEqualTo(200);
        assertThat(authOff.status())
                .as("with authentication off, AWS_IAM URLs are public")
                .isEqualTo(200);
        JsonNode iam = Json.MAPPER
                .readTree(calls.getFirst().event())
                .path("requestContext")
                .path("authorizer")
                .path("iam");
        assertThat(iam.path("accessKey").asText()).isEqualTo("AKIDOWN");
        assertThat(iam.path("accountId").asText()).isEqualTo("123456789012");
    }

    @Test
    void functionErrorAndMalformedAnswerAreBadGatewayAndAThrottleIsTooManyRequests() {
        answer = new FunctionInvoker.Result(200, bytes("{\"errorMessage\":\"boom\"}"), Optional.of("Unhandled"));
        HttpResponseData failed = serve(Requests.get("/"));
        answer = ok("{\"statusCode\": \"two hundred\"}");
        HttpResponseData garbled = serve(Requests.get("/"));
        refusal = LambdaException.throttled("ConcurrentInvocationLimitExceeded", 3, "Rate Exceeded.");
        HttpResponseData throttled = serve(Requests.get("/"));

        assertThat(failed.status()).isEqualTo(502);
        assertThat(body(failed)).isEqualTo("Internal Server Error");
        assertThat(garbled.status()).isEqualTo(502);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.header("Retry-After")).contains("3");
        assertThat(body(throttled)).isEqualTo("{\"Message\":\"Rate Exceeded.\"}");
    }

    @Test
    void corsPreflightIsAnsweredWithoutInvoking() {
        config = config(
                FunctionUrlConfig.AUTH_IAM,
                new CorsConfig(false, List.of(), List.of("GET"), List.of("*"), List.of("x-total"), 60));

        HttpResponseData preflight = service.serve(
                URL_ID,
                Requests.request("OPTIONS", "/")
                        .header("Origin", "https://app.example")
                        .header("Access-Control-Request-Method", "GET")
                        .build(),
                RequestBody.of(new byte[0]),
                body -> {
                    throw new AssertionError("a preflight is not signed");
                });
        assertThat(calls).isEmpty();
        HttpResponseData actual = serve(Requests.get("/").header("Origin", "https://app.example"));

        assertThat(preflight.status()).isEqualTo(200);
        assertThat(preflight.header("Access-Control-Allow-Origin")).contains("*");
        assertThat(actual.header("Access-Control-Allow-Origin")).contains("*");
        assertThat(actual.header("Access-Control-Expose-Headers")).contains("x-total");
    }

    @Test
    void bodyOverSixMegabytesIsRefusedWithoutInvoking() {
        HttpResponseData response =
                service.serve(URL_ID, Requests.request("POST", "/").build(), limit -> new byte[limit + 1], AUTH_OFF);

        assertThat(response.status()).isEqualTo(413);
        assertThat(body(response)).isEqualTo("{\"Message\":\"Request Entity Too Large\"}");
        assertThat(calls).isEmpty();
    }

    private HttpResponseData serve(Requests request) {
        HttpRequestData built = request.build();
        return service.serve(URL_ID, built, RequestBody.of(built.body()), AUTH_OFF);
    }

    private static FunctionUrlConfig config(String authType, CorsConfig cors) {
        return new FunctionUrlConfig(URL_ID, "", authType, "BUFFERED", cors, CREATED, CREATED);
    }

    private static FunctionInvoker.Result ok(String payload) {
        return new FunctionInvoker.Result(200, bytes(payload), Optional.empty());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String body(HttpResponseData response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
