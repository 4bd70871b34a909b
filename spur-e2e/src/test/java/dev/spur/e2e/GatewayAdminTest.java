package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.testing.Tools;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP APIs managed through {@code /spur/v1/apis}: the whole document created, read, replaced and
 * deleted, single routes put and removed, and what is refused (with the status and a message saying
 * why). API keys are never shown back.
 */
@SpurTest
class GatewayAdminTest {
    static Spur spur;

    @AutoClose
    static Apis apis;

    static Apis.Function echo;

    @BeforeAll
    static void start() {
        Tools.python();
        apis = new Apis(spur);
        echo = apis.deploy("gw-admin-echo", Apis.ECHO);
    }

    static List<String> routeKeys(JsonNode api) {
        return api.get("Routes").findValuesAsText("RouteKey");
    }

    @Test
    void apiLifecycle() {
        JsonNode created = apis.create("""
                {"Name": "life cycle", "IntegrationTimeoutMillis": 3000,
                 "Cors": {"AllowOrigins": ["https://a.example"], "MaxAge": 60},
                 "Throttle": {"RateLimit": 100, "BurstLimit": 200},
                 "Authorizers": {"keys": {"Type": "API_KEY", "ApiKeys": ["very-secret-key"]}},
                 "Routes": [{"RouteKey": "GET /a", "Target": {"Function": "%s"}, "Authorizer": "keys"}]}""".formatted(echo.name()));
        String id = created.get("ApiId").asText();
        assertThat(id).matches("[a-z0-9]{10}");
        assertThat(created.get("Name").asText()).isEqualTo("life cycle");
        assertThat(created.get("IntegrationTimeoutMillis").asInt()).isEqualTo(3000);
        assertThat(created.get("Throttle").get("BurstLimit").asInt()).isEqualTo(200);
        assertThat(created.get("Cors").get("MaxAge").asInt()).isEqualTo(60);
        assertThat(created.get("Authorizers").get("keys").get("ApiKeyCount").asInt())
                .isEqualTo(1);
        assertThat(created.toString()).doesNotContain("very-secret-key");

        Spur.Answer got = spur.spurApi("GET", "/spur/v1/apis/" + id, null);
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.body().get("ApiId").asText()).isEqualTo(id);
        assertThat(routeKeys(got.body())).containsExactly("GET /a");
        assertThat(got.body().toString()).doesNotContain("very-secret-key");
        Spur.Answer list = spur.spurApi("GET", "/spur/v1/apis", null);
        assertThat(list.body().get("Items").findValuesAsText("ApiId")).contains(id);
        assertThat(list.body().toString()).doesNotContain("very-secret-key");
        Apis.ok(apis.get(id, "/a", "x-api-key", "very-secret-key"));

        // Replacing the document without ApiKeys keeps the stored keys.
        Spur.Answer replaced = spur.spurApi("PUT", "/spur/v1/apis/" + id, """
                {"Name": "renamed", "Authorizers": {"keys": {"Type": "API_KEY"}},
                 "Routes": [{"RouteKey": "GET /b", "Target": {"Function": "%s"}, "Authorizer": "keys"}]}""".formatted(echo.name()));
        assertThat(replaced.status()).as("%s", replaced.body()).isEqualTo(200);
        assertThat(replaced.body().get("Name").asText()).isEqualTo("renamed");
        assertThat(replaced.body().get("CreatedDate").asText())
                .isEqualTo(created.get("CreatedDate").asText());
        assertThat(replaced.body().has("Cors")).isFalse();
        assertThat(routeKeys(replaced.body())).containsExactly("GET /b");
        assertThat(apis.get(id, "/a", "x-api-key", "very-secret-key").statusCode())
                .isEqualTo(404);
        Apis.ok(apis.get(id, "/b", "x-api-key", "very-secret-key"));

        Spur.Answer put = spur.spurApi("PUT", "/spur/v1/apis/" + id + "/routes", """
                {"RouteKey": "POST /c/{id}", "Target": {"Function": "%s"}, "PayloadFormatVersion": "1.0"}""".formatted(echo.name()));
        assertThat(put.status()).as("%s", put.body()).isEqualTo(200);
        assertThat(routeKeys(put.body())).containsExactlyInAnyOrder("GET /b", "POST /c/{id}");
        JsonNode v1 = Apis.ok(apis.call(id, "POST", "/c/5", "{}".getBytes(), "Content-Type", "application/json"));
        assertThat(v1.get("resource").asText()).isEqualTo("/c/{id}");
        Spur.Answer putAgain = spur.spurApi("PUT", "/spur/v1/apis/" + id + "/routes", """
                {"RouteKey": "POST /c/{id}", "Target": {"Function": "%s"}}""".formatted(echo.name()));
        assertThat(putAgain.body().get("Routes")).hasSize(2);
        assertThat(Apis.ok(apis.call(id, "POST", "/c/5", "{}".getBytes()))
                        .get("version")
                        .asText())
                .as("the route was replaced, now payload 2.0")
                .isEqualTo("2.0");

        Spur.Answer removed =
                spur.spurApi("DELETE", "/spur/v1/apis/" + id + "/routes?routeKey=" + "POST%20%2Fc%2F%7Bid%7D", null);
        assertThat(removed.status()).as("%s", removed.body()).isEqualTo(200);
        assertThat(routeKeys(removed.body())).containsExactly("GET /b");
        assertThat(apis.call(id, "POST", "/c/5", new byte[0]).statusCode()).isEqualTo(404);
        Spur.Answer removedAgain =
                spur.spurApi("DELETE", "/spur/v1/apis/" + id + "/routes?routeKey=" + "POST%20%2Fc%2F%7Bid%7D", null);
        assertThat(removedAgain.status()).isEqualTo(404);
        assertThat(removedAgain.body().get("message").asText()).contains("POST /c/{id}");

        assertThat(spur.spurApi("DELETE", "/spur/v1/apis/" + id, null).status()).isEqualTo(204);
        assertThat(spur.spurApi("GET", "/spur/v1/apis/" + id, null).status()).isEqualTo(404);
        assertThat(spur.spurApi("DELETE", "/spur/v1/apis/" + id, null).status()).isEqualTo(404);
        assertThat(apis.get(id, "/b", "x-api-key", "very-secret-key").statusCode())
                .isEqualTo(404);
    }

    private static void refused(String document, int status, String... fragments) {
        Spur.Answer a = spur.spurApi("POST", "/spur/v1/apis", document.replace("ECHO", echo.name()));
        assertThat(a.status()).as("%s → %s", document, a.body()).isEqualTo(status);
        assertThat(a.body().get("message").asText()).as(document).contains(fragments);
    }

    @Test
    void invalidDocumentsAreRefusedWithAReason() {
        refused("""
                {"Name": "bad", "Routes": [{"RouteKey": "GET pets", "Target": {"Function": "ECHO"}}]}""", 400, "must start with '/'");
        refused("""
                {"Name": "bad", "Routes": [{"RouteKey": "FETCH /pets", "Target": {"Function": "ECHO"}}]}""", 400, "FETCH");
        refused("""
                {"Name": "bad", "Routes": [{"RouteKey": "GET /a/{p+}/b", "Target": {"Function": "ECHO"}}]}""", 400, "greedy");
        refused("""
                {"Name": "bad", "Routes": [{"RouteKey": "GET /a", "Target": {"Function": "no-such-function"}}]}""", 404, "no-such-function");
        refused("""
                {"Name": "bad", "Authorizers": {"jwt": {"Type": "JWT", "Audience": ["a"], "Jwks": {"keys": []}}},
                 "Routes": [{"RouteKey": "GET /a", "Target": {"Function": "ECHO"}, "Authorizer": "jwt"}]}""", 400, "Issuer");
        refused("""
                {"Name": "bad", "Routes": [{"RouteKey": "GET /a", "Target": {"Function": "ECHO"},
                  "Authorizer": "ghost"}]}""", 400, "ghost");
        refused("""
                {"Name": "bad", "Authorizers": {"k": {"Type": "API_KEY"}},
                 "Routes": [{"RouteKey": "GET /a", "Target": {"Function": "ECHO"}, "Authorizer": "k"}]}""", 400, "key");
        refused("""
                {"Name": "bad", "IntegrationTimeoutMillis": 60000, "Routes": []}""", 400, "IntegrationTimeoutMillis");
        refused("""
                {"Name": "bad", "Routes": [{"RouteKey": "GET /a", "Target": {"Function": "ECHO"},
                  "PayloadFormatVersion": "3.0"}]}""", 400, "PayloadFormatVersion");
        refused("""
                {"Name": "bad", "Routes": [{"RouteKey": "GET /a/{x}", "Target": {"Function": "ECHO"}},
                                           {"RouteKey": "GET /a/{y}", "Target": {"Function": "ECHO"}}]}""", 409, "GET /a/{x}", "GET /a/{y}");
        refused("""
                {"Name": "bad", "Routes": [{"RouteKey": "GET /a", "Target": {"Function": "ECHO"}},
                                           {"RouteKey": "GET /a", "Target": {"Function": "ECHO"}}]}""", 400, "GET /a");
        refused("""
                {"Name": "bad", "Throttle": {"RateLimit": 0}, "Routes": []}""", 400, "RateLimit");
    }

    @Test
    void routeChangesAreValidatedToo() {
        String id = apis.create("""
                {"Name": "routes", "Routes": [{"RouteKey": "GET /a/{x}", "Target": {"Function": "%s"}}]}""".formatted(echo.name())).get("ApiId").asText();
        Spur.Answer clash = spur.spurApi("PUT", "/spur/v1/apis/" + id + "/routes", """
                {"RouteKey": "GET /a/{y}", "Target": {"Function": "%s"}}""".formatted(echo.name()));
        assertThat(clash.status()).as("%s", clash.body()).isEqualTo(409);
        Spur.Answer bad = spur.spurApi("PUT", "/spur/v1/apis/" + id + "/routes", """
                {"RouteKey": "GET /b/", "Target": {"Function": "%s"}}""".formatted(echo.name()));
        assertThat(bad.status()).isEqualTo(400);
        Spur.Answer noKey = spur.spurApi("DELETE", "/spur/v1/apis/" + id + "/routes", null);
        assertThat(noKey.status()).isEqualTo(400);
        assertThat(noKey.body().get("message").asText()).contains("routeKey");
        assertThat(spur.spurApi("PUT", "/spur/v1/apis/zzzzzzzzzz/routes", """
                {"RouteKey": "GET /b", "Target": {"Function": "%s"}}""".formatted(echo.name()))
                        .status())
                .isEqualTo(404);
        Spur.Answer unchanged = spur.spurApi("GET", "/spur/v1/apis/" + id, null);
        assertThat(routeKeys(unchanged.body())).containsExactly("GET /a/{x}");
    }
}
