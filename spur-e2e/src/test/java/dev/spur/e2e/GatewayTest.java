package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.Tools;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP APIs served by the gateway, called by path with the JDK's client and by host name with curl:
 * routing, both payload formats end to end, binary bodies, response mapping, gateway errors,
 * throttling, CORS and the access log. Authorizers: {@link GatewayAuthorizersTest}; the management
 * API: {@link GatewayAdminTest}.
 */
@SpurTest
class GatewayTest {
    static final String ORIGIN = "https://app.example";

    static Spur spur;

    @AutoClose
    static Apis apis;

    static Apis.Function echo;
    static String apiId;
    static JsonNode created;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        Tools.python();
        apis = new Apis(spur);
        echo = apis.deploy("gw-echo", Apis.ECHO);
        created = apis.create("""
                {"Name": "pets", "Routes": [
                  {"RouteKey": "GET /pets/{id}", "Target": {"Function": "%1$s"}},
                  {"RouteKey": "GET /pets/mine", "Target": {"Function": "%1$s"}},
                  {"RouteKey": "ANY /pets/{proxy+}", "Target": {"Function": "%1$s"}},
                  {"RouteKey": "GET /things/{id}", "Target": {"Function": "%1$s"}},
                  {"RouteKey": "ANY /things/{id}", "Target": {"Function": "%1$s"}},
                  {"RouteKey": "ANY /files/{proxy+}", "Target": {"Function": "%1$s"}},
                  {"RouteKey": "POST /upload", "Target": {"Function": "%1$s"}},
                  {"RouteKey": "ANY /v1/pets/{id}", "Target": {"Function": "%1$s"}, "PayloadFormatVersion": "1.0"},
                  {"RouteKey": "$default", "Target": {"Function": "%1$s"}}
                ]}""".formatted(echo.name()));
        apiId = created.get("ApiId").asText();
    }

    static String routeKey(HttpResponse<byte[]> r) {
        return Apis.ok(r).get("requestContext").get("routeKey").asText();
    }

    @Test
    void mostSpecificRouteWins() {
        assertThat(routeKey(apis.get(apiId, "/pets/mine"))).isEqualTo("GET /pets/mine");
        assertThat(routeKey(apis.get(apiId, "/pets/42"))).isEqualTo("GET /pets/{id}");
        assertThat(routeKey(apis.get(apiId, "/pets/42/toys"))).isEqualTo("ANY /pets/{proxy+}");
        assertThat(routeKey(apis.call(apiId, "DELETE", "/pets/42", null))).isEqualTo("ANY /pets/{proxy+}");
        assertThat(routeKey(apis.get(apiId, "/things/7"))).isEqualTo("GET /things/{id}");
        assertThat(routeKey(apis.call(apiId, "DELETE", "/things/7", null))).isEqualTo("ANY /things/{id}");
        assertThat(routeKey(apis.get(apiId, "/nowhere/at/all"))).isEqualTo("$default");
        assertThat(routeKey(apis.get(apiId, "/"))).isEqualTo("$default");
    }

    @Test
    void pathParametersAndGreedyParametersAreDecoded() {
        JsonNode pet = Apis.ok(apis.get(apiId, "/pets/a%20b"));
        assertThat(pet.get("pathParameters").get("id").asText()).isEqualTo("a b");
        assertThat(pet.get("rawPath").asText()).isEqualTo("/pets/a%20b");
        JsonNode file = Apis.ok(apis.call(apiId, "PUT", "/files/dir/sub/name.txt", "x".getBytes()));
        assertThat(file.get("requestContext").get("routeKey").asText()).isEqualTo("ANY /files/{proxy+}");
        assertThat(file.get("pathParameters").get("proxy").asText()).isEqualTo("dir/sub/name.txt");
        assertThat(file.get("requestContext").get("http").get("method").asText())
                .isEqualTo("PUT");
        JsonNode fallback = Apis.ok(apis.get(apiId, "/files"));
        assertThat(fallback.get("requestContext").get("routeKey").asText())
                .as("a greedy variable needs a segment")
                .isEqualTo("$default");
        assertThat(fallback.has("pathParameters")).isFalse();
    }

    @Test
    void payloadV2EventCarriesTheRequest() {
        HttpResponse<byte[]> r = apis.get(apiId, "/pets/42?" + Apis.SAMPLE_QUERY, Apis.SAMPLE_HEADERS);
        JsonNode event = Apis.ok(r);
        Apis.assertCarriesTheSampleRequest(event, "GET /pets/{id}", "/pets/42");
        assertThat(event.get("pathParameters").get("id").asText()).isEqualTo("42");
        assertThat(event.get("isBase64Encoded").asBoolean()).isFalse();
        JsonNode context = event.get("requestContext");
        assertThat(context.get("routeKey").asText()).isEqualTo("GET /pets/{id}");
        assertThat(context.get("stage").asText()).isEqualTo("$default");
        assertThat(context.get("apiId").asText()).isEqualTo(apiId);
        assertThat(context.get("domainPrefix").asText()).isEqualTo(apiId);
        assertThat(context.get("accountId").asText()).isNotBlank();
        assertThat(context.get("http").get("method").asText()).isEqualTo("GET");
        assertThat(context.get("http").get("path").asText()).isEqualTo("/pets/42");
        assertThat(context.get("http").get("sourceIp").asText()).isEqualTo("127.0.0.1");
        assertThat(context.get("requestId").asText())
                .isEqualTo(r.headers().firstValue("apigw-requestid").orElseThrow());
        assertThat(context.has("authorizer")).isFalse();
    }

    @Test
    void payloadV1EventCarriesTheRequest() {
        HttpResponse<byte[]> r = apis.call(
                apiId,
                "PATCH",
                "/v1/pets/7?x=1&x=2&y=3",
                "{\"k\":1}".getBytes(),
                "Content-Type",
                "application/json",
                "X-Multi",
                "one",
                "X-Multi",
                "two");
        JsonNode event = Apis.ok(r);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(event.get("version").asText()).isEqualTo("1.0");
        assertThat(event.get("resource").asText()).isEqualTo("/v1/pets/{id}");
        assertThat(event.get("path").asText()).isEqualTo("/v1/pets/7");
        assertThat(event.get("httpMethod").asText()).isEqualTo("PATCH");
        assertThat(event.get("pathParameters").get("id").asText()).isEqualTo("7");
        assertThat(Json.MAPPER.convertValue(
                        event.get("multiValueQueryStringParameters").get("x"), String[].class))
                .containsExactly("1", "2");
        assertThat(event.get("queryStringParameters").get("y").asText()).isEqualTo("3");
        JsonNode multi = event.get("multiValueHeaders");
        String name = multi.has("X-Multi") ? "X-Multi" : "x-multi";
        assertThat(Json.MAPPER.convertValue(multi.get(name), String[].class)).containsExactly("one", "two");
        assertThat(event.get("headers").get(name).asText()).isEqualTo("two");
        assertThat(event.get("body").asText()).isEqualTo("{\"k\":1}");
        assertThat(event.get("isBase64Encoded").asBoolean()).isFalse();
        JsonNode context = event.get("requestContext");
        assertThat(context.get("resourcePath").asText()).isEqualTo("/v1/pets/{id}");
        assertThat(context.get("httpMethod").asText()).isEqualTo("PATCH");
        assertThat(context.get("stage").asText()).isEqualTo("$default");
        assertThat(context.get("path").asText()).isEqualTo("/v1/pets/7");
        assertThat(context.get("requestId").asText())
                .isEqualTo(r.headers().firstValue("apigw-requestid").orElseThrow());
        assertThat(context.get("identity").get("sourceIp").asText()).isEqualTo("127.0.0.1");
    }

    @Test
    void binaryBodyRoundTripsExactly() {
        byte[] png = png(new Random(7), 50_000);
        for (String path : List.of("/upload", "/v1/pets/bin")) {
            HttpResponse<byte[]> r =
                    apis.call(apiId, "POST", path, png, "Content-Type", "image/png", "X-Mode", "binary");
            assertThat(r.statusCode()).as(path + ": " + Apis.text(r)).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).as(path).hasValue("image/png");
            assertThat(r.headers().firstValue("x-received-base64")).as(path).hasValue("true");
            assertThat(r.body()).as(path).isEqualTo(png);
        }
        JsonNode seen = echo.events().stream()
                .filter(e -> "/upload".equals(e.path("rawPath").asText()))
                .reduce((a, b) -> b)
                .orElseThrow();
        assertThat(seen.get("isBase64Encoded").asBoolean()).isTrue();
        assertThat(Base64.getDecoder().decode(seen.get("body").asText())).isEqualTo(png);
    }

    /** A PNG signature and IHDR-like start followed by random bytes: binary, and certainly not UTF-8. */
    static byte[] png(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        System.arraycopy(signature, 0, bytes, 0, signature.length);
        bytes[size - 1] = (byte) 0xff;
        return bytes;
    }

    @Test
    void structuredResponsesAreMapped() {
        HttpResponse<byte[]> v2 = apis.get(apiId, "/pets/1", "X-Mode", "structured");
        assertThat(v2.statusCode()).isEqualTo(201);
        assertThat(v2.headers().allValues("set-cookie")).containsExactly("a=1; Path=/", "b=2");
        assertThat(v2.headers().firstValue("x-custom")).hasValue("custom-value");
        assertThat(v2.headers().firstValue("content-type")).hasValue("text/plain");
        assertThat(Apis.text(v2)).isEqualTo("created");

        HttpResponse<byte[]> v1 = apis.get(apiId, "/v1/pets/1", "X-Mode", "structured");
        assertThat(v1.statusCode()).isEqualTo(202);
        assertThat(v1.headers().allValues("x-multi")).containsExactly("one", "two");
        assertThat(v1.headers().allValues("x-both")).containsExactly("from-multi");
        assertThat(v1.headers().firstValue("x-single")).hasValue("s");
        assertThat(Apis.text(v1)).isEqualTo("accepted");

        HttpResponse<byte[]> inferred = apis.get(apiId, "/pets/1");
        assertThat(inferred.statusCode()).isEqualTo(200);
        assertThat(inferred.headers().firstValue("content-type")).hasValue("application/json");
    }

    @Test
    void failuresAnswerAsApiGatewayDoes() {
        HttpResponse<byte[]> malformed = apis.get(apiId, "/pets/1", "X-Mode", "malformed");
        assertThat(malformed.statusCode()).isEqualTo(502);
        assertThat(Apis.json(malformed.body()).get("message").asText()).isEqualTo("Internal Server Error");
        HttpResponse<byte[]> malformedV1 = apis.get(apiId, "/v1/pets/1", "X-Mode", "malformed");
        assertThat(malformedV1.statusCode()).isEqualTo(502);
        HttpResponse<byte[]> raised = apis.get(apiId, "/pets/1", "X-Mode", "raise");
        assertThat(raised.statusCode()).isEqualTo(500);
        assertThat(Apis.json(raised.body()).get("message").asText()).isEqualTo("Internal Server Error");
        assertThat(Apis.text(raised)).doesNotContain("failing on purpose");
        assertThat(apis.accessLine(apiId, raised).get("integrationErrorMessage").asText())
                .isNotEqualTo("-");
    }

    @Test
    void slowFunctionTimesOutWithGatewayTimeout() {
        JsonNode api = apis.create("""
                {"Name": "slow", "IntegrationTimeoutMillis": 500,
                 "Routes": [{"RouteKey": "GET /slow", "Target": {"Function": "%s"}}]}""".formatted(echo.name()));
        String id = api.get("ApiId").asText();
        Apis.ok(apis.get(id, "/slow")); // a warm environment, so the timeout is not a cold start's
        long start = System.nanoTime();
        HttpResponse<byte[]> r = apis.get(id, "/slow", "X-Mode", "sleep");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(r.statusCode()).as(Apis.text(r)).isEqualTo(504);
        assertThat(Apis.json(r.body()).get("message").asText()).isEqualTo("Endpoint request timed out");
        assertThat(millis)
                .as("answered at the integration timeout, not after the 2 s sleep")
                .isBetween(450L, 1_900L);
        JsonNode line = apis.accessLine(id, r);
        assertThat(line.get("status").asText()).isEqualTo("504");
        assertThat(line.get("integrationErrorMessage").asText()).contains("500 ms");
    }

    @Test
    void bodyOverTenMegabytesIsRefused() {
        int before = echo.events().size();
        byte[] big = new byte[10 * 1024 * 1024 + 1];
        HttpResponse<byte[]> r = apis.call(apiId, "POST", "/upload", big, "Content-Type", "application/octet-stream");
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(Apis.json(r.body()).get("message").asText()).isEqualTo("Request Entity Too Large");
        assertThat(apis.accessLine(apiId, r).get("status").asText()).isEqualTo("413");
        assertThat(echo.events()).as("the function was not invoked").hasSize(before);
    }

    @Test
    void unmatchedRequestIsNotFound() {
        String id = apis.create("""
                {"Name": "only", "Routes": [{"RouteKey": "GET /only", "Target": {"Function": "%s"}}]}""".formatted(echo.name())).get("ApiId").asText();
        for (String path : List.of("/other", "/only/more", "/")) {
            HttpResponse<byte[]> r = apis.get(id, path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(Apis.json(r.body()).get("message").asText()).isEqualTo("Not Found");
            assertThat(r.headers().firstValue("apigw-requestid")).isPresent();
        }
        assertThat(apis.call(id, "POST", "/only", new byte[0]).statusCode())
                .as("method must match")
                .isEqualTo(404);
        assertThat(apis.get("zzzzzzzzzz", "/only").statusCode())
                .as("unknown API")
                .isEqualTo(404);
    }

    @Test
    void routeThrottleAnswersTooManyRequests() throws Exception {
        String id = apis.create("""
                {"Name": "throttled", "Routes": [
                  {"RouteKey": "GET /limited", "Target": {"Function": "%1$s"},
                   "Throttle": {"RateLimit": 1, "BurstLimit": 2}},
                  {"RouteKey": "GET /free", "Target": {"Function": "%1$s"}}]}""".formatted(echo.name())).get("ApiId").asText();
        assertThat(statuses(burst(id, "/limited", "/limited", "/limited"))).containsExactlyInAnyOrder(200, 200, 429);
        assertThat(statuses(burst(id, "/free", "/free", "/free"))).containsOnly(200);
    }

    @Test
    void apiThrottleCoversEveryRoute() throws Exception {
        String id = apis.create("""
                {"Name": "api-throttled", "Throttle": {"RateLimit": 1, "BurstLimit": 2}, "Routes": [
                  {"RouteKey": "GET /a", "Target": {"Function": "%1$s"}},
                  {"RouteKey": "GET /b", "Target": {"Function": "%1$s"}}]}""".formatted(echo.name())).get("ApiId").asText();
        assertThat(statuses(burst(id, "/a", "/b", "/a"))).containsExactlyInAnyOrder(200, 200, 429);
    }

    /** Sends the requests at once, so no token refills in between; checks every 429's Retry-After. */
    private static List<HttpResponse<byte[]>> burst(String id, String... paths) {
        List<CompletableFuture<HttpResponse<byte[]>>> futures = new ArrayList<>();
        for (String path : paths) {
            futures.add(apis.http.sendAsync(
                    HttpRequest.newBuilder(apis.uri(id, path)).GET().build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        List<HttpResponse<byte[]>> responses =
                futures.stream().map(CompletableFuture::join).toList();
        for (HttpResponse<byte[]> r : responses) {
            if (r.statusCode() == 429) {
                assertThat(Integer.parseInt(
                                r.headers().firstValue("retry-after").orElseThrow()))
                        .isBetween(1, 2);
                assertThat(Apis.json(r.body()).get("message").asText()).isEqualTo("Too Many Requests");
            }
        }
        return responses;
    }

    private static List<Integer> statuses(List<HttpResponse<byte[]>> responses) {
        return responses.stream().map(HttpResponse::statusCode).toList();
    }

    @Test
    void corsPreflightIsAnsweredWithoutInvoking() {
        String id = apis.create("""
                {"Name": "cors", "Cors": {"AllowOrigins": ["%s"], "AllowMethods": ["GET", "POST"],
                  "AllowHeaders": ["x-mode"], "ExposeHeaders": ["x-custom"], "MaxAge": 300},
                 "Routes": [{"RouteKey": "ANY /cors/{proxy+}", "Target": {"Function": "%s"}}]}""".formatted(ORIGIN, echo.name())).get("ApiId").asText();
        HttpResponse<byte[]> preflight = apis.call(
                id, "OPTIONS", "/cors/preflight", null, "Origin", ORIGIN, "Access-Control-Request-Method", "POST");
        assertThat(preflight.statusCode()).isBetween(200, 204);
        assertThat(preflight.headers().firstValue("access-control-allow-origin"))
                .hasValue(ORIGIN);
        assertThat(preflight.headers().firstValue("access-control-max-age")).hasValue("300");
        assertThat(preflight
                        .headers()
                        .firstValue("access-control-allow-methods")
                        .orElseThrow())
                .contains("POST");
        JsonNode line = apis.accessLine(id, preflight);
        assertThat(line.get("integrationLatency").asText()).isEqualTo("-");

        HttpResponse<byte[]> actual = apis.get(id, "/cors/actual", "Origin", ORIGIN, "X-Mode", "structured");
        assertThat(actual.statusCode()).isEqualTo(201);
        assertThat(actual.headers().firstValue("access-control-allow-origin")).hasValue(ORIGIN);
        assertThat(actual.headers().firstValue("access-control-expose-headers").orElse(""))
                .contains("x-custom");
        HttpResponse<byte[]> stranger = apis.get(id, "/cors/actual", "Origin", "https://evil.example");
        assertThat(stranger.headers().firstValue("access-control-allow-origin")).isEmpty();
        assertThat(echo.events())
                .as("the preflight never reached the function")
                .noneMatch(e -> e.path("rawPath").asText().equals("/cors/preflight"))
                .anyMatch(e -> e.path("rawPath").asText().equals("/cors/actual"));
    }

    @Test
    void accessLogHasOneJsonLinePerRequest() {
        String id = apis.create("""
                {"Name": "logged", "Routes": [{"RouteKey": "GET /logged/{id}", "Target": {"Function": "%s"}}]}""".formatted(echo.name())).get("ApiId").asText();
        HttpResponse<byte[]> ok = apis.get(id, "/logged/1?q=1");
        HttpResponse<byte[]> missing = apis.get(id, "/nothing");
        HttpResponse<byte[]> failed = apis.get(id, "/logged/2", "X-Mode", "raise");
        List<JsonNode> lines = apis.awaitAccessLog(id, "three lines", ls -> ls.size() >= 3);
        assertThat(lines).hasSize(3);
        assertThat(lines)
                .extracting(l -> l.get("requestId").asText())
                .containsExactly(
                        ok.headers().firstValue("apigw-requestid").orElseThrow(),
                        missing.headers().firstValue("apigw-requestid").orElseThrow(),
                        failed.headers().firstValue("apigw-requestid").orElseThrow());
        JsonNode first = lines.get(0);
        assertThat(first.get("routeKey").asText()).isEqualTo("GET /logged/{id}");
        assertThat(first.get("status").asText()).isEqualTo("200");
        assertThat(first.get("httpMethod").asText()).isEqualTo("GET");
        assertThat(first.get("path").asText()).isEqualTo("/logged/1");
        assertThat(first.get("ip").asText()).isEqualTo("127.0.0.1");
        assertThat(first.get("protocol").asText()).isEqualTo("HTTP/1.1");
        assertThat(first.get("responseLength").asText()).isEqualTo(Integer.toString(ok.body().length));
        assertThat(Long.parseLong(first.get("integrationLatency").asText())).isGreaterThanOrEqualTo(0);
        assertThat(Long.parseLong(first.get("responseLatency").asText()))
                .isGreaterThanOrEqualTo(
                        Long.parseLong(first.get("integrationLatency").asText()));
        assertThat(first.get("integrationStatus").asText()).isEqualTo("200");
        assertThat(first.get("integrationErrorMessage").asText()).isEqualTo("-");
        assertThat(first.get("requestTime").asText()).matches("\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000");
        JsonNode second = lines.get(1);
        assertThat(second.get("routeKey").asText()).isEqualTo("-");
        assertThat(second.get("status").asText()).isEqualTo("404");
        assertThat(second.get("integrationLatency").asText()).isEqualTo("-");
        assertThat(lines.get(2).get("status").asText()).isEqualTo("500");
    }

    @Test
    void hostNameEndpointWorksWithCurl() throws Exception {
        URI endpoint = URI.create(created.get("ApiEndpoint").asText());
        assertThat(endpoint.getHost()).isEqualTo(apiId + ".execute-api.us-east-1.localhost");
        assertThat(endpoint.getPort()).isEqualTo(URI.create(spur.endpoint()).getPort());
        assertThat(created.get("ApiPathEndpoint").asText()).isEqualTo(spur.endpoint() + "/gw/" + apiId);

        Curl r = Curl.run(dir, endpoint + "/pets/9?x=1&x=2", "-H", "Cookie: k=v");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers("apigw-requestid")).isNotEmpty();
        JsonNode event = Json.MAPPER.readTree(r.body());
        assertThat(event.get("routeKey").asText()).isEqualTo("GET /pets/{id}");
        assertThat(event.get("rawPath").asText()).isEqualTo("/pets/9");
        assertThat(event.get("queryStringParameters").get("x").asText()).isEqualTo("1,2");
        assertThat(Json.MAPPER.convertValue(event.get("cookies"), String[].class))
                .containsExactly("k=v");
        assertThat(event.get("headers").get("user-agent").asText()).startsWith("curl/");
        JsonNode context = event.get("requestContext");
        assertThat(context.get("domainName").asText()).isEqualTo(endpoint.getAuthority());
        assertThat(context.get("domainPrefix").asText()).isEqualTo(apiId);
    }
}
