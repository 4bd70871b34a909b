package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.auth.Credential;
import dev.spur.common.Json;
import dev.spur.queue.DeadLetter;
import dev.spur.server.SpurServer;
import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;

/**
 * The web console in a real browser (Debian's Chromium driven by Playwright, {@code
 * src/test/browser/console-test.mjs}) against a server with {@code --auth sigv4}: sign in with an access
 * key (a wrong secret refused), the account's functions listed (another account's not), search, a
 * function's page with its charts, a test invoke with the response, log and REPORT, the invocation's
 * line arriving in the live log, a dead letter inspected and replayed from the browser (and the replay
 * running the fixed function), usage and cost, and the other pages rendering. Screenshots land in
 * {@code target/browser/}; the best are committed under {@code docs/}.
 */
@SpurTest(auth = SpurServer.Auth.SIGV4, asyncRetryDelay = "PT0.1S")
class ConsoleBrowserTest {
    static final String APP = """
            import os

            def handler(event, context):
                print("hello from", event.get("who"), "marker", event.get("marker"))
                if event.get("order") and os.environ.get("FIXED") != "1":
                    raise ValueError("order %s cannot be processed yet" % event.get("order"))
                if event.get("order"):
                    print("processed order", event.get("order"))
                return {"hello": event.get("who"), "marker": event.get("marker")}
            """;

    static Spur spur;

    @Test
    void signInListDrillDownInvokeWatchTheLogAndReplayADeadLetter() throws Exception {
        Tools.python();
        Path node = Tools.node();
        Tools.require("Chromium", "/usr/bin/chromium");
        Path browserDir = Path.of("src", "test", "browser").toAbsolutePath();
        Tools.require(
                "Playwright (npm ci --prefix spur-e2e/src/test/browser)",
                browserDir.resolve("node_modules/.bin/playwright-core").toString());

        Credential mine = spur.newKey("111111111111");
        Credential theirs = spur.newKey("222222222222");
        String function;
        String failing;
        String other;
        try (LambdaClient a = spur.client(mine);
                LambdaClient b = spur.client(theirs)) {
            function = Spur.deploy(a, "console", FunctionPackage.python(APP), s -> s.timeout(10));
            other = Spur.deploy(b, "console-other", FunctionPackage.python(APP), s -> s.timeout(10));
            failing = Spur.deploy(a, "console-orders", FunctionPackage.python(APP), s -> s.timeout(10));
            a.putFunctionEventInvokeConfig(c -> c.functionName(failing).maximumRetryAttempts(0));
            for (int i = 0; i < 3; i++) {
                Spur.ok(Spur.invoke(a, function, Map.of("who", "warm-up " + i)));
            }
            a.invoke(r -> r.functionName(failing)
                    .invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String("{\"order\": 42}")));
            List<DeadLetter> letters = Await.await(
                    "the failed order among the dead letters",
                    Duration.ofSeconds(30),
                    () -> spur.server().queue().deadLetters("111111111111", Optional.of(failing), Optional.empty(), 10),
                    l -> !l.isEmpty());
            assertThat(letters).hasSize(1);
            // fixed now: the replay from the browser must succeed
            a.updateFunctionConfiguration(
                    c -> c.functionName(failing).environment(e -> e.variables(Map.of("FIXED", "1"))));
        }

        String marker = UUID.randomUUID().toString();
        Path screenshots = Path.of("target", "browser").toAbsolutePath();
        Files.createDirectories(screenshots);
        String config = Json.MAPPER.writeValueAsString(Map.of(
                "url", spur.endpoint(),
                "accessKeyId", mine.accessKeyId(),
                "secretKey", mine.secretKey(),
                "function", function,
                "otherFunction", other,
                "marker", marker,
                "screenshots", screenshots.toString()));
        JsonNode seen = run(node, browserDir.resolve("console-test.mjs"), config);

        assertThat(seen.get("ok").asBoolean()).as(seen.toPrettyString()).isTrue();
        assertThat(seen.get("pageErrors")).as(seen.toPrettyString()).isEmpty();
        assertThat(seen.get("consoleErrors")).as(seen.toPrettyString()).isEmpty();
        assertThat(strings(seen.get("failedResponses")))
                .as("only the failures the test provokes, and the function's absent URL configuration")
                .allMatch(r -> r.equals("403 POST /console/session")
                        || r.equals("404 GET /2015-03-31/functions/" + other)
                        || r.equals("403 DELETE /spur/v1/dead-letters")
                        || r.equals("404 GET /spur/v1/nodes") // until the cluster's membership API exists
                        || r.startsWith("404 GET /2021-10-31/functions/") && r.endsWith("/url"));
        assertThat(seen.get("signInError").asText()).contains("UnrecognizedClientException");
        assertThat(seen.get("cookieVisibleToScript").asBoolean())
                .as("the session cookie is HttpOnly")
                .isFalse();
        assertThat(strings(seen.get("listed"))).contains(function, failing).doesNotContain(other);
        assertThat(seen.get("listedInvocations").asText()).isEqualTo("3");
        assertThat(strings(seen.get("visibleAfterSearch"))).contains(function);
        assertThat(seen.get("visibleAfterNoMatch").asInt()).isZero();
        assertThat(seen.get("otherFunctionStatus").asInt())
                .as("another account's function")
                .isEqualTo(404);
        assertThat(seen.get("deleteWithoutCsrf").asInt())
                .as("a state change without the CSRF token")
                .isEqualTo(403);
        assertThat(seen.get("invokeStatus").asText()).startsWith("Succeeded");
        assertThat(seen.get("invokeResponse").asText())
                .contains("\"hello\": \"browser\"")
                .contains(marker);
        assertThat(seen.get("invokeLogs").asText()).contains("hello from browser marker " + marker);
        assertThat(seen.get("invokeReport").asText())
                .contains("REPORT RequestId: ")
                .contains("Billed Duration: ");
        assertThat(strings(seen.get("savedEvents"))).containsExactly("from-the-test");
        assertThat(seen.get("liveLogSawMarker").asBoolean()).isTrue();
        assertThat(seen.get("inspected").asText()).contains("\"order\": 42");
        String replayed = seen.get("replayed").asText();
        assertThat(strings(seen.get("deadLetterIds"))).contains(replayed);
        assertThat(seen.get("pageErrorShown").asBoolean()).isFalse();
        assertThat(seen.get("usageRow").get(1).asText())
                .as("requests of %s on the usage page", function)
                .isEqualTo("4");

        // The replayed event ran the fixed function, and left the dead letters.
        Await.await(
                "the replayed order processed in the function's log",
                Duration.ofSeconds(30),
                () -> functionLog(failing),
                log -> log.contains("processed order 42"));
        assertThat(spur.server().queue().deadLetters("111111111111", Optional.of(failing), Optional.empty(), 10))
                .isEmpty();
        for (String png : List.of(
                "console-signin.png",
                "console-functions.png",
                "console-function.png",
                "console-dead-letters.png",
                "console-usage.png")) {
            byte[] bytes = Files.readAllBytes(screenshots.resolve(png));
            assertThat(bytes).as(png).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
        }
    }

    @Test
    void theSessionCookieIsHttpOnlyAndSameSiteStrictAndTheConsoleNeedsNoSignatureAfterSignIn() throws Exception {
        Credential key = spur.newKey("333333333333");
        String body = Json.MAPPER.writeValueAsString(
                Map.of("AccessKeyId", key.accessKeyId(), "SecretAccessKey", key.secretKey(), "Region", "us-east-1"));
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> signedIn = http.send(
                    HttpRequest.newBuilder(URI.create(spur.endpoint() + "/console/session"))
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .header("Content-Type", "application/json")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(200);
            String cookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie).startsWith("spur-console=").contains("HttpOnly").contains("SameSite=Strict");
            String session = cookie.substring(0, cookie.indexOf(';'));
            String csrf = Json.MAPPER.readTree(signedIn.body()).get("Csrf").asText();

            HttpResponse<String> listed = http.send(
                    HttpRequest.newBuilder(URI.create(spur.endpoint() + "/2015-03-31/functions/"))
                            .header("Cookie", session)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
            HttpResponse<String> unsigned = http.send(
                    HttpRequest.newBuilder(URI.create(spur.endpoint() + "/2015-03-31/functions/"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(unsigned.statusCode()).isEqualTo(403);

            HttpResponse<String> signedOut = http.send(
                    HttpRequest.newBuilder(URI.create(spur.endpoint() + "/console/session"))
                            .DELETE()
                            .header("Cookie", session)
                            .header("X-Spur-Csrf", csrf)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(signedOut.statusCode()).isEqualTo(204);
            HttpResponse<String> after = http.send(
                    HttpRequest.newBuilder(URI.create(spur.endpoint() + "/2015-03-31/functions/"))
                            .header("Cookie", session)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(after.statusCode()).as("the session is over").isEqualTo(403);
        }
    }

    private static JsonNode run(Path node, Path script, String config) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(node.toString(), script.toString(), config)
                .redirectErrorStream(true)
                .start();
        byte[] output;
        try {
            output = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(180, TimeUnit.SECONDS))
                    .as("console-test.mjs finished")
                    .isTrue();
        } finally {
            p.destroyForcibly();
        }
        String printed = new String(output, StandardCharsets.UTF_8);
        String lastLine = printed.strip().lines().reduce((x, y) -> y).orElse("");
        try {
            return Json.MAPPER.readTree(lastLine);
        } catch (IOException e) {
            throw new AssertionError("console-test.mjs printed no report:\n" + printed, e);
        }
    }

    private static List<String> strings(JsonNode array) {
        return List.of(Json.MAPPER.convertValue(array, String[].class));
    }

    /** Everything the function logged, from its log files under the data directory. */
    private static String functionLog(String function) {
        Path dir = spur.dataDir()
                .resolve("logs")
                .resolve("111111111111")
                .resolve("us-east-1")
                .resolve(function);
        if (!Files.isDirectory(dir)) {
            return "";
        }
        try (Stream<Path> files = Files.list(dir)) {
            StringBuilder sb = new StringBuilder();
            for (Path f : files.sorted().toList()) {
                sb.append(Files.readString(f, StandardCharsets.UTF_8));
            }
            return sb.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
