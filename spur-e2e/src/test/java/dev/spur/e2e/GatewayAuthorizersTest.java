package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.spur.common.Json;
import dev.spur.testing.Jwts;
import dev.spur.testing.Tools;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's authorizers against a real server: API keys, JWTs verified with an inline JWKS and
 * with one fetched from a JWKS URI, and a Lambda authorizer with its decision cache. A refused request
 * never reaches the route's function.
 */
@SpurTest
class GatewayAuthorizersTest {
    static final String ISSUER = "https://issuer.example";
    static final String AUDIENCE = "spur-api";
    static final String AUTHORIZER = """
            import json, os

            def handler(event, context):
                with open(os.environ["RECORD_FILE"], "a") as f:
                    f.write(json.dumps({"id": context.aws_request_id, "event": event}) + "\\n")
                return {"isAuthorized": event["headers"].get("x-token") == "let-me-in", "context": {"user": "alice"}}
            """;

    static Spur spur;

    @AutoClose
    static Apis apis;

    static Apis.Function echo;

    @BeforeAll
    static void start() {
        Tools.python();
        apis = new Apis(spur);
        echo = apis.deploy("gw-auth-echo", Apis.ECHO);
    }

    /** How many times the echo function has seen this path. */
    static long reached(String path) {
        return echo.events().stream()
                .filter(e -> path.equals(e.path("rawPath").asText()))
                .count();
    }

    @Test
    void apiKeyIsRequiredAndChecked() {
        String id = apis.create("""
                {"Name": "keys", "Authorizers": {"keys": {"Type": "API_KEY", "ApiKeys": ["key-one", "key-two"]}},
                 "Routes": [{"RouteKey": "GET /keyed", "Target": {"Function": "%s"}, "Authorizer": "keys"}]}""".formatted(echo.name())).get("ApiId").asText();
        HttpResponse<byte[]> missing = apis.get(id, "/keyed");
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(Apis.json(missing.body()).get("message").asText()).isEqualTo("Unauthorized");
        HttpResponse<byte[]> wrong = apis.get(id, "/keyed", "x-api-key", "key-three");
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(Apis.json(wrong.body()).get("message").asText()).isEqualTo("Forbidden");
        assertThat(reached("/keyed"))
                .as("refused requests never reach the function")
                .isZero();
        Apis.ok(apis.get(id, "/keyed", "x-api-key", "key-one"));
        Apis.ok(apis.get(id, "/keyed", "X-Api-Key", "key-two"));
        assertThat(reached("/keyed")).isEqualTo(2);
        assertThat(apis.accessLine(id, wrong).get("status").asText()).isEqualTo("403");
    }

    @Test
    void jwtWithInlineJwksIsVerified() {
        Jwts.Key rsa = Jwts.Key.rsa("rsa-1");
        Jwts.Key ec = Jwts.Key.ec("ec-1");
        String id = apis.create("""
                {"Name": "jwt", "Authorizers": {"jwt": {"Type": "JWT", "Issuer": "%s", "Audience": ["%s", "other"],
                  "Jwks": %s}},
                 "Routes": [{"RouteKey": "GET /jwt", "Target": {"Function": "%s"}, "Authorizer": "jwt"},
                            {"RouteKey": "GET /jwt1", "Target": {"Function": "%4$s"}, "Authorizer": "jwt",
                             "PayloadFormatVersion": "1.0"}]}""".formatted(ISSUER, AUDIENCE, Jwts.jwks(rsa, ec), echo.name()))
                .get("ApiId")
                .asText();

        ObjectNode claims =
                Jwts.claims(ISSUER, AUDIENCE, 300).put("scope", "read write").put("tier", 3);
        JsonNode event = Apis.ok(apis.get(id, "/jwt", "Authorization", "Bearer " + rsa.sign(claims)));
        JsonNode jwt = event.get("requestContext").get("authorizer").get("jwt");
        assertThat(jwt.get("claims").get("sub").asText()).isEqualTo("user-123");
        assertThat(jwt.get("claims").get("iss").asText()).isEqualTo(ISSUER);
        assertThat(jwt.get("claims").get("tier").asText()).isEqualTo("3");
        assertThat(Json.MAPPER.convertValue(jwt.get("scopes"), String[].class)).containsExactly("read", "write");
        JsonNode viaEc = Apis.ok(apis.get(id, "/jwt", "Authorization", ec.sign(Jwts.claims(ISSUER, "other", 60))));
        assertThat(viaEc.get("requestContext")
                        .get("authorizer")
                        .get("jwt")
                        .get("claims")
                        .get("aud")
                        .asText())
                .isEqualTo("other");
        JsonNode v1 = Apis.ok(apis.get(id, "/jwt1", "Authorization", "Bearer " + rsa.sign(claims)));
        assertThat(v1.get("requestContext")
                        .get("authorizer")
                        .get("claims")
                        .get("sub")
                        .asText())
                .isEqualTo("user-123");
        long reachedBefore = reached("/jwt");

        Jwts.Key impostor = Jwts.Key.rsa("rsa-1");
        List<String> refused = List.of(
                rsa.sign(Jwts.claims(ISSUER, AUDIENCE, -60)),
                rsa.sign(Jwts.claims(ISSUER, "someone-else", 300)),
                rsa.sign(Jwts.claims("https://other-issuer.example", AUDIENCE, 300)),
                impostor.sign(claims),
                Jwts.Key.rsa("unknown-kid").sign(claims),
                "not.a.token");
        for (String token : refused) {
            HttpResponse<byte[]> r = apis.get(id, "/jwt", "Authorization", "Bearer " + token);
            assertThat(r.statusCode()).as(token).isEqualTo(401);
            assertThat(r.headers().firstValue("www-authenticate").orElseThrow())
                    .as(token)
                    .startsWith("Bearer")
                    .contains("invalid_token");
        }
        assertThat(apis.get(id, "/jwt").statusCode())
                .as("no Authorization header")
                .isEqualTo(401);
        assertThat(apis.get(id, "/jwt", "Authorization", "Bearer ").statusCode())
                .as("Bearer without a token")
                .isEqualTo(401);
        assertThat(reached("/jwt"))
                .as("refused requests never reach the function")
                .isEqualTo(reachedBefore);
    }

    @Test
    void jwtKeysAreFetchedFromTheJwksUri() throws Exception {
        Jwts.Key key = Jwts.Key.rsa("remote-1");
        byte[] document = Jwts.jwks(key).getBytes(StandardCharsets.UTF_8);
        AtomicInteger fetches = new AtomicInteger();
        HttpServer jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        jwks.createContext("/.well-known/jwks.json", x -> {
            fetches.incrementAndGet();
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, document.length);
            x.getResponseBody().write(document);
            x.close();
        });
        jwks.start();
        try {
            String uri = "http://127.0.0.1:" + jwks.getAddress().getPort() + "/.well-known/jwks.json";
            String id = apis.create("""
                    {"Name": "jwks-uri", "Authorizers": {"remote": {"Type": "JWT", "Issuer": "%s",
                      "Audience": ["%s"], "JwksUri": "%s"}},
                     "Routes": [{"RouteKey": "GET /remote", "Target": {"Function": "%s"}, "Authorizer": "remote"}]}""".formatted(ISSUER, AUDIENCE, uri, echo.name()))
                    .get("ApiId")
                    .asText();
            String token = key.sign(Jwts.claims(ISSUER, AUDIENCE, 300));
            JsonNode event = Apis.ok(apis.get(id, "/remote", "Authorization", "Bearer " + token));
            assertThat(event.get("requestContext")
                            .get("authorizer")
                            .get("jwt")
                            .get("claims")
                            .get("sub")
                            .asText())
                    .isEqualTo("user-123");
            Apis.ok(apis.get(id, "/remote", "Authorization", "Bearer " + token));
            assertThat(apis.get(
                                    id,
                                    "/remote",
                                    "Authorization",
                                    "Bearer " + Jwts.Key.rsa("remote-1").sign(Jwts.claims(ISSUER, AUDIENCE, 300)))
                            .statusCode())
                    .isEqualTo(401);
            assertThat(fetches.get()).as("the JWKS is fetched once and cached").isEqualTo(1);
        } finally {
            jwks.stop(0);
        }
    }

    @Test
    void lambdaAuthorizerDecidesAndIsCached() {
        Apis.Function authorizer = apis.deploy("gw-authorizer", AUTHORIZER);
        String id = apis.create("""
                {"Name": "lambda-auth", "Authorizers": {
                   "cached": {"Type": "REQUEST", "FunctionName": "%1$s", "IdentitySource": "$request.header.x-token",
                              "AuthorizerResultTtlInSeconds": 300},
                   "uncached": {"Type": "REQUEST", "FunctionName": "%1$s", "IdentitySource": "$request.header.x-token"}},
                 "Routes": [
                   {"RouteKey": "GET /cached", "Target": {"Function": "%2$s"}, "Authorizer": "cached"},
                   {"RouteKey": "GET /uncached", "Target": {"Function": "%2$s"}, "Authorizer": "uncached"}]}""".formatted(authorizer.name(), echo.name()))
                .get("ApiId")
                .asText();

        HttpResponse<byte[]> missing = apis.get(id, "/cached");
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(authorizer.events()).as("no identity, no authorizer call").isEmpty();

        JsonNode event = Apis.ok(apis.get(id, "/cached", "x-token", "let-me-in"));
        assertThat(event.get("requestContext")
                        .get("authorizer")
                        .get("lambda")
                        .get("user")
                        .asText())
                .isEqualTo("alice");
        JsonNode asked = authorizer.events().getFirst();
        assertThat(asked.get("type").asText()).isEqualTo("REQUEST");
        assertThat(Json.MAPPER.convertValue(asked.get("identitySource"), String[].class))
                .containsExactly("let-me-in");
        assertThat(asked.get("routeKey").asText()).isEqualTo("GET /cached");
        assertThat(asked.get("routeArn").asText()).endsWith(id + "/$default/GET/cached");
        Apis.ok(apis.get(id, "/cached", "x-token", "let-me-in"));
        assertThat(authorizer.events())
                .as("the second request used the cached decision")
                .hasSize(1);

        long reachedBefore = reached("/cached");
        HttpResponse<byte[]> denied = apis.get(id, "/cached", "x-token", "nope");
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(Apis.json(denied.body()).get("message").asText()).isEqualTo("Forbidden");
        assertThat(apis.get(id, "/cached", "x-token", "nope").statusCode()).isEqualTo(403);
        assertThat(authorizer.events()).as("the denial is cached too").hasSize(2);
        assertThat(reached("/cached"))
                .as("denied requests never reach the function")
                .isEqualTo(reachedBefore);

        Apis.ok(apis.get(id, "/uncached", "x-token", "let-me-in"));
        Apis.ok(apis.get(id, "/uncached", "x-token", "let-me-in"));
        assertThat(authorizer.events()).as("without a TTL every request asks").hasSize(4);
        assertThat(apis.get(id, "/uncached", "x-token", "nope").statusCode()).isEqualTo(403);
    }
}
