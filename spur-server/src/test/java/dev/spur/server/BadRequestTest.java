package dev.spur.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Malformed requests written byte by byte to a real server's socket, and what comes back (after
 * Helidon's {@code BadRequestTest}). HTTP that cannot be parsed is answered by Jetty (an HTML error page,
 * and the connection closes); a request that parses but whose JSON does not is answered in Lambda's error
 * shape, and the connection stays usable. These pin today's answers.
 */
class BadRequestTest {
    static RunningSpur spur;

    @BeforeAll
    static void start() {
        spur = RunningSpur.start();
        Functions.create(spur.port(), "bad-fn");
    }

    @AfterAll
    static void stop() {
        spur.close();
    }

    @Test
    void aRequestLineWithoutAUriIs400AndTheConnectionCloses() {
        try (RawHttp http = RawHttp.connect(spur.port())) {
            RawHttp.Response r = http.send("GARBAGE\r\n\r\n").read();

            assertJettyError(r, "HTTP/1.1 400 Bad Request", "400 No URI");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void aHeaderWithoutAColonIs400AndTheConnectionCloses() {
        try (RawHttp http = RawHttp.connect(spur.port())) {
            RawHttp.Response r = http.send("GET /spur/v1/health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
                    .read();

            assertJettyError(r, "HTTP/1.1 400 Bad Request", "400 Illegal character SPACE=&apos; &apos;");
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void headersUpToSixtyFourKilobytesAreReadAndMoreAre431() {
        RawHttp.Response fits = RawHttp.exchange(
                spur.port(), "GET /spur/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(60 * 1024) + "\r\n\r\n");
        try (RawHttp http = RawHttp.connect(spur.port())) {
            RawHttp.Response tooLarge = http.send(
                            "GET /spur/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(64 * 1024) + "\r\n\r\n")
                    .read();

            assertThat(fits.status()).isEqualTo(200);
            assertJettyError(
                    tooLarge, "HTTP/1.1 431 Request Header Fields Too Large", "431 Request Header Fields Too Large");
            assertThat(tooLarge.header("Connection")).isEqualTo("close");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void anHttp11RequestWithoutHostIs400() {
        try (RawHttp http = RawHttp.connect(spur.port())) {
            RawHttp.Response r =
                    http.send("GET /2015-03-31/functions HTTP/1.1\r\n\r\n").read();

            assertJettyError(r, "HTTP/1.1 400 Bad Request", "400 No Host");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void anHttp2RequestLineIs426UpgradeRequired() {
        RawHttp.Response r = RawHttp.exchange(spur.port(), "GET /spur/v1/health HTTP/2.0\r\nHost: x\r\n\r\n");

        assertJettyError(r, "HTTP/1.1 426 Upgrade Required", "426 Upgrade Required");
    }

    @Test
    void anHttp10RequestIsAnsweredAndTheConnectionCloses() {
        try (RawHttp http = RawHttp.connect(spur.port())) {
            RawHttp.Response r =
                    http.send("GET /spur/v1/health HTTP/1.0\r\n\r\n").read();

            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(r.header("Connection")).isNull();
            assertThat(r.text()).isEqualTo("{\"status\":\"ok\"}");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void malformedChunkedEncodingIsA500ServiceErrorAndTheConnectionCloses() {
        try (RawHttp http = RawHttp.connect(spur.port())) {
            RawHttp.Response r = http.send("POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\n"
                            + "Transfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n")
                    .read();

            // Jetty reports the bad chunk as an I/O failure while the body is read; the edge does not tell it
            // from a server fault (it could answer 400).
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 500 Server Error");
            assertThat(r.header("x-amzn-ErrorType")).isEqualTo("ServiceException");
            assertThat(r.json().get("message").asText())
                    .isEqualTo("An internal error occurred; see the Spur server log for request "
                            + r.header("x-amzn-RequestId") + ".");
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void bothTransferEncodingAndContentLengthIs400() {
        try (RawHttp http = RawHttp.connect(spur.port())) {
            RawHttp.Response r = http.send("POST /spur/v1/health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                            + "Content-Length: 3\r\n\r\n0\r\n\r\n")
                    .read();

            assertJettyError(r, "HTTP/1.1 400 Bad Request", "400 Transfer-Encoding and Content-Length");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void twoContentLengthsOrANegativeOneAre400() {
        RawHttp.Response two = RawHttp.exchange(
                spur.port(),
                "POST /spur/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");
        RawHttp.Response negative =
                RawHttp.exchange(spur.port(), "POST /spur/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n");

        assertJettyError(two, "HTTP/1.1 400 Bad Request", "400 Multiple Content-Lengths");
        assertJettyError(negative, "HTTP/1.1 400 Bad Request", "400 Invalid Content-Length Value");
    }

    @Test
    void bytesBeyondTheContentLengthAreReadAsTheNextRequest() {
        try (RawHttp http = RawHttp.connect(spur.port())) {
            http.send("POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 2\r\n\r\n{}GARBAGE\r\n\r\n");

            RawHttp.Response first = http.read();
            RawHttp.Response second = http.read();

            assertThat(first.status()).isEqualTo(400);
            assertThat(first.header("x-amzn-ErrorType")).isEqualTo("InvalidParameterValueException");
            assertJettyError(second, "HTTP/1.1 400 Bad Request", "400 No URI");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void aBodyShorterThanItsContentLengthIsA500WhenTheClientStopsSending() {
        try (RawHttp http = RawHttp.connect(spur.port())) {
            RawHttp.Response r = http.send("POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\n"
                            + "Content-Type: application/json\r\nContent-Length: 10\r\n\r\n{}")
                    .shutdownOutput()
                    .read();

            assertThat(r.status()).isEqualTo(500);
            assertThat(r.header("x-amzn-ErrorType")).isEqualTo("ServiceException");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void expectContinueGetsA100ThenTheAnswer() {
        try (RawHttp http = RawHttp.connect(spur.port())) {
            RawHttp.Response interim = http.send("POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\n"
                            + "Content-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
                    .read();
            RawHttp.Response answer = http.send("{}").read();

            assertThat(interim.statusLine()).isEqualTo("HTTP/1.1 100 Continue");
            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.json().get("message").asText())
                    .startsWith("1 validation error detected: Value '' at 'functionName'");
        }
    }

    @Test
    void theConnectionStaysUsableAfterErrorAnswersInLambdasShape() {
        try (RawHttp http = RawHttp.connect(spur.port())) {
            RawHttp.Response unknown =
                    http.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n").read();
            RawHttp.Response badJson = http.send("POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\n"
                            + "Content-Type: application/json\r\nContent-Length: 5\r\n\r\n{nope")
                    .read();
            RawHttp.Response health =
                    http.send("GET /spur/v1/health HTTP/1.1\r\nHost: x\r\n\r\n").read();

            assertThat(unknown.status()).isEqualTo(404);
            assertThat(badJson.status()).isEqualTo(400);
            assertThat(health.status()).isEqualTo(200);
            assertThat(unknown.header("Connection")).isNull();
            assertThat(badJson.header("Connection")).isNull();
        }
    }

    @Test
    void aBodyThatIsNotJsonIsInvalidRequestContent() {
        RawHttp.Response r = RawHttp.post(spur.port(), "/2015-03-31/functions", "{nope");

        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
        assertThat(r.header("x-amzn-ErrorType")).isEqualTo("InvalidRequestContentException");
        assertThat(r.text())
                .isEqualTo("{\"Type\":\"User\",\"message\":\"Could not parse request body into json: Unexpected"
                        + " character ('n' (code 110)): was expecting double-quote to start field name\"}");
    }

    @Test
    void aBodyThatIsJsonButNotAnObjectIsInvalidRequestContent() {
        RawHttp.Response array = RawHttp.post(spur.port(), "/2015-03-31/functions", "[]");
        RawHttp.Response number = RawHttp.post(spur.port(), "/2015-03-31/functions/bad-fn/aliases", "42");

        for (RawHttp.Response r : new RawHttp.Response[] {array, number}) {
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.header("x-amzn-ErrorType")).isEqualTo("InvalidRequestContentException");
            assertThat(r.text())
                    .isEqualTo("{\"Type\":\"User\",\"message\":\"The request body must be a JSON object.\"}");
        }
    }

    @Test
    void aFieldOfTheWrongTypeIsNamed() {
        RawHttp.Response name = RawHttp.post(spur.port(), "/2015-03-31/functions", "{\"FunctionName\":42}");
        RawHttp.Response memory = RawHttp.call(
                spur.port(),
                "PUT",
                "/2015-03-31/functions/bad-fn/configuration",
                Map.of("Content-Type", "application/json"),
                "{\"MemorySize\":\"big\"}".getBytes());

        assertThat(name.status()).isEqualTo(400);
        assertThat(name.header("x-amzn-ErrorType")).isEqualTo("InvalidParameterValueException");
        assertThat(name.json().get("message").asText()).isEqualTo("Parameter FunctionName must be a string.");
        assertThat(memory.json().get("message").asText()).isEqualTo("Parameter MemorySize must be an integer.");
    }

    @Test
    void lambdasApiRefusesANonJsonContentTypeButSpursOwnApiReadsJsonWhateverItSays() {
        RawHttp.Response lambda = RawHttp.call(
                spur.port(), "POST", "/2015-03-31/functions", Map.of("Content-Type", "text/plain"), "{}".getBytes());
        RawHttp.Response spurApi = RawHttp.call(
                spur.port(),
                "POST",
                "/spur/v1/schedules",
                Map.of("Content-Type", "application/x-www-form-urlencoded"),
                "[]".getBytes());

        assertThat(lambda.statusLine()).isEqualTo("HTTP/1.1 415 Unsupported Media Type");
        assertThat(lambda.header("x-amzn-ErrorType")).isEqualTo("UnsupportedMediaTypeException");
        assertThat(lambda.json().get("message").asText())
                .isEqualTo("The request body must be JSON; Content-Type text/plain is not supported.");
        assertThat(spurApi.status()).isEqualTo(400);
        assertThat(spurApi.header("x-amzn-ErrorType")).isEqualTo("InvalidRequestContentException");
        assertThat(spurApi.json().get("message").asText()).isEqualTo("The request body must be a JSON object.");
    }

    @Test
    void anInvokePayloadThatIsNotOneJsonValueIsInvalidRequestContent() {
        RawHttp.Response r = RawHttp.call(
                spur.port(),
                "POST",
                "/2015-03-31/functions/bad-fn/invocations",
                Map.of("X-Amz-Invocation-Type", "DryRun"),
                "{\"a\":1} {\"b\":2}".getBytes());

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("x-amzn-ErrorType")).isEqualTo("InvalidRequestContentException");
        assertThat(r.json().get("message").asText())
                .isEqualTo("Could not parse request body into json: Could not parse payload into json: the payload is"
                        + " not a single well-formed JSON value");
    }

    @Test
    void anEmptyBodyIsAnEmptyObject() {
        RawHttp.Response r = RawHttp.call(spur.port(), "POST", "/2015-03-31/functions", Map.of(), new byte[0]);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("x-amzn-ErrorType")).isEqualTo("InvalidParameterValueException");
        assertThat(r.json().get("message").asText())
                .isEqualTo("1 validation error detected: Value '' at 'functionName' failed to satisfy constraint:"
                        + " Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have length between 1"
                        + " and 64");
    }

    /** Jetty's own error page: status line, HTML, no caching, and the reason in the page's heading. */
    private static void assertJettyError(RawHttp.Response r, String statusLine, String heading) {
        assertThat(r.statusLine()).isEqualTo(statusLine);
        assertThat(r.header("Content-Type")).isEqualTo("text/html;charset=iso-8859-1");
        assertThat(r.header("Cache-Control")).isEqualTo("must-revalidate,no-cache,no-store");
        assertThat(r.header("x-amzn-ErrorType")).isNull();
        assertThat(r.text()).contains("<title>Error " + heading + "</title>", "<h2>HTTP ERROR " + heading + "</h2>");
    }
}
