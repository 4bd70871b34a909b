package dev.spur.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.ErrorCode;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link RequestParsing}: the caller's region, bounded JSON bodies, and typed fields with errors naming them. */
class RequestParsingTest {
    static BareJetty jetty;

    @BeforeAll
    static void start() {
        jetty = BareJetty.serve(x -> {
            try {
                String answer = switch (x.path()) {
                    case "/caller" -> RequestParsing.caller(x, "eu-central-1").toString();
                    case "/strict" -> RequestParsing.jsonBody(x, 16).toString();
                    case "/lenient" -> RequestParsing.jsonBody(x, 16, false).toString();
                    default -> throw new IllegalArgumentException(x.path());
                };
                RouterTest.answer(x, 200, answer);
            } catch (LambdaException e) {
                WireErrors.send(x, "req-1", e);
            }
        });
    }

    @AfterAll
    static void stop() {
        jetty.close();
    }

    @Test
    void theCallerIsTheDefaultAccountInTheSignaturesRegionElseTheDefaultRegion() {
        String scope = "Credential=AKIDEXAMPLE/20240101/ap-southeast-2/lambda/aws4_request";

        assertThat(jetty.send("GET /caller HTTP/1.1\r\nAuthorization: AWS4-HMAC-SHA256 " + scope + ", Signature=x", "")
                        .body())
                .isEqualTo("Caller[account=000000000000, region=ap-southeast-2]");
        assertThat(jetty.get("/caller?X-Amz-Credential=AKIDEXAMPLE%2F20240101%2Fus-gov-west-1%2Flambda%2Faws4_request")
                        .body())
                .isEqualTo("Caller[account=000000000000, region=us-gov-west-1]");
        assertThat(jetty.send("GET /caller HTTP/1.1\r\nAuthorization: Bearer token", "")
                        .body())
                .isEqualTo("Caller[account=000000000000, region=eu-central-1]");
        assertThat(jetty.get("/caller").body()).isEqualTo("Caller[account=000000000000, region=eu-central-1]");
    }

    @Test
    void aJsonBodyIsAnObjectWithinTheLimitAndAnEmptyBodyIsAnEmptyObject() {
        assertThat(jetty.send("POST /strict HTTP/1.1\r\nContent-Type: application/json", "{\"a\":[1]}")
                        .body())
                .isEqualTo("{\"a\":[1]}");
        assertThat(jetty.send("POST /strict HTTP/1.1\r\nContent-Type: binary/octet-stream", "{}")
                        .body())
                .isEqualTo("{}");
        assertThat(jetty.send("POST /strict HTTP/1.1", "").body()).isEqualTo("{}");
    }

    @Test
    void aJsonBodyOverTheLimitIs413() {
        BareJetty.Answer r = jetty.send("POST /strict HTTP/1.1", "{\"a\":\"" + "x".repeat(20) + "\"}");

        assertThat(r.status()).isEqualTo(413);
        assertThat(r.header("x-amzn-ErrorType")).containsExactly("RequestEntityTooLargeException");
        assertThat(r.body()).isEqualTo("{\"Type\":\"User\",\"message\":\"Request must be smaller than 16 bytes.\"}");
    }

    @Test
    void lambdasApiRefusesANonJsonTypeAndSpursApiDoesNot() {
        BareJetty.Answer strict = jetty.send("POST /strict HTTP/1.1\r\nContent-Type: text/plain", "{}");
        BareJetty.Answer lenient =
                jetty.send("POST /lenient HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded", "{\"a\":1}");

        assertThat(strict.status()).isEqualTo(415);
        assertThat(strict.header("x-amzn-ErrorType")).containsExactly("UnsupportedMediaTypeException");
        assertThat(lenient.body()).isEqualTo("{\"a\":1}");
    }

    @Test
    void aBodyThatIsNotAJsonObjectIsInvalidRequestContent() {
        BareJetty.Answer broken = jetty.send("POST /strict HTTP/1.1", "{\"a\":");
        BareJetty.Answer array = jetty.send("POST /strict HTTP/1.1", "[1]");

        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.header("x-amzn-ErrorType")).containsExactly("InvalidRequestContentException");
        assertThat(broken.body())
                .startsWith("{\"Type\":\"User\",\"message\":\"Could not parse request body into json: ");
        assertThat(array.body())
                .isEqualTo("{\"Type\":\"User\",\"message\":\"The request body must be a JSON object.\"}");
    }

    @Test
    void typedFieldsAreReadAndAWrongTypeIsNamed() throws Exception {
        JsonNode body = Json.MAPPER.readTree("""
                {"s":"x","i":7,"big":3000000000,"b":true,"o":{"k":1},"l":["a","b"],"n":null,"empty":[],
                 "z":"UEsDBA==","bad64":"A="}""");

        assertThat(RequestParsing.string(body, "s")).contains("x");
        assertThat(RequestParsing.string(body, "n")).isEmpty();
        assertThat(RequestParsing.string(body, "absent")).isEmpty();
        assertThat(RequestParsing.integer(body, "i")).contains(7);
        assertThat(RequestParsing.bool(body, "b")).isTrue();
        assertThat(RequestParsing.bool(body, "absent")).isFalse();
        assertThat(RequestParsing.object(body, "o").map(JsonNode::toString)).contains("{\"k\":1}");
        assertThat(RequestParsing.strings(body, "l")).contains(List.of("a", "b"));
        assertThat(RequestParsing.base64(body, "z"))
                .hasValueSatisfying(b -> assertThat(b).startsWith('P', 'K'));
        assertThat(RequestParsing.nonEmpty(body, "o")).isTrue();
        assertThat(RequestParsing.nonEmpty(body, "empty")).isFalse();
        assertThat(RequestParsing.nonEmpty(body, "n")).isFalse();

        assertInvalid(() -> RequestParsing.string(body, "i"), "Parameter i must be a string.");
        assertInvalid(() -> RequestParsing.integer(body, "s"), "Parameter s must be an integer.");
        assertInvalid(() -> RequestParsing.integer(body, "big"), "Parameter big must be an integer.");
        assertInvalid(() -> RequestParsing.bool(body, "s"), "Parameter s must be a boolean.");
        assertInvalid(() -> RequestParsing.object(body, "l"), "Parameter l must be an object.");
        assertInvalid(() -> RequestParsing.strings(body, "o"), "Parameter o must be a list of strings.");
        assertInvalid(
                () -> RequestParsing.base64(body, "bad64"),
                "Could not unzip uploaded file. Please check your file, then try to upload again. (bad64 is not valid"
                        + " base64.)");
    }

    @Test
    void environmentVariablesAreAWholeNewMapOfStrings() throws Exception {
        assertThat(RequestParsing.environment(Json.MAPPER.readTree("{}"))).isEmpty();
        assertThat(RequestParsing.environment(Json.MAPPER.readTree("{\"Environment\":{}}")))
                .contains(Map.of());
        assertThat(RequestParsing.environment(Json.MAPPER.readTree("{\"Environment\":{\"Variables\":{\"A\":\"1\"}}}")))
                .isEqualTo(Optional.of(Map.of("A", "1")));
        assertInvalid(
                () -> RequestParsing.environment(Json.MAPPER.readTree("{\"Environment\":{\"Variables\":{\"A\":1}}}")),
                "Environment variable A must have a string value.");
    }

    private static void assertInvalid(ThrowingCall call, String message) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE))
                .hasMessage(message);
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }
}
