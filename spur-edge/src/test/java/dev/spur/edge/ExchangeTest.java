package dev.spur.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Exchange}: what a route reads of a request, and how its one answer is written. Each path of the
 * server below exercises one part.
 */
class ExchangeTest {
    static BareJetty jetty;

    @BeforeAll
    static void start() {
        jetty = BareJetty.serve(x -> {
            switch (x.path()) {
                case "/body" -> {
                    byte[] first = x.body(10);
                    byte[] again = x.body(1000);
                    RouterTest.answer(x, 200, first.length + " " + (first == again));
                }
                case "/query" ->
                    RouterTest.answer(
                            x,
                            200,
                            x.query("k").orElseThrow() + " " + x.queryValues("k") + " "
                                    + x.query("q").orElseThrow() + " "
                                    + x.query("none").isPresent() + " "
                                    + x.queryValues("none") + " raw=" + x.rawQuery());
                case "/function-headers" ->
                    x.send(
                            201,
                            List.of(
                                    Map.entry("Set-Cookie", "a=1"),
                                    Map.entry("Set-Cookie", "b=2"),
                                    Map.entry("Content-Length", "999"),
                                    Map.entry("Transfer-Encoding", "chunked"),
                                    Map.entry("Connection", "keep-alive"),
                                    Map.entry("X-Fn", "y")),
                            "body".getBytes(StandardCharsets.UTF_8));
                case "/twice" -> {
                    RouterTest.answer(x, 200, "first");
                    RouterTest.answer(x, 500, "second " + x.answered());
                }
                case "/empty" -> x.send(204, Map.of("x-amzn-RequestId", "r-1"), "application/json", null);
                default ->
                    RouterTest.answer(
                            x,
                            200,
                            x.headers().stream()
                                            .filter(h -> h.getKey().startsWith("X-"))
                                            .map(h -> h.getKey() + "=" + h.getValue())
                                            .toList()
                                    + " first=" + x.header("x-a").orElseThrow() + " raw=" + x.rawPath()
                                    + " authority=" + x.authority() + " protocol=" + x.protocol());
            }
        });
    }

    @AfterAll
    static void stop() {
        jetty.close();
    }

    @Test
    void theBodyIsReadUpToTheLimitPlusOneByteAndTheFirstReadIsKept() {
        assertThat(jetty.send("POST /body HTTP/1.1", "x".repeat(100)).body()).isEqualTo("11 true");
        assertThat(jetty.send("POST /body HTTP/1.1", "x".repeat(10)).body()).isEqualTo("10 true");
        assertThat(jetty.send("POST /body HTTP/1.1", "").body()).isEqualTo("0 true");
    }

    @Test
    void queryParametersAreDecodedAndRepeatsKeptInOrder() {
        assertThat(jetty.get("/query?k=1&q=%24LATEST&k=2").body())
                .isEqualTo("1 [1, 2] $LATEST false [] raw=k=1&q=%24LATEST&k=2");
    }

    @Test
    void headersKeepTheirOrderAndRepeatsAndThePathStaysEncoded() {
        BareJetty.Answer r = jetty.send("GET /a%2Fb/c%3Ad HTTP/1.1\r\nX-A: 1\r\nX-B: 2\r\nX-A: 3", "");

        assertThat(r.body())
                .isEqualTo("[X-A=1, X-B=2, X-A=3] first=1 raw=/a%2Fb/c%3Ad authority=localhost protocol=HTTP/1.1");
    }

    @Test
    void aFunctionsHeadersAreSentAsTheyAreExceptFraming() {
        BareJetty.Answer r = jetty.get("/function-headers");

        assertThat(r.status()).isEqualTo(201);
        assertThat(r.header("Set-Cookie")).containsExactly("a=1", "b=2");
        assertThat(r.header("X-Fn")).containsExactly("y");
        assertThat(r.header("Content-Length")).containsExactly("4");
        assertThat(r.header("Transfer-Encoding")).isEmpty();
        assertThat(r.body()).isEqualTo("body");
    }

    @Test
    void onlyTheFirstAnswerIsSent() {
        BareJetty.Answer r = jetty.get("/twice");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("first");
    }

    @Test
    void aNullBodyIsAnEmptyAnswerWithoutAContentType() {
        BareJetty.Answer r = jetty.send("DELETE /empty HTTP/1.1", "");

        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("x-amzn-RequestId")).containsExactly("r-1");
        assertThat(r.header("Content-Type")).isEmpty();
        assertThat(r.body()).isEmpty();
    }
}
