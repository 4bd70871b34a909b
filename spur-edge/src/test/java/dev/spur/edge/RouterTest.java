package dev.spur.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How {@link Router} matches: method and segment count exactly, literals, percent-decoded parameters, first match. */
class RouterTest {
    static BareJetty jetty;

    @BeforeAll
    static void start() {
        Router router = new Router(x -> answer(x, 404, "fallback " + x.method() + " " + x.path()))
                .add("GET", "/", x -> answer(x, 200, "root"))
                .add("GET", "/fn/{name}", x -> answer(x, 200, "fn " + x.pathParameter("name")))
                .add("GET", "/fn/literal", x -> answer(x, 200, "never: the route above matches first"))
                .add(
                        "GET",
                        "/fn/{name}/aliases/{alias}",
                        x -> answer(x, 200, "alias " + x.pathParameter("name") + " " + x.pathParameter("alias")))
                .add("POST", "/fn/{name}", x -> answer(x, 201, "post " + x.pathParameter("name")))
                .add("GET", "/fails", x -> {
                    throw new IllegalStateException("before answering");
                })
                .add("GET", "/fails-late", x -> {
                    answer(x, 200, "answered");
                    throw new IllegalStateException("after answering");
                });
        jetty = BareJetty.serve(router);
    }

    @AfterAll
    static void stop() {
        jetty.close();
    }

    @Test
    void parametersArePercentDecodedSegmentBySegment() {
        assertThat(jetty.get("/fn/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af")
                        .body())
                .isEqualTo("fn arn:aws:lambda:us-east-1:000000000000:function:f");
        assertThat(jetty.get("/fn/a%2Fb").body())
                .as("an encoded slash stays in its segment")
                .isEqualTo("fn a/b");
        assertThat(jetty.get("/fn/f/aliases/%24LATEST").body()).isEqualTo("alias f $LATEST");
        assertThat(jetty.get("/fn/caf%C3%A9").body()).isEqualTo("fn café");
    }

    @Test
    void theFirstMatchingRouteWins() {
        assertThat(jetty.get("/fn/literal").body()).isEqualTo("fn literal");
    }

    @Test
    void aTrailingSlashIsIgnored() {
        assertThat(jetty.get("/fn/f/").body()).isEqualTo("fn f");
        assertThat(jetty.get("/").body()).isEqualTo("root");
    }

    @Test
    void theMethodMustMatchExactly() {
        BareJetty.Answer delete = jetty.send("DELETE /fn/f HTTP/1.1", "");
        BareJetty.Answer lowerCase = jetty.send("get /fn/f HTTP/1.1", "");
        BareJetty.Answer post = jetty.send("POST /fn/f HTTP/1.1", "");

        assertThat(delete.status()).isEqualTo(404);
        assertThat(delete.body()).isEqualTo("fallback DELETE /fn/f");
        assertThat(lowerCase.body()).isEqualTo("fallback get /fn/f");
        assertThat(post.status()).isEqualTo(201);
        assertThat(post.body()).isEqualTo("post f");
    }

    @Test
    void moreOrFewerSegmentsThanAnyRouteFallBack() {
        assertThat(jetty.get("/fn").body()).isEqualTo("fallback GET /fn");
        assertThat(jetty.get("/fn/f/aliases").body()).isEqualTo("fallback GET /fn/f/aliases");
        assertThat(jetty.get("/fn/f/aliases/a/more").body()).isEqualTo("fallback GET /fn/f/aliases/a/more");
        assertThat(jetty.get("/fn//x").body())
                .as("an empty segment is a segment")
                .isEqualTo("fallback GET /fn//x");
    }

    @Test
    void aHandlerThatThrowsBeforeAnsweringFailsTheRequestWithJettys500() {
        BareJetty.Answer r = jetty.get("/fails");

        assertThat(r.status()).isEqualTo(500);
        assertThat(r.header("Content-Type")).containsExactly("text/html;charset=iso-8859-1");
        assertThat(r.body()).contains("<h2>HTTP ERROR 500 java.lang.IllegalStateException: before answering</h2>");
    }

    @Test
    void aHandlerThatThrowsAfterAnsweringKeepsItsAnswer() {
        BareJetty.Answer r = jetty.get("/fails-late");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("answered");
    }

    static void answer(Exchange x, int status, String text) {
        x.send(status, Map.of(), "text/plain", text.getBytes(StandardCharsets.UTF_8));
    }
}
