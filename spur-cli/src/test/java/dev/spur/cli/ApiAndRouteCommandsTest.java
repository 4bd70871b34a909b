package dev.spur.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SpurTest
class ApiAndRouteCommandsTest {
    private static final Pattern CREATED = Pattern.compile(
            "(?:created|replaced) API ([a-z0-9]{10}) \\(([^)]*)\\)\n  ApiEndpoint +(\\S+)\n  ApiPathEndpoint +(\\S+)\n");

    @TempDir
    static Path functions;

    static Spur server;
    static final Cli spur = new Cli(() -> server);

    @TempDir
    Path work;

    @BeforeAll
    static void deployFunctions() {
        Cli.Result deployed = spur.deploy(FunctionPackage.echo("pets").writeTo(functions.resolve("pets")), "pets");
        assertThat(deployed.exit()).as(deployed.err()).isZero();
        Cli.Result fixed = spur.deploy(
                FunctionPackage.fixed("{\"statusCode\":201,\"headers\":{\"x-made\":\"yes\"},\"body\":\"made\"}")
                        .writeTo(functions.resolve("made")),
                "made");
        assertThat(fixed.exit()).as(fixed.err()).isZero();
    }

    @Test
    void routesAddedToACreatedApiServeTheFunctionOverHttp() throws Exception {
        Cli.Result created = spur.spur(
                "api create",
                "pet store",
                "--cors-origin",
                "https://example.com",
                "--rate",
                "100",
                "--burst",
                "20",
                "--timeout",
                "5000");

        assertThat(created.exit()).as(created.err()).isZero();
        Matcher m = CREATED.matcher(created.out());
        assertThat(m.matches()).as(created.out()).isTrue();
        assertThat(m.group(2)).isEqualTo("pet store");
        assertThat(m.group(3)).matches("http://" + m.group(1) + "\\.execute-api\\.us-east-1\\.localhost:\\d+");
        String base = m.group(4);
        assertThat(base).isEqualTo(spur.endpoint() + "/gw/" + m.group(1));

        Cli.Result byId = spur.spur("route add", m.group(1), "GET /pets/{id}", "--function", "pets");
        Cli.Result fallback =
                spur.spur("route add", m.group(1), "$default", "--function", "made", "--payload", "1.0", "--rate", "5");

        assertThat(byId.exit()).as(byId.err()).isZero();
        assertThat(byId.out()).isEqualTo("routed GET /pets/{id} → pets\n  " + base + "/pets/{id}\n");
        assertThat(fallback.exit()).as(fallback.err()).isZero();
        Http pet = get(base + "/pets/7?color=red");
        assertThat(pet.status()).isEqualTo(200);
        assertThat(pet.body())
                .startsWith("{\"pets\":{")
                .contains(
                        "\"version\":\"2.0\"",
                        "\"routeKey\":\"GET /pets/{id}\"",
                        "\"rawPath\":\"/pets/7\"",
                        "\"pathParameters\":{\"id\":\"7\"}");
        Http other = get(base + "/toys");
        assertThat(other.status()).isEqualTo(201);
        assertThat(other.body()).isEqualTo("made");
        spur.await(
                r -> r.out().contains("\"version\":\"1.0\"") && r.out().contains("\"path\":\"/toys\""), "logs", "made");

        List<String> rows = spur.spur("route ls", m.group(1)).out().lines().toList();
        assertThat(rows).hasSize(3);
        assertThat(rows.getFirst()).matches("ROUTE +FUNCTION +PAYLOAD +AUTHORIZER +THROTTLE");
        assertThat(rows).anySatisfy(r -> assertThat(r).matches("GET /pets/\\{id} +pets +2\\.0 +- +-"));
        assertThat(rows).anySatisfy(r -> assertThat(r).matches("\\$default +made +1\\.0 +- +5/s burst 5"));

        Cli.Result removed = spur.spur("route rm", m.group(1), "$default", "GET /nope");

        assertThat(removed.exit()).isEqualTo(3);
        assertThat(removed.out()).isEqualTo("removed $default from " + m.group(1) + "\n");
        assertThat(removed.err()).isEqualTo("spur: ResourceNotFoundException: Route not found: GET /nope\n");
        assertThat(get(base + "/toys").status()).isEqualTo(404);
        assertThat(get(base + "/pets/8").status()).isEqualTo(200);
        spur.spur("api rm", m.group(1));
    }

    @Test
    @SuppressWarnings("unchecked")
    void lsShowAndRmCoverTheCallersApis() {
        String id = id(spur.spur(
                "api create",
                "listed",
                "--cors-origin",
                "*",
                "--cors-method",
                "GET,POST",
                "--cors-header",
                "content-type",
                "--cors-max-age",
                "600"));
        spur.spur("route add", id, "ANY /items/{proxy+}", "--function", "pets");

        List<String> rows = spur.spur("api ls").out().lines().toList();

        assertThat(rows.getFirst()).matches("ID +NAME +ROUTES +PATH ENDPOINT +CREATED");
        assertThat(rows)
                .anySatisfy(r -> assertThat(r)
                        .matches(id + " +listed +1 +" + Pattern.quote(spur.endpoint()) + "/gw/" + id
                                + " +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC"));
        Map<String, Object> shown =
                SpurClient.parseObject(spur.spur("api show", id).out());
        assertThat(shown)
                .containsEntry("ApiId", id)
                .containsEntry("Name", "listed")
                .containsEntry("IntegrationTimeoutMillis", 30000);
        assertThat((Map<String, Object>) shown.get("Cors"))
                .containsEntry("AllowOrigins", List.of("*"))
                .containsEntry("AllowMethods", List.of("GET", "POST"))
                .containsEntry("AllowHeaders", List.of("content-type"))
                .containsEntry("MaxAge", 600);
        assertThat((List<Map<String, Object>>) shown.get("Routes"))
                .singleElement()
                .satisfies(r -> assertThat(r).containsEntry("RouteKey", "ANY /items/{proxy+}"));

        Cli.Result removed = spur.spur("api rm", id, id);

        assertThat(removed.exit()).isEqualTo(3);
        assertThat(removed.out()).isEqualTo("deleted API " + id + "\n");
        assertThat(removed.err()).startsWith("spur: ResourceNotFoundException: ");
        assertThat(spur.spur("api ls").out()).doesNotContain(id);
        assertThat(spur.spur("api show", id).exit()).isEqualTo(3);
    }

    @Test
    void applyCreatesFromAFileThenReplacesTheApiItNames() throws Exception {
        Path file = work.resolve("api.json");
        Files.writeString(file, """
                {"Name": "declared",
                 "Routes": [{"RouteKey": "GET /hello", "Target": {"Function": "pets"}},
                            {"RouteKey": "POST /hello", "Target": {"Function": "pets"}, "PayloadFormatVersion": "1.0"}]}
                """);

        Cli.Result created = spur.spur("api apply", file.toString());

        assertThat(created.exit()).as(created.err()).isZero();
        String id = id(created);
        assertThat(created.out())
                .endsWith("(add \"ApiId\": \"" + id + "\" to " + file
                        + " for the next apply to replace this API rather than create another)\n");
        assertThat(get(spur.endpoint() + "/gw/" + id + "/hello").body()).contains("\"routeKey\":\"GET /hello\"");

        Files.writeString(file, """
                {"ApiId": "%s", "Name": "declared again",
                 "Routes": [{"RouteKey": "GET /bye", "Target": {"Function": "pets"}}]}
                """.formatted(id));
        Cli.Result replaced = spur.spur("api apply", file.toString());

        assertThat(replaced.exit()).as(replaced.err()).isZero();
        assertThat(replaced.out()).startsWith("replaced API " + id + " (declared again)\n");
        assertThat(get(spur.endpoint() + "/gw/" + id + "/hello").status()).isEqualTo(404);
        assertThat(get(spur.endpoint() + "/gw/" + id + "/bye").status()).isEqualTo(200);
        assertThat(spur.spur("route ls", id).out().lines().skip(1).toList())
                .singleElement()
                .satisfies(r -> assertThat(r).startsWith("GET /bye "));
        spur.spur("api rm", id);
    }

    @Test
    void showPrintsAFileThatApplyTakesBack() throws Exception {
        String id = id(spur.spur("api create", "round trip", "--rate", "50"));
        spur.spur("route add", id, "GET /a", "--function", "pets", "--payload", "1.0");
        Path file = work.resolve("shown.json");
        Files.writeString(file, spur.spur("api show", id).out());

        Cli.Result applied = spur.spur("api apply", file.toString());

        assertThat(applied.exit()).as(applied.err()).isZero();
        assertThat(applied.out()).startsWith("replaced API " + id + " (round trip)\n");
        assertThat(spur.spur("route ls", id).out()).containsPattern("(?m)^GET /a +pets +1\\.0 ");
        spur.spur("api rm", id);
    }

    @Test
    void aBadRouteKeyExitsThreeWithTheServersMessage() {
        String id = id(spur.spur("api create", "strict"));

        Cli.Result added = spur.spur("route add", id, "GET pets", "--function", "pets");

        assertThat(added.exit()).isEqualTo(3);
        assertThat(added.out()).isEmpty();
        assertThat(added.err())
                .isEqualTo("spur: InvalidParameterValueException: route path must start with '/', " + "was 'pets'\n");
        assertThat(spur.spur("route ls", id).out().lines().count()).isEqualTo(1);
        spur.spur("api rm", id);
    }

    @Test
    void aRouteToAMissingFunctionExitsThree() {
        String id = id(spur.spur("api create", "orphans"));

        Cli.Result added = spur.spur("route add", id, "GET /x", "--function", "never-deployed");

        assertThat(added.exit()).isEqualTo(3);
        assertThat(added.err()).startsWith("spur: ResourceNotFoundException: ");
        spur.spur("api rm", id);
    }

    @Test
    void localMistakesAreUsageErrorsBeforeContactingSpur() throws Exception {
        Path notJson = Files.writeString(work.resolve("bad.json"), "[1, 2]");

        Cli.Result burst = Cli.run("api", "create", "x", "--burst", "3", "--endpoint", "http://127.0.0.1:1");
        Cli.Result missing =
                Cli.run("api", "apply", work.resolve("none.json").toString(), "--endpoint", "http://127.0.0.1:1");
        Cli.Result array = Cli.run("api", "apply", notJson.toString(), "--endpoint", "http://127.0.0.1:1");
        Cli.Result noFunction = Cli.run("route", "add", "abcdefghij", "GET /x", "--endpoint", "http://127.0.0.1:1");

        assertThat(burst.exit()).isEqualTo(2);
        assertThat(burst.err()).isEqualTo("spur: --burst needs --rate\n");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).endsWith("none.json: no such file\n");
        assertThat(array.exit()).isEqualTo(2);
        assertThat(array.err()).startsWith("spur: " + notJson + " is not a JSON object");
        assertThat(noFunction.exit()).isEqualTo(2);
        assertThat(noFunction.err()).contains("Missing required option: '--function=NAME'");
    }

    private static String id(Cli.Result created) {
        assertThat(created.exit()).as(created.err()).isZero();
        Matcher m = CREATED.matcher(created.out());
        assertThat(m.lookingAt()).as(created.out()).isTrue();
        return m.group(1);
    }

    private record Http(int status, String body) {}

    private static Http get(String url) throws IOException {
        HttpURLConnection conn = (HttpURLConnection) URI.create(url).toURL().openConnection();
        int status = conn.getResponseCode();
        try (InputStream in = status >= 400 ? conn.getErrorStream() : conn.getInputStream()) {
            return new Http(status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
