package dev.spur.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.spur.common.CorsConfig;
import dev.spur.common.HttpApi;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.common.Ticker;
import dev.spur.testing.Jwts;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API service on its own: real route tables, token buckets, JWT verification and access
 * logs, on a fake clock; the functions are the test's own (the service's {@link FunctionInvoker}
 * seam), each recording that it ran.
 */
class HttpApiServiceTest {
    private static final Jwts.Key RSA = Jwts.Key.rsa("rsa1");
    private static final Jwts.Key EC = Jwts.Key.ec("ec1");

    private static final String ACCOUNT = "123456789012";
    private static final String API_ID = "abcde12345";
    private static final Instant START = Instant.parse("2026-03-04T19:15:17Z");

    @TempDir
    Path logs;

    /** The one fake time source: the clock and the ticker move together. */
    private final AtomicLong nanos = new AtomicLong();

    private final Ticker ticker = nanos::get;
    private final InstantSource clock = () -> START.plusNanos(nanos.get());
    private final Map<String, HttpApi> apis = new ConcurrentHashMap<>();
    private final Map<String, Handler> functions = new ConcurrentHashMap<>();
    private final List<FunctionInvoker.Call> calls = new CopyOnWriteArrayList<>();
    private HttpApiService service;

    /** A function of the test: what it answers to a call. */
    @FunctionalInterface
    interface Handler {
        FunctionInvoker.Result run(FunctionInvoker.Call call) throws InterruptedException;
    }

    @BeforeEach
    void start() {
        service = HttpApiService.create(
                id -> Optional.ofNullable(apis.get(id)),
                call -> {
                    calls.add(call);
                    Handler f = functions.get(call.function());
                    if (f == null) {
                        throw LambdaException.notFound("Function not found: %s", call.function());
                    }
                    return f.run(call);
                },
                clock,
                ticker,
                logs);
        functions.put("echo", call -> ok(call.event()));
    }

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void mostSpecificRouteWinsAndItsFunctionGetsTheEvent() throws IOException {
        api(List.of(route("GET /pets/{id}", "echo"), route("GET /pets/mine", "mine"), route("$default", "echo")));
        functions.put("mine", call -> ok("{\"statusCode\": 201, \"body\": \"mine\"}".getBytes(StandardCharsets.UTF_8)));

        HttpResponseData mine = get("/pets/mine");
        HttpResponseData byId = get("/pets/42");

        assertThat(mine.status()).isEqualTo(201);
        assertThat(body(mine)).isEqualTo("mine");
        assertThat(mine.header("apigw-requestid")).isPresent();
        JsonNode event = Json.MAPPER.readTree(byId.body());
        assertThat(event.path("routeKey").asText()).isEqualTo("GET /pets/{id}");
        assertThat(event.path("pathParameters").path("id").asText()).isEqualTo("42");
        assertThat(event.path("requestContext").path("apiId").asText()).isEqualTo(API_ID);
        assertThat(calls).extracting(FunctionInvoker.Call::function).containsExactly("mine", "echo");
        assertThat(calls.getFirst().caller().account()).isEqualTo(ACCOUNT);
        assertThat(calls.getFirst().qualifier()).isEmpty();
    }

    @Test
    void unmatchedRequestIsNotFoundWithoutInvoking() {
        api(List.of(route("GET /pets/{id}", "echo")));

        HttpResponseData response = get("/toys/1");

        assertThat(response.status()).isEqualTo(404);
        assertThat(body(response)).isEqualTo("{\"message\":\"Not Found\"}");
        assertThat(calls).isEmpty();
    }

    @Test
    void unknownApiIsNotFoundAndNotLogged() {
        HttpResponseData response =
                service.serve("nosuchapi0", request("GET", "/").build());

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.header("apigw-requestid")).isPresent();
        assertThat(logs.resolve("nosuchapi0.log")).doesNotExist();
    }

    @Test
    void routeThrottleAnswersTooManyRequestsUntilATokenIsBack() {
        api(List.of(new HttpApi.Route("GET /limited", "echo", "", "2.0", null, new HttpApi.Throttle(1, 2))));

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            statuses.add(get("/limited").status());
        }
        HttpResponseData throttled = get("/limited");
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        HttpResponseData afterASecond = get("/limited");

        assertThat(statuses).containsExactly(200, 200, 429);
        assertThat(throttled.header("Retry-After")).contains("1");
        assertThat(body(throttled)).isEqualTo("{\"message\":\"Too Many Requests\"}");
        assertThat(afterASecond.status()).isEqualTo(200);
        assertThat(calls).hasSize(3);
    }

    @Test
    void apiKeyAuthorizerRefusesAMissingOrUnknownKeyWithoutInvoking() {
        HttpApi.Authorizer keys = new HttpApi.Authorizer(
                "API_KEY",
                "$request.header.x-api-key",
                null,
                null,
                null,
                null,
                null,
                null,
                0,
                List.of(Gateways.hashKey("right-key")));
        api(Map.of("keys", keys), List.of(new HttpApi.Route("GET /keyed", "echo", "", "2.0", "keys", null)));

        HttpResponseData missing = get("/keyed");
        HttpResponseData wrong = serve(request("GET", "/keyed").header("x-api-key", "wrong-key"));
        assertThat(calls).isEmpty();
        HttpResponseData right = serve(request("GET", "/keyed").header("x-api-key", "right-key"));

        assertThat(missing.status()).isEqualTo(401);
        assertThat(wrong.status()).isEqualTo(403);
        assertThat(right.status()).isEqualTo(200);
        assertThat(calls).hasSize(1);
    }

    @Test
    void jwtAuthorizerRefusesBadTokensWithoutInvokingAndPassesTheClaimsOn() throws IOException {
        HttpApi.Authorizer jwt = new HttpApi.Authorizer(
                "JWT",
                "$request.header.Authorization",
                "https://issuer.example",
                List.of("spur-tests"),
                null,
                Jwts.jwks(RSA, EC),
                null,
                null,
                0,
                null);
        api(Map.of("jwt", jwt), List.of(new HttpApi.Route("GET /jwt", "echo", "", "2.0", "jwt", null)));
        long exp = START.getEpochSecond() + 60;
        String good = RSA.sign(
                "{\"iss\":\"https://issuer.example\",\"aud\":\"spur-tests\",\"sub\":\"alice\",\"exp\":" + exp + "}");
        String otherIssuer = RSA.sign("{\"iss\":\"https://evil.example\",\"aud\":\"spur-tests\",\"exp\":" + exp + "}");

        HttpResponseData none = get("/jwt");
        HttpResponseData forged = bearer(otherIssuer);
        HttpResponseData accepted = bearer(good);
        nanos.addAndGet(Duration.ofMinutes(2).toNanos());
        HttpResponseData expired = bearer(good);

        assertThat(none.status()).isEqualTo(401);
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.header("www-authenticate"))
                .hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
        assertThat(expired.status()).isEqualTo(401);
        assertThat(accepted.status()).isEqualTo(200);
        assertThat(calls).hasSize(1);
        JsonNode claims = Json.MAPPER
                .readTree(accepted.body())
                .path("requestContext")
                .path("authorizer")
                .path("jwt")
                .path("claims");
        assertThat(claims.path("sub").asText()).isEqualTo("alice");
    }

    @Test
    void jwksAreFetchedOnceAndAgainOnlyAfterFiveMinutes() throws IOException {
        AtomicInteger fetches = new AtomicInteger();
        HttpServer issuer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        issuer.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] jwks = bytes(Jwts.jwks(RSA, EC));
            exchange.sendResponseHeaders(200, jwks.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(jwks);
            }
        });
        issuer.start();
        try {
            String uri = "http://127.0.0.1:" + issuer.getAddress().getPort() + "/jwks.json";
            HttpApi.Authorizer jwt = new HttpApi.Authorizer(
                    "JWT",
                    "$request.header.Authorization",
                    "https://issuer.example",
                    List.of("spur-tests"),
                    uri,
                    null,
                    null,
                    null,
                    0,
                    null);
            api(Map.of("jwt", jwt), List.of(new HttpApi.Route("GET /jwt", "echo", "", "2.0", "jwt", null)));
            String token = EC.sign("{\"iss\":\"https://issuer.example\",\"aud\":\"spur-tests\",\"exp\":"
                    + (START.getEpochSecond() + 3600) + "}");

            assertThat(bearer(token).status()).isEqualTo(200);
            nanos.addAndGet(Duration.ofMinutes(4).toNanos());
            assertThat(bearer(token).status()).isEqualTo(200);
            assertThat(fetches)
                    .as("within five minutes the keys come from the cache")
                    .hasValue(1);
            nanos.addAndGet(Duration.ofMinutes(1).toNanos());
            assertThat(bearer(token).status()).isEqualTo(200);
            assertThat(fetches).hasValue(2);
        } finally {
            issuer.stop(0);
        }
    }

    @Test
    void lambdaAuthorizerSaysNoWithoutInvokingAndIsAskedAgainOnlyAfterItsTtl() throws IOException {
        functions.put("authorizer", call -> {
            JsonNode event = json(call.event());
            boolean yes = event.path("identitySource").path(0).asText().equals("friend");
            return ok(("{\"isAuthorized\": " + yes + ", \"context\": {\"who\": \"checked\"}}")
                    .getBytes(StandardCharsets.UTF_8));
        });
        HttpApi.Authorizer lambda = new HttpApi.Authorizer(
                "REQUEST", "$request.header.x-who", null, null, null, null, "authorizer", "", 300, null);
        api(Map.of("lambda", lambda), List.of(new HttpApi.Route("GET /guarded", "echo", "", "2.0", "lambda", null)));

        HttpResponseData stranger = serve(request("GET", "/guarded").header("x-who", "stranger"));
        HttpResponseData strangerAgain = serve(request("GET", "/guarded").header("x-who", "stranger"));
        assertThat(calls).extracting(FunctionInvoker.Call::function).containsExactly("authorizer");
        HttpResponseData friend = serve(request("GET", "/guarded").header("x-who", "friend"));
        nanos.addAndGet(Duration.ofSeconds(301).toNanos());
        serve(request("GET", "/guarded").header("x-who", "stranger"));

        assertThat(stranger.status()).isEqualTo(403);
        assertThat(strangerAgain.status()).isEqualTo(403);
        assertThat(friend.status()).isEqualTo(200);
        assertThat(json(friend.body())
                        .path("requestContext")
                        .path("authorizer")
                        .path("lambda")
                        .path("who")
                        .asText())
                .isEqualTo("checked");
        assertThat(calls)
                .extracting(FunctionInvoker.Call::function)
                .containsExactly("authorizer", "authorizer", "echo", "authorizer");
    }

    @Test
    void failingLambdaAuthorizerIsAServerErrorAndTheRouteIsNotInvoked() {
        functions.put("authorizer", call -> new FunctionInvoker.Result(200, bytes("{}"), Optional.of("Unhandled")));
        HttpApi.Authorizer lambda = new HttpApi.Authorizer(
                "REQUEST", "$request.header.x-who", null, null, null, null, "authorizer", "", 0, null);
        api(Map.of("lambda", lambda), List.of(new HttpApi.Route("GET /guarded", "echo", "", "2.0", "lambda", null)));

        HttpResponseData response = serve(request("GET", "/guarded").header("x-who", "anyone"));

        assertThat(response.status()).isEqualTo(500);
        assertThat(calls).extracting(FunctionInvoker.Call::function).containsExactly("authorizer");
    }

    @Test
    void slowFunctionTimesOutWithGatewayTimeoutAndTheLogSaysSo() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        functions.put("slow", call -> {
            release.await(30, TimeUnit.SECONDS);
            return ok(bytes("{}"));
        });
        apis.put(
                API_ID,
                new HttpApi(
                        ACCOUNT,
                        "us-east-1",
                        API_ID,
                        "t",
                        null,
                        null,
                        null,
                        List.of(route("GET /slow", "slow")),
                        50,
                        START,
                        START));
        try {
            HttpResponseData response = get("/slow");

            assertThat(response.status()).isEqualTo(504);
            assertThat(body(response)).isEqualTo("{\"message\":\"Endpoint request timed out\"}");
            assertThat(accessLog().path("integrationErrorMessage").asText())
                    .isEqualTo("Integration timed out after 50 ms");
        } finally {
            release.countDown();
        }
    }

    @Test
    void functionErrorIsInternalServerErrorAndAMalformedAnswerIsBadGateway() {
        functions.put(
                "fails",
                call -> new FunctionInvoker.Result(
                        200, bytes("{\"errorMessage\":\"boom\"}"), Optional.of("Unhandled")));
        functions.put("garbles", call -> ok(bytes("{\"statusCode\": \"two hundred\"}")));
        api(List.of(route("GET /fails", "fails"), route("GET /garbles", "garbles")));

        HttpResponseData failed = get("/fails");
        HttpResponseData garbled = get("/garbles");

        assertThat(failed.status()).isEqualTo(500);
        assertThat(body(failed))
                .isEqualTo("{\"message\":\"Internal Server Error\"}")
                .doesNotContain("boom");
        assertThat(garbled.status()).isEqualTo(502);
    }

    @Test
    void throttledInvocationIsTooManyRequests() {
        functions.put("busy", call -> {
            throw LambdaException.throttled("ConcurrentInvocationLimitExceeded", 1, "Rate Exceeded.");
        });
        api(List.of(route("GET /busy", "busy")));

        assertThat(get("/busy").status()).isEqualTo(429);
    }

    @Test
    void corsPreflightIsAnsweredWithoutInvokingAndAnswersGetTheHeaders() {
        CorsConfig cors = new CorsConfig(
                false, List.of("content-type"), List.of("GET", "POST"), List.of("https://app.example"), List.of(), 600);
        apis.put(
                API_ID,
                new HttpApi(
                        ACCOUNT,
                        "us-east-1",
                        API_ID,
                        "t",
                        cors,
                        null,
                        null,
                        List.of(route("ANY /things", "echo")),
                        0,
                        START,
                        START));

        HttpResponseData preflight = serve(request("OPTIONS", "/things")
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "POST"));
        assertThat(calls).isEmpty();
        HttpResponseData answer = serve(request("GET", "/things").header("Origin", "https://app.example"));
        HttpResponseData otherOrigin = serve(request("GET", "/things").header("Origin", "https://evil.example"));

        assertThat(preflight.status()).isEqualTo(200);
        assertThat(preflight.header("Access-Control-Allow-Origin")).contains("https://app.example");
        assertThat(preflight.header("Access-Control-Allow-Methods")).contains("GET,POST");
        assertThat(answer.header("Access-Control-Allow-Origin")).contains("https://app.example");
        assertThat(otherOrigin.header("Access-Control-Allow-Origin")).isEmpty();
        assertThat(calls).hasSize(2);
    }

    @Test
    void bodyOverTenMegabytesIsRefusedWithoutInvoking() {
        api(List.of(route("$default", "echo")));

        HttpResponseData response =
                service.serve(API_ID, request("POST", "/upload").build(), limit -> new byte[limit + 1]);

        assertThat(response.status()).isEqualTo(413);
        assertThat(calls).isEmpty();
    }

    @Test
    void unreadableBodyIsInternalServerErrorWithoutInvoking() {
        api(List.of(route("$default", "echo")));

        HttpResponseData response =
                service.serve(API_ID, request("POST", "/upload").build(), limit -> {
                    throw new IOException("the client went away");
                });

        assertThat(response.status()).isEqualTo(500);
        assertThat(calls).isEmpty();
    }

    @Test
    void accessLogHasOneJsonLinePerRequestWithTheIntegrationsLatency() throws IOException {
        functions.put("takes7ms", call -> {
            nanos.addAndGet(Duration.ofMillis(7).toNanos());
            return ok(bytes("{}"));
        });
        api(List.of(route("POST /orders/{id}", "takes7ms")));

        HttpResponseData response = serve(request("POST", "/orders/9").body(bytes("{\"n\":1}")));
        get("/nothing-here");

        List<String> lines = Files.readAllLines(logs.resolve(API_ID + ".log"));
        assertThat(lines).hasSize(2);
        JsonNode first = json(bytes(lines.getFirst()));
        assertThat(first.path("requestId").asText())
                .isEqualTo(response.header("apigw-requestid").orElseThrow());
        assertThat(first.path("routeKey").asText()).isEqualTo("POST /orders/{id}");
        assertThat(first.path("path").asText()).isEqualTo("/orders/9");
        assertThat(first.path("status").asText()).isEqualTo("200");
        assertThat(first.path("integrationStatus").asText()).isEqualTo("200");
        assertThat(first.path("integrationLatency").asText()).isEqualTo("7");
        assertThat(first.path("responseLatency").asText()).isEqualTo("7");
        assertThat(first.path("requestTime").asText()).isEqualTo("04/Mar/2026:19:15:17 +0000");
        JsonNode second = json(bytes(lines.get(1)));
        assertThat(second.path("routeKey").asText()).isEqualTo("-");
        assertThat(second.path("status").asText()).isEqualTo("404");
        assertThat(second.path("integrationLatency").asText()).isEqualTo("-");
    }

    private void api(List<HttpApi.Route> routes) {
        api(Map.of(), routes);
    }

    private void api(Map<String, HttpApi.Authorizer> authorizers, List<HttpApi.Route> routes) {
        apis.put(
                API_ID,
                new HttpApi(ACCOUNT, "us-east-1", API_ID, "test", null, null, authorizers, routes, 0, START, START));
    }

    private static HttpApi.Route route(String key, String function) {
        return new HttpApi.Route(key, function, "", "2.0", null, null);
    }

    private Requests request(String method, String path) {
        return Requests.request(method, path)
                .header("Host", API_ID + ".execute-api.us-east-1.localhost")
                .time(clock.instant());
    }

    private HttpResponseData get(String path) {
        return serve(request("GET", path));
    }

    private HttpResponseData bearer(String token) {
        return serve(request("GET", "/jwt").header("Authorization", "Bearer " + token));
    }

    private HttpResponseData serve(Requests request) {
        return service.serve(API_ID, request.build());
    }

    private JsonNode accessLog() throws IOException {
        return json(bytes(Files.readAllLines(logs.resolve(API_ID + ".log")).getLast()));
    }

    private static FunctionInvoker.Result ok(byte[] payload) {
        return new FunctionInvoker.Result(200, payload, Optional.empty());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String body(HttpResponseData response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static JsonNode json(byte[] bytes) {
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
