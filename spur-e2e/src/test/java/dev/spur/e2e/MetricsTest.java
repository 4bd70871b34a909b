package dev.spur.e2e;

import static dev.spur.testing.server.Spur.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.FunctionUrlAuthType;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/**
 * Issue #10's metrics and trace ids against a real server: invocations of every outcome, then a real
 * scrape of {@code GET /metrics} (Micrometer's Prometheus exposition) and its counters and histograms.
 */
@SpurTest
class MetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    static Spur spur;

    @Test
    void aSuccessfulColdThenWarmInvocationCountsTwiceWithOneColdStartAndHistograms() {
        String fn = spur.deploy("m-ok", FunctionPackage.testRuntime());
        ok(spur.invoke(fn, Map.of()));
        ok(spur.invoke(fn, Map.of()));

        Scrape s = Scrape.of(spur);
        Map<String, String> labels =
                Map.of("function", fn, "version", "$LATEST", "alias", "", "account", "000000000000");
        assertThat(s.value("spur_invocations_total", labels)).isEqualTo(2);
        assertThat(s.value("spur_cold_starts_total", labels)).isEqualTo(1);
        assertThat(s.value("spur_duration_seconds_count", labels)).isEqualTo(2);
        assertThat(s.value("spur_duration_seconds_bucket", with(labels, "le", "+Inf")))
                .isEqualTo(2);
        assertThat(s.value("spur_init_duration_seconds_count", labels)).isEqualTo(1);
        assertThat(s.value("spur_init_duration_seconds_sum", labels)).isPositive();
        assertThat(s.value("spur_errors_total", with(labels, "type", "function")))
                .isZero();
        assertThat(s.value("spur_concurrent_executions", labels)).isZero();
        assertThat(s.sum("spur_sandbox_start_seconds_count", Map.of())).isPositive();
        assertThat(s.sum("spur_environments", Map.of("runtime", "provided.al2023", "state", "idle")))
                .isPositive();
        assertThat(s.sum("spur_node_memory_budget_used_bytes", Map.of())).isGreaterThanOrEqualTo(128 << 20);
        assertThat(s.sum("jvm_memory_used_bytes", Map.of())).isPositive();
        assertThat(s.node()).as("every series names its node").isNotBlank();
    }

    @Test
    void failuresCountByType() {
        String fn = spur.deploy("m-err", FunctionPackage.testRuntime(), b -> b.timeout(1));
        assertThat(spur.invoke(fn, Map.of("fail", "boom")).functionError()).isEqualTo("Unhandled");
        assertThat(spur.invoke(fn, Map.of("sleep", 3)).functionError()).isEqualTo("Unhandled");
        assertThat(spur.invoke(fn, Map.of("exit", 3)).functionError()).isEqualTo("Unhandled");
        String broken = spur.deploy(
                "m-init",
                FunctionPackage.testRuntime(),
                b -> b.environment(e -> e.variables(Map.of("INIT_FAIL", "1"))));
        assertThat(spur.invoke(broken, Map.of()).functionError()).isEqualTo("Unhandled");

        Scrape s = Scrape.of(spur);
        Map<String, String> labels = Map.of("function", fn, "version", "$LATEST");
        assertThat(s.value("spur_invocations_total", labels)).isEqualTo(3);
        assertThat(s.value("spur_errors_total", with(labels, "type", "function")))
                .isEqualTo(1);
        assertThat(s.value("spur_errors_total", with(labels, "type", "timeout")))
                .isEqualTo(1);
        assertThat(s.value("spur_errors_total", with(labels, "type", "runtime_exit")))
                .isEqualTo(1);
        assertThat(s.value("spur_errors_total", with(labels, "type", "init"))).isZero();
        assertThat(s.value("spur_errors_total", Map.of("function", broken, "type", "init")))
                .isEqualTo(1);
        assertThat(s.value("spur_invocations_total", Map.of("function", broken)))
                .isEqualTo(1);
    }

    @Test
    void throttlesCountByReasonAndAreNotInvocations() {
        String fn = spur.deploy("m-thr", FunctionPackage.testRuntime());
        spur.lambda().putFunctionConcurrency(b -> b.functionName(fn).reservedConcurrentExecutions(0));
        assertThatThrownBy(() -> spur.invoke(fn, Map.of())).isInstanceOf(TooManyRequestsException.class);
        assertThatThrownBy(() -> spur.invoke(fn, Map.of())).isInstanceOf(TooManyRequestsException.class);

        Scrape s = Scrape.of(spur);
        assertThat(s.value(
                        "spur_throttles_total",
                        Map.of("function", fn, "reason", "ReservedFunctionConcurrentInvocationLimitExceeded")))
                .isEqualTo(2);
        assertThat(s.value("spur_invocations_total", Map.of("function", fn))).isZero();
    }

    @Test
    void anAliasIsALabelBesideTheExecutedVersion() {
        String fn = spur.deploy("m-alias", FunctionPackage.testRuntime());
        String version = spur.lambda().publishVersion(b -> b.functionName(fn)).version();
        spur.lambda().createAlias(b -> b.functionName(fn).name("live").functionVersion(version));
        ok(spur.lambda().invoke(b -> b.functionName(fn).qualifier("live")));
        ok(spur.lambda().invoke(b -> b.functionName(fn).qualifier(version)));

        Scrape s = Scrape.of(spur);
        assertThat(s.value("spur_invocations_total", Map.of("function", fn, "version", version, "alias", "live")))
                .isEqualTo(1);
        assertThat(s.value("spur_invocations_total", Map.of("function", fn, "version", version, "alias", "")))
                .isEqualTo(1);
    }

    @Test
    void asyncEventsAreReceivedRetriedDroppedAndDeadLetteredUnderTheCallersTrace() {
        String fn = spur.deploy("m-async", FunctionPackage.testRuntime());
        spur.lambda().putFunctionEventInvokeConfig(b -> b.functionName(fn).maximumRetryAttempts(1));
        String root = "1-5759e988-bd862e3fe1be46a994272793";
        InvokeResponse accepted = spur.lambda()
                .invoke(b -> b.functionName(fn)
                        .invocationType(InvocationType.EVENT)
                        .payload(SdkBytes.fromUtf8String("{\"fail\":\"always\"}"))
                        .overrideConfiguration(c -> c.putHeader("X-Amzn-Trace-Id", "Root=" + root + ";Sampled=1")));
        assertThat(accepted.statusCode()).isEqualTo(202);
        JsonNode letters = Await.await(
                "a dead letter of " + fn,
                WAIT,
                () -> spur.spurApi("GET", "/spur/v1/dead-letters?function=" + fn, null)
                        .body()
                        .get("DeadLetters"),
                l -> !l.isEmpty());
        assertThat(letters.get(0).get("Origin").asText()).isEqualTo("invoke");
        assertThat(letters.get(0).get("TraceHeader").asText())
                .startsWith("Root=" + root + ";")
                .endsWith(";Sampled=1");

        Scrape s = Scrape.of(spur);
        Map<String, String> function = Map.of("function", fn);
        assertThat(s.value("spur_async_events_received_total", function)).isEqualTo(1);
        assertThat(s.value("spur_async_events_retried_total", function)).isEqualTo(1);
        assertThat(s.value("spur_async_events_dropped_total", with(function, "reason", "RetriesExhausted")))
                .isEqualTo(1);
        assertThat(s.value("spur_async_events_dead_lettered_total", function)).isEqualTo(1);
        assertThat(s.value("spur_async_event_age_seconds_count", function)).isEqualTo(2);
        assertThat(s.value("spur_invocations_total", function)).isEqualTo(2);
        assertThat(s.value("spur_errors_total", with(function, "type", "function")))
                .isEqualTo(2);
        assertThat(s.names()).contains("spur_async_queue_depth", "spur_async_queue_oldest_age_seconds");
    }

    @Test
    void theRuntimeGetsTheCallersTraceRootWithAParentOfItsOwnOrANewTrace() {
        String fn = spur.deploy("m-trace", FunctionPackage.testRuntime());
        String root = "1-6759e988-0123456789abcdef01234567";
        JsonNode traced = ok(spur.lambda()
                .invoke(b -> b.functionName(fn)
                        .overrideConfiguration(
                                c -> c.putHeader("X-Amzn-Trace-Id", "Root=" + root + ";Parent=1111111111111111"))));
        assertThat(traced.get("trace").asText()).matches("Root=" + root + ";Parent=[0-9a-f]{16};Sampled=0");
        assertThat(traced.get("trace").asText()).doesNotContain("1111111111111111");

        JsonNode fresh = ok(spur.lambda()
                .invoke(b -> b.functionName(fn)
                        .overrideConfiguration(c -> c.putHeader("X-Amzn-Trace-Id", "Root=not-a-root"))));
        assertThat(fresh.get("trace").asText())
                .matches("Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0");
    }

    @Test
    void httpApiAndFunctionUrlRequestsPassTheirTraceHeaderToTheRuntime() throws Exception {
        String fn = spur.deploy("m-gw", FunctionPackage.testRuntime());
        String root = "1-7759e988-fedcba9876543210fedcba98";
        Map<String, String> header = Map.of("X-Amzn-Trace-Id", "Root=" + root);
        String apiId = new Apis(spur).create("""
                        {"Name": "traced", "Routes": [{"RouteKey": "GET /t", "Target": {"Function": "%s"}}]}""".formatted(fn)).get("ApiId").asText();
        HttpResponse<String> viaApi = get(spur.endpoint() + "/gw/" + apiId + "/t", header);
        assertThat(viaApi.statusCode()).as(viaApi.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(viaApi.body()).get("trace").asText()).startsWith("Root=" + root + ";Parent=");

        String url = spur.lambda()
                .createFunctionUrlConfig(b -> b.functionName(fn).authType(FunctionUrlAuthType.NONE))
                .functionUrl();
        String urlId =
                URI.create(url).getHost().substring(0, URI.create(url).getHost().indexOf('.'));
        HttpResponse<String> viaUrl = get(spur.endpoint() + "/url/" + urlId + "/", header);
        assertThat(viaUrl.statusCode()).as(viaUrl.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(viaUrl.body()).get("trace").asText()).startsWith("Root=" + root + ";Parent=");
    }

    @Test
    void openMetricsIsNegotiatedByAccept() throws Exception {
        HttpResponse<String> text = get(spur.endpoint() + "/metrics", Map.of());
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
        assertThat(text.body())
                .contains("# TYPE spur_invocations_total counter")
                .doesNotContain("# EOF");

        HttpResponse<String> open = get(
                spur.endpoint() + "/metrics",
                Map.of("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"));
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/openmetrics-text; version=1.0.0"));
        assertThat(open.body()).contains("# TYPE spur_invocations counter").endsWith("# EOF\n");
    }

    @Test
    void anOutOfMemoryKillCountsAsOom(
            @SpurTest(sandbox = SpurTest.Sandbox.LINUX, cgroup = "spur-e2e-metrics") Spur linux) {
        String fn = linux.deployPython("m-oom", """
                def handler(event, context):
                    if event.get("eat"):
                        hog = b"x" * (512 << 20)
                        return len(hog)
                    return "ok"
                """, 128, 512, 30);
        InvokeResponse oom = linux.invoke(fn, Map.of("eat", true));
        assertThat(oom.payload().asUtf8String()).contains("Runtime.OutOfMemory");
        ok(linux.invoke(fn, Map.of())); // a fresh environment, frozen once idle

        Scrape s = Scrape.of(linux);
        assertThat(s.value("spur_errors_total", Map.of("function", fn, "type", "oom")))
                .isEqualTo(1);
        assertThat(s.value("spur_errors_total", Map.of("function", fn, "type", "runtime_exit")))
                .isZero();
        assertThat(s.sum("spur_environments", Map.of("state", "frozen")))
                .as("the linux sandbox freezes idle environments")
                .isPositive();
    }

    static Map<String, String> with(Map<String, String> labels, String key, String value) {
        HashMap<String, String> copy = new HashMap<>(labels);
        copy.put(key, value);
        return copy;
    }

    static HttpResponse<String> get(String url, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(url)).GET().timeout(Duration.ofSeconds(30));
        headers.forEach(request::header);
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /** One scrape in the text format, parsed into samples. */
    record Scrape(List<Sample> samples) {
        record Sample(String name, Map<String, String> labels, double value) {}

        static Scrape of(Spur server) {
            try {
                HttpResponse<String> response = get(server.endpoint() + "/metrics", Map.of());
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                return parse(response.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        static Scrape parse(String text) {
            List<Sample> samples = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int brace = line.indexOf('{');
                int space = line.lastIndexOf(' ');
                String name = brace < 0 ? line.substring(0, line.indexOf(' ')) : line.substring(0, brace);
                Map<String, String> labels = new HashMap<>();
                if (brace >= 0) {
                    String body = line.substring(brace + 1, line.lastIndexOf('}'));
                    var m = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")
                            .matcher(body);
                    while (m.find()) {
                        labels.put(m.group(1), m.group(2));
                    }
                }
                samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
            }
            return new Scrape(samples);
        }

        /** The one sample named so whose labels include {@code labels}; 0 if none (a counter not yet counted). */
        double value(String name, Map<String, String> labels) {
            var matching = samples.stream()
                    .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                    .toList();
            assertThat(matching.size()).as("series of %s%s", name, labels).isLessThanOrEqualTo(1);
            return matching.isEmpty() ? 0 : matching.get(0).value();
        }

        double sum(String name, Map<String, String> labels) {
            return samples.stream()
                    .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                    .mapToDouble(Sample::value)
                    .sum();
        }

        Set<String> names() {
            return samples.stream().map(Sample::name).collect(Collectors.toSet());
        }

        String node() {
            return samples.get(0).labels().get("node");
        }
    }
}
