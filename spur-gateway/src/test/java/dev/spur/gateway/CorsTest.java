package dev.spur.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.common.CorsConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Function URL CORS ("Cross-origin resource sharing (CORS)" in the Lambda developer guide). */
class CorsTest {
    private static final CorsConfig EXAMPLE_COM = new CorsConfig(
            false,
            List.of("X-Custom-Header", "Content-Type"),
            List.of("GET", "POST"),
            List.of("https://www.example.com"),
            List.of("Date", "X-Request-Id"),
            300);
    private static final CorsConfig ANY_ORIGIN =
            new CorsConfig(false, List.of(), List.of("*"), List.of("*"), List.of(), 0);
    private static final CorsConfig ANY_ORIGIN_WITH_CREDENTIALS =
            new CorsConfig(true, List.of("*"), List.of("*"), List.of("*"), List.of(), 0);

    @Test
    void preflightFromAllowedOriginIsAnsweredWithTheConfiguration() {
        HttpResponseData resp = Cors.preflight(
                        EXAMPLE_COM,
                        preflight("https://www.example.com", "POST")
                                .header("Access-Control-Request-Headers", "content-type")
                                .build())
                .orElseThrow();

        assertThat(resp.status()).isEqualTo(200);
        assertThat(resp.body()).isEmpty();
        assertThat(resp.headers())
                .containsExactly(
                        Map.entry("Access-Control-Allow-Origin", "https://www.example.com"),
                        Map.entry("Vary", "Origin"),
                        Map.entry("Access-Control-Allow-Methods", "GET,POST"),
                        Map.entry("Access-Control-Allow-Headers", "X-Custom-Header,Content-Type"),
                        Map.entry("Access-Control-Max-Age", "300"));
    }

    @Test
    void preflightFromDeniedOriginIsAnsweredWithoutCorsHeaders() {
        HttpResponseData resp = Cors.preflight(
                        EXAMPLE_COM, preflight("https://evil.example", "GET").build())
                .orElseThrow();

        assertThat(resp.status()).isEqualTo(200);
        assertThat(resp.headers()).noneMatch(h -> h.getKey().startsWith("Access-Control-"));
    }

    @Test
    void preflightForAMethodNotAllowedIsAnsweredWithoutCorsHeaders() {
        HttpResponseData resp = Cors.preflight(
                        EXAMPLE_COM,
                        preflight("https://www.example.com", "DELETE").build())
                .orElseThrow();

        assertThat(resp.headers()).noneMatch(h -> h.getKey().startsWith("Access-Control-"));
    }

    @Test
    void wildcardOriginWithoutCredentialsAnswersStar() {
        HttpResponseData resp = Cors.preflight(
                        ANY_ORIGIN, preflight("http://localhost:60905", "PUT").build())
                .orElseThrow();

        assertThat(resp.header("Access-Control-Allow-Origin")).contains("*");
        assertThat(resp.header("Vary")).isEmpty();
        assertThat(resp.header("Access-Control-Allow-Credentials")).isEmpty();
        assertThat(resp.header("Access-Control-Allow-Methods")).contains("*");
        assertThat(resp.header("Access-Control-Allow-Headers")).isEmpty();
        assertThat(resp.header("Access-Control-Max-Age")).contains("0");
    }

    @Test
    void wildcardOriginWithCredentialsEchoesTheOriginMethodAndHeaders() {
        HttpResponseData resp = Cors.preflight(
                        ANY_ORIGIN_WITH_CREDENTIALS,
                        preflight("http://localhost:60905", "PUT")
                                .header("Access-Control-Request-Headers", "x-a, x-b")
                                .build())
                .orElseThrow();

        assertThat(resp.header("Access-Control-Allow-Origin")).contains("http://localhost:60905");
        assertThat(resp.header("Vary")).contains("Origin");
        assertThat(resp.header("Access-Control-Allow-Credentials")).contains("true");
        assertThat(resp.header("Access-Control-Allow-Methods")).contains("PUT");
        assertThat(resp.header("Access-Control-Allow-Headers")).contains("x-a, x-b");
    }

    @Test
    void requestsThatAreNotPreflightsGoToTheFunction() {
        assertThat(Cors.preflight(ANY_ORIGIN, Requests.request("OPTIONS", "/").build()))
                .isEmpty();
        assertThat(Cors.preflight(
                        ANY_ORIGIN,
                        Requests.request("OPTIONS", "/")
                                .header("Origin", "https://www.example.com")
                                .build()))
                .isEmpty();
        assertThat(Cors.preflight(
                        ANY_ORIGIN,
                        Requests.get("/")
                                .header("Origin", "https://www.example.com")
                                .header("Access-Control-Request-Method", "GET")
                                .build()))
                .isEmpty();
    }

    @Test
    void actualResponseFromAllowedOriginGetsOriginAndExposeHeadersAndConfigWinsOverTheFunction() {
        HttpResponseData fromFunction = new HttpResponseData(
                201,
                List.of(
                        Map.entry("content-type", "text/plain"),
                        Map.entry("access-control-allow-origin", "*"),
                        Map.entry("Access-Control-Expose-Headers", "X-Secret")),
                "hi".getBytes(StandardCharsets.UTF_8));

        HttpResponseData resp = Cors.decorate(
                EXAMPLE_COM,
                Requests.get("/").header("origin", "https://www.example.com").build(),
                fromFunction);

        assertThat(resp.status()).isEqualTo(201);
        assertThat(resp.body()).isEqualTo(fromFunction.body());
        assertThat(resp.headers())
                .containsExactly(
                        Map.entry("content-type", "text/plain"),
                        Map.entry("Access-Control-Allow-Origin", "https://www.example.com"),
                        Map.entry("Vary", "Origin"),
                        Map.entry("Access-Control-Expose-Headers", "Date,X-Request-Id"));
    }

    @Test
    void actualResponseWithCredentialsEchoesOriginEvenForWildcard() {
        HttpResponseData resp = Cors.decorate(
                ANY_ORIGIN_WITH_CREDENTIALS,
                Requests.get("/").header("Origin", "https://app.example").build(),
                ok());

        assertThat(resp.header("Access-Control-Allow-Origin")).contains("https://app.example");
        assertThat(resp.header("Access-Control-Allow-Credentials")).contains("true");
        assertThat(resp.headerValues("Vary")).containsExactly("Origin");
        assertThat(resp.header("Access-Control-Expose-Headers")).isEmpty();
    }

    @Test
    void actualResponseFromDeniedOriginOrWithoutOriginIsUnchanged() {
        HttpResponseData ok = ok();

        assertThat(Cors.decorate(
                        EXAMPLE_COM,
                        Requests.get("/")
                                .header("Origin", "https://evil.example")
                                .build(),
                        ok))
                .isSameAs(ok);
        assertThat(Cors.decorate(EXAMPLE_COM, Requests.get("/").build(), ok)).isSameAs(ok);
    }

    private static HttpResponseData ok() {
        return new HttpResponseData(200, List.of(Map.entry("content-type", "application/json")), new byte[0]);
    }

    private static Requests preflight(String origin, String method) {
        return Requests.request("OPTIONS", "/")
                .header("Origin", origin)
                .header("Access-Control-Request-Method", method);
    }
}
