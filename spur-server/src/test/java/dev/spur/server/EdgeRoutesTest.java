package dev.spur.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lambda's REST paths through a real server's socket: which requests match a route, how function names,
 * ARNs and qualifiers arrive percent-encoded and are decoded, and what an unknown request gets (AWS's
 * error shape: {@code x-amzn-ErrorType}, {@code x-amzn-RequestId}, a JSON {@code Type} and {@code
 * message}). DryRun invokes resolve a qualifier without running anything.
 */
class EdgeRoutesTest {
    static final String ARN = "arn:aws:lambda:us-east-1:000000000000:function:routes-fn";
    static RunningSpur spur;

    @BeforeAll
    static void start() {
        spur = RunningSpur.start();
        Functions.create(spur.port(), "routes-fn");
        RawHttp.Response alias = RawHttp.post(
                spur.port(),
                "/2015-03-31/functions/routes-fn/aliases",
                "{\"Name\":\"live\",\"FunctionVersion\":\"1\"}");
        assertThat(alias.status()).as(alias.toString()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        spur.close();
    }

    @Test
    void anUnknownPathIsAnUnknownOperationInLambdasErrorShape() {
        RawHttp.Response r = RawHttp.get(spur.port(), "/nope");

        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 404 Not Found");
        assertThat(r.header("x-amzn-ErrorType")).isEqualTo("UnknownOperationException");
        assertThat(r.header("x-amzn-RequestId"))
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.text()).isEqualTo("{\"Type\":\"User\",\"message\":\"No operation matches GET /nope\"}");
    }

    @Test
    void aKnownPathWithAnotherMethodIsAnUnknownOperation() {
        RawHttp.Response patch = RawHttp.call(spur.port(), "PATCH", "/2015-03-31/functions", Map.of(), new byte[0]);
        RawHttp.Response get = RawHttp.call(spur.port(), "get", "/spur/v1/health", Map.of(), new byte[0]);

        assertThat(patch.status()).isEqualTo(404);
        assertThat(patch.header("x-amzn-ErrorType")).isEqualTo("UnknownOperationException");
        assertThat(patch.json().get("message").asText()).isEqualTo("No operation matches PATCH /2015-03-31/functions");
        assertThat(get.status()).as("methods are case-sensitive").isEqualTo(404);
        assertThat(get.json().get("message").asText()).isEqualTo("No operation matches get /spur/v1/health");
    }

    @Test
    void aTrailingSlashIsIgnoredAndAnExtraSegmentIsNot() {
        RawHttp.Response slash = RawHttp.get(spur.port(), "/2015-03-31/functions/");
        RawHttp.Response extra = RawHttp.get(spur.port(), "/2015-03-31/functions/routes-fn/configuration/more");

        assertThat(slash.status()).isEqualTo(200);
        assertThat(slash.json().get("Functions").findValuesAsText("FunctionName"))
                .contains("routes-fn");
        assertThat(extra.status()).isEqualTo(404);
        assertThat(extra.header("x-amzn-ErrorType")).isEqualTo("UnknownOperationException");
    }

    @Test
    void aFunctionIsFoundByNamePartialArnAndPercentEncodedArn() {
        for (String ref : new String[] {
            "routes-fn", "000000000000:function:routes-fn", ARN, ARN.replace(":", "%3A"), ARN.replace(":", "%3a"),
        }) {
            RawHttp.Response r = RawHttp.get(spur.port(), "/2015-03-31/functions/" + ref + "/configuration");

            assertThat(r.status()).as(ref).isEqualTo(200);
            assertThat(r.json().get("FunctionArn").asText()).as(ref).isEqualTo(ARN);
            assertThat(r.json().get("Version").asText()).as(ref).isEqualTo("$LATEST");
        }
    }

    @Test
    void aQualifierComesFromTheArnOrTheQualifierParameterAndBothMustAgree() {
        assertThat(dryRun("routes-fn%3A1", "")).isEqualTo("1");
        assertThat(dryRun(ARN.replace(":", "%3A") + "%3Alive", "")).isEqualTo("1");
        assertThat(dryRun("routes-fn", "?Qualifier=live")).isEqualTo("1");
        assertThat(dryRun("routes-fn", "?Qualifier=%24LATEST")).isEqualTo("$LATEST");
        assertThat(dryRun("routes-fn%3A%24LATEST", "?Qualifier=%24LATEST")).isEqualTo("$LATEST");
        assertThat(dryRun("routes-fn", "")).isEqualTo("$LATEST");

        RawHttp.Response disagree = invoke("routes-fn%3A1", "?Qualifier=live");
        assertThat(disagree.status()).isEqualTo(400);
        assertThat(disagree.header("x-amzn-ErrorType")).isEqualTo("InvalidParameterValueException");
        assertThat(disagree.text())
                .isEqualTo("{\"Type\":\"User\",\"message\":\"The derived qualifier from the function name does not"
                        + " match the specified qualifier.\"}");

        RawHttp.Response noSuchVersion = invoke("routes-fn", "?Qualifier=7");
        assertThat(noSuchVersion.status()).isEqualTo(404);
        assertThat(noSuchVersion.header("x-amzn-ErrorType")).isEqualTo("ResourceNotFoundException");
    }

    @Test
    void anEncodedSlashIsPartOfTheNameAndMakesItInvalid() {
        RawHttp.Response r = RawHttp.get(spur.port(), "/2015-03-31/functions/bad%2Fname/configuration");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("x-amzn-ErrorType")).isEqualTo("InvalidParameterValueException");
        assertThat(r.json().get("message").asText())
                .startsWith("1 validation error detected: Value 'bad/name' at 'functionName' failed to satisfy"
                        + " constraint: Member must satisfy regular expression pattern: ");
    }

    @Test
    void aMissingFunctionIsResourceNotFoundNamingItsArn() {
        RawHttp.Response r = RawHttp.get(spur.port(), "/2015-03-31/functions/nope");

        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 404 Not Found");
        assertThat(r.header("x-amzn-ErrorType")).isEqualTo("ResourceNotFoundException");
        assertThat(r.text())
                .isEqualTo("{\"Type\":\"User\",\"message\":\"Function not found:"
                        + " arn:aws:lambda:us-east-1:000000000000:function:nope\"}");
    }

    @Test
    void aliasAndTagPathsDecodeTheirParameters() {
        RawHttp.Response alias = RawHttp.get(spur.port(), "/2015-03-31/functions/routes-fn/aliases/live");
        RawHttp.Response tags = RawHttp.get(spur.port(), "/2017-03-31/tags/" + ARN.replace(":", "%3A"));

        assertThat(alias.status()).isEqualTo(200);
        assertThat(alias.json().get("AliasArn").asText()).isEqualTo(ARN + ":live");
        assertThat(tags.status()).isEqualTo(200);
        assertThat(tags.text()).isEqualTo("{\"Tags\":{}}");
    }

    @Test
    void unknownGatewayAndFunctionUrlIdsAnswerInTheirOwnShapes() {
        RawHttp.Response api = RawHttp.get(spur.port(), "/gw/abcdefghij/x");
        RawHttp.Response url = RawHttp.get(spur.port(), "/url/" + "abcdefgh".repeat(4) + "/x");
        RawHttp.Response tooShort = RawHttp.get(spur.port(), "/url/abc/x");

        assertThat(api.status()).isEqualTo(404);
        assertThat(api.header("apigw-requestid")).isNotBlank();
        assertThat(api.text()).isEqualTo("{\"message\":\"Not Found\"}");
        assertThat(url.status()).isEqualTo(404);
        assertThat(url.header("x-amzn-RequestId")).isNotBlank();
        assertThat(url.text()).isEqualTo("{\"Message\":\"Not Found\"}");
        assertThat(tooShort.header("x-amzn-ErrorType"))
                .as("not a URL id: Lambda's router answers")
                .isEqualTo("UnknownOperationException");
    }

    @Test
    void healthAnswersOk() {
        RawHttp.Response r = RawHttp.get(spur.port(), "/spur/v1/health");

        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.text()).isEqualTo("{\"status\":\"ok\"}");
    }

    /** The version a DryRun invoke resolves to. */
    private static String dryRun(String ref, String query) {
        RawHttp.Response r = invoke(ref, query);
        assertThat(r.status()).as(ref + query + ": " + r).isEqualTo(204);
        return r.header("X-Amz-Executed-Version");
    }

    private static RawHttp.Response invoke(String ref, String query) {
        return RawHttp.call(
                spur.port(),
                "POST",
                "/2015-03-31/functions/" + ref + "/invocations" + query,
                Map.of("X-Amz-Invocation-Type", "DryRun"),
                "{}".getBytes());
    }
}
