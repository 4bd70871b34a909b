package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/**
 * {@code deploy/grafana/spur.json} asks only for what Spur exports: every PromQL expression's metric
 * names are in a real scrape of a Spur that has served invocations of every kind, and a real
 * Prometheus (Debian's {@code prometheus}) scraping that Spur answers every panel's query with data.
 */
@SpurTest
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "spur.json");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of(
            "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset");
    static Spur spur;
    static String function;

    /** One function that has run, failed, been throttled and dead-lettered an event. */
    @BeforeAll
    static void serveInvocationsOfEveryKind() {
        function = spur.deploy("dash", FunctionPackage.testRuntime());
        Spur.ok(spur.invoke(function, Map.of()));
        assertThat(spur.invoke(function, Map.of("fail", "x")).functionError()).isEqualTo("Unhandled");
        spur.lambda().putFunctionEventInvokeConfig(b -> b.functionName(function).maximumRetryAttempts(0));
        spur.lambda()
                .invoke(b -> b.functionName(function)
                        .invocationType(InvocationType.EVENT)
                        .payload(SdkBytes.fromUtf8String("{\"fail\":\"x\"}")));
        Await.await(
                "the event's dead letter",
                Duration.ofSeconds(60),
                () -> spur.spurApi("GET", "/spur/v1/dead-letters?function=" + function, null)
                        .body()
                        .get("DeadLetters"),
                l -> !l.isEmpty());
        spur.lambda().putFunctionConcurrency(b -> b.functionName(function).reservedConcurrentExecutions(0));
        assertThatThrownBy(() -> spur.invoke(function, Map.of())).isInstanceOf(TooManyRequestsException.class);
        System.gc(); // the server runs in this JVM: its GC-pause timer exists once a collection has happened
    }

    @Test
    void everyMetricTheDashboardQueriesIsInARealScrape() throws IOException {
        Set<String> wanted = new TreeSet<>();
        for (String expr : expressions()) {
            wanted.addAll(metricNames(expr));
        }
        for (String query : variableQueries()) {
            Matcher m = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)")
                    .matcher(query);
            assertThat(m.find()).as(query).isTrue();
            wanted.add(m.group(1));
        }
        assertThat(wanted)
                .as("the dashboard's four sections")
                .contains(
                        "spur_invocations_total",
                        "spur_duration_seconds_bucket",
                        "spur_async_queue_depth",
                        "spur_environments");
        Set<String> scraped = MetricsTest.Scrape.of(spur).names();
        assertThat(scraped).containsAll(wanted);
    }

    @Test
    void aRealPrometheusScrapingSpurAnswersEveryPanel(@TempDir Path dir) throws Exception {
        Path prometheus = Tools.require("Prometheus (apt-get install prometheus)", "/usr/bin/prometheus");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: spur
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(spur.port()));
        Process server = new ProcessBuilder(
                        prometheus.toString(),
                        "--config.file=" + dir.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        try {
            String api = "http://127.0.0.1:" + port + "/api/v1/query?query=";
            Await.await(
                    "Prometheus to have scraped Spur five times",
                    Duration.ofSeconds(90),
                    () -> query(api, "count_over_time(up{job=\"spur\"}[1m])"),
                    r -> r.path("data")
                                    .path("result")
                                    .path(0)
                                    .path("value")
                                    .path(1)
                                    .asDouble()
                            >= 5);
            List<String> empty = new ArrayList<>();
            for (String expr : expressions()) {
                String concrete = expr.replace("$__rate_interval", "1m")
                        .replace("$node", ".*")
                        .replace("$account", ".*")
                        .replace("$function", function);
                JsonNode answer = query(api, concrete);
                assertThat(answer.path("status").asText())
                        .as(concrete + " → " + answer)
                        .isEqualTo("success");
                if (answer.path("data").path("result").isEmpty()) {
                    empty.add(concrete);
                }
            }
            assertThat(empty).as("queries Prometheus answered with no series").isEmpty();
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    private static JsonNode query(String api, String promql) {
        try {
            var response = MetricsTest.get(api + URLEncoder.encode(promql, StandardCharsets.UTF_8), Map.of());
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            return Json.MAPPER.createObjectNode().put("status", "unreachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every panel target's PromQL. */
    static List<String> expressions() throws IOException {
        JsonNode dashboard = Json.MAPPER.readTree(Files.readString(DASHBOARD));
        List<String> out = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                out.add(target.path("expr").asText());
            }
        }
        assertThat(out).as("panel queries").hasSizeGreaterThan(20).doesNotContain("");
        return out;
    }

    /** The template variables' {@code label_values(...)} queries. */
    static List<String> variableQueries() throws IOException {
        JsonNode dashboard = Json.MAPPER.readTree(Files.readString(DASHBOARD));
        List<String> out = new ArrayList<>();
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                out.add(variable.path("query").path("query").asText());
            }
        }
        return out;
    }

    /**
     * The metric names in a PromQL expression: identifiers left once strings, label matchers, ranges,
     * grouping clauses and numbers are taken out, other than functions (followed by "("), keywords
     * and Grafana variables.
     */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", " ")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("(?<![a-zA-Z_:])\\d+(\\.\\d+)?([eE][-+]?\\d+)?", " ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String id = m.group();
            int after = m.end();
            while (after < s.length() && s.charAt(after) == ' ') {
                after++;
            }
            boolean function = after < s.length() && s.charAt(after) == '(';
            boolean variable = m.start() > 0 && s.charAt(m.start() - 1) == '$';
            if (!function && !variable && !KEYWORDS.contains(id)) {
                names.add(id);
            }
        }
        return names;
    }

    @Test
    void metricNamesAreFoundInsideFunctionsAndNotConfusedWithLabelsOrNumbers() {
        assertThat(metricNames(
                        "sum by (function, le) (rate(spur_duration_seconds_bucket{function=\"$function\"}[$__rate_interval]))"
                                + " / clamp_min(sum(rate(spur_invocations_total{a=~\".*\"}[1m])), 1e-9) > bool 0.5"))
                .containsExactly("spur_duration_seconds_bucket", "spur_invocations_total");
    }
}
