package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real browser against Spur's HTTP gateway: Debian's Chromium, driven by Playwright
 * ({@code src/test/browser/page-test.mjs}), loads an HTML page served by one function through one HTTP
 * API, and the page's script calls a JSON API on another origin (another API's host name) with a custom
 * header, so the browser sends a CORS preflight first. Whether the call may go ahead is decided by the
 * browser alone, from the {@code Access-Control-*} headers Spur answers with. Screenshots land in
 * {@code target/browser/}.
 */
@SpurTest
class BrowserTest {
    static final String MESSAGE = "hello from the other origin";
    /**
     * The page function: renders a page whose script calls the JSON API named in the page's own query
     * string ({@code ?api=}), with a custom header, so the browser must ask with a preflight first.
     */
    static final String PAGE = """
            import json

            def handler(event, context):
                target = (event.get("queryStringParameters") or {}).get("api", "")
                script = json.dumps(target).replace("</", "<\\\\/")
                host = event["headers"].get("host", "")
                page = \"\"\"<!doctype html>
            <html><head><title>Spur browser test</title></head>
            <body style="font-family: sans-serif; margin: 2em">
            <h1>Served by a Spur function</h1>
            <p>This page's origin: <code>http://%s</code></p>
            <p>Result of the cross-origin call: <strong id="out">waiting&hellip;</strong></p>
            <script>
            const out = document.getElementById('out');
            fetch(%s, {headers: {'x-spur-test': '1'}})
              .then(r => r.json())
              .then(d => { out.textContent = d.message; out.dataset.state = 'ok'; })
              .catch(e => { out.textContent = 'error: ' + e.message; out.dataset.state = 'error'; });
            </script>
            </body></html>\"\"\" % (host, script)
                return {"statusCode": 200, "headers": {"content-type": "text/html; charset=utf-8"}, "body": page}
            """;

    static final String DATA = """
            def handler(event, context):
                return {"message": "%s"}
            """.formatted(MESSAGE);

    static Spur spur;
    static Path node;
    static Path script;
    /** The page as served under the allowed origin, and under one that the JSON API's CORS does not list. */
    static String allowedPage;

    static String strangerPage;
    static String dataApiId;
    static String dataUrl;

    @BeforeAll
    static void start() {
        Tools.python();
        node = Tools.node();
        Tools.require("Chromium", "/usr/bin/chromium");
        Path browserDir = Path.of("src", "test", "browser").toAbsolutePath();
        script = browserDir.resolve("page-test.mjs");
        Tools.require(
                "Playwright (npm ci --prefix spur-e2e/src/test/browser)",
                browserDir.resolve("node_modules/.bin/playwright-core").toString());
        String pageFunction = deploy("page", PAGE);
        String dataFunction = deploy("data", DATA);
        allowedPage = createApi("page", pageFunction, "GET /", null)
                .get("ApiEndpoint")
                .asText();
        strangerPage = createApi("stranger", pageFunction, "GET /", null)
                .get("ApiEndpoint")
                .asText();
        ObjectNode cors = Json.MAPPER.createObjectNode();
        cors.putArray("AllowOrigins").add(allowedPage);
        cors.putArray("AllowMethods").add("GET");
        cors.putArray("AllowHeaders").add("x-spur-test");
        cors.put("MaxAge", 0);
        JsonNode data = createApi("data", dataFunction, "GET /data", cors);
        dataApiId = data.get("ApiId").asText();
        dataUrl = data.get("ApiEndpoint").asText() + "/data";
    }

    @Test
    void pageShowsTheJsonOfAnotherOriginAfterAPreflight() throws Exception {
        assertThat(host(allowedPage)).isNotEqualTo(host(dataUrl));
        int before = accessLog().size();
        Page page = load(allowedPage, "cross-origin-allowed.png");

        assertThat(page.state()).as(page.toString()).isEqualTo("ok");
        assertThat(page.text()).isEqualTo(MESSAGE);
        assertThat(page.consoleErrors()).as(page.toString()).noneMatch(e -> e.contains("CORS"));
        List<JsonNode> log =
                awaitAccessLog(before, line -> line.get("httpMethod").asText().equals("GET"));
        assertThat(log)
                .as("the JSON API's access log: the preflight, then the call")
                .hasSize(2);
        assertThat(log.get(0).get("httpMethod").asText()).isEqualTo("OPTIONS");
        assertThat(log.get(0).get("routeKey").asText()).isEqualTo("OPTIONS (CORS preflight)");
        assertThat(log.get(0).get("path").asText()).isEqualTo("/data");
        assertThat(log.get(1).get("routeKey").asText()).isEqualTo("GET /data");
        assertThat(log.get(1).get("status").asText()).isEqualTo("200");
    }

    @Test
    void browserRefusesTheCallFromAnOriginTheCorsConfigurationDoesNotList() throws Exception {
        int before = accessLog().size();
        Page page = load(strangerPage, "cross-origin-refused.png");

        assertThat(page.state()).as(page.toString()).isEqualTo("error");
        assertThat(page.text()).startsWith("error: ").doesNotContain(MESSAGE);
        assertThat(page.consoleErrors())
                .as(page.toString())
                .anyMatch(e -> e.contains("from origin '" + strangerPage + "' has been blocked by CORS policy"));
        // Spur answered the preflight without CORS headers, so the browser never sent the call itself.
        List<JsonNode> log =
                awaitAccessLog(before, line -> line.get("httpMethod").asText().equals("OPTIONS"));
        assertThat(log)
                .as("the JSON API's access log: the preflight only")
                .singleElement()
                .satisfies(line -> assertThat(line.get("routeKey").asText()).isEqualTo("OPTIONS (CORS preflight)"));
    }

    /** What page-test.mjs reported about one page. */
    record Page(String state, String text, List<String> consoleErrors, Path screenshot) {}

    /** Runs page-test.mjs on {@code page?api=<the JSON API>}; checks the screenshot is a real PNG. */
    private static Page load(String pageUrl, String screenshotName) throws IOException, InterruptedException {
        Path screenshot = Path.of("target", "browser", screenshotName).toAbsolutePath();
        Files.createDirectories(screenshot.getParent());
        Files.deleteIfExists(screenshot);
        String url = pageUrl + "/?api=" + URLEncoder.encode(dataUrl, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(node.toString(), script.toString(), url, screenshot.toString())
                .redirectErrorStream(true)
                .start();
        byte[] output;
        try {
            output = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(90, TimeUnit.SECONDS))
                    .as("page-test.mjs finished")
                    .isTrue();
        } finally {
            p.destroyForcibly();
        }
        String printed = new String(output, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("page-test.mjs " + url + ":\n" + printed).isZero();
        String lastLine = printed.strip().lines().reduce((a, b) -> b).orElse("");
        JsonNode report = Json.MAPPER.readTree(lastLine);
        assertThat(report.get("pageErrors")).as(printed).isEmpty();
        byte[] png = Files.readAllBytes(screenshot);
        assertThat(png.length).as("screenshot size").isGreaterThan(1024);
        assertThat(png).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
        return new Page(
                report.get("state").asText(),
                report.get("text").asText(),
                List.of(Json.MAPPER.convertValue(report.get("consoleErrors"), String[].class)),
                screenshot);
    }

    private static String deploy(String prefix, String code) {
        return spur.deploy(prefix, FunctionPackage.python(code), b -> b.timeout(10));
    }

    private static JsonNode createApi(String name, String function, String routeKey, ObjectNode cors) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("Name", name);
        if (cors != null) {
            body.set("Cors", cors);
        }
        ArrayNode routes = body.putArray("Routes");
        ObjectNode route = routes.addObject().put("RouteKey", routeKey).put("PayloadFormatVersion", "2.0");
        route.putObject("Target").put("Function", function);
        Spur.Answer created = spur.spurApi("POST", "/spur/v1/apis", body.toString());
        assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
        return created.body();
    }

    /** The JSON API's access-log lines so far. */
    private static List<JsonNode> accessLog() {
        Path file = spur.dataDir().resolve("logs").resolve("apis").resolve(dataApiId + ".log");
        try {
            return Files.exists(file)
                    ? Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                            .map(BrowserTest::parse)
                            .toList()
                    : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The JSON API's access-log lines after the first {@code skip}, once one of them matches {@code last}
     * (the gateway appends a line after it has answered, so the browser can be done before it is written).
     */
    private static List<JsonNode> awaitAccessLog(int skip, Predicate<JsonNode> last) {
        return Await.await(
                "the expected line in the access log after line " + skip,
                Duration.ofSeconds(10),
                () -> accessLog().stream().skip(skip).toList(),
                lines -> lines.stream().anyMatch(last));
    }

    private static JsonNode parse(String line) {
        try {
            return Json.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not a JSON access-log line: " + line, e);
        }
    }

    private static String host(String url) {
        return URI.create(url).getHost();
    }
}
