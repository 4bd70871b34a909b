package dev.spur.e2e;

import static dev.spur.testing.server.Spur.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.spur.server.SpurServer;
import dev.spur.telemetry.TelemetrySettings;
import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;

/**
 * A server started with {@code --otlp-endpoint} and {@code --metrics-token} (the kit's options do not
 * name them, so the server is started here directly): spans arrive at a real OTLP/HTTP receiver — a
 * JDK HTTP server decoding the protobuf with OpenTelemetry's own proto classes — and {@code /metrics}
 * wants the token.
 */
class TelemetryExportTest {
    private static final String TOKEN = "scrape-secret";
    private static final List<Span> SPANS = new CopyOnWriteArrayList<>();
    private static HttpServer collector;
    private static SpurServer server;
    private static LambdaClient lambda;

    @BeforeAll
    static void start(@TempDir Path data) throws IOException {
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
                for (ResourceSpans rs : request.getResourceSpansList()) {
                    for (ScopeSpans ss : rs.getScopeSpansList()) {
                        SPANS.addAll(ss.getSpansList());
                    }
                }
            }
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        URI endpoint = URI.create("http://127.0.0.1:" + collector.getAddress().getPort());
        server = SpurServer.start(SpurServer.Options.defaults(data)
                .withPort(0)
                .withTelemetry(TelemetrySettings.defaults()
                        .withMetricsToken(TOKEN)
                        .withOtlpEndpoint(endpoint)
                        .withNodeName("node-a")));
        lambda = Spur.client(server.endpoint(), "spur", "spur");
    }

    @AfterAll
    static void stop() {
        lambda.close();
        server.close();
        collector.stop(0);
    }

    @Test
    void aColdInvocationIsOneTraceUnderTheCallersRootWithAdmissionColdStartAndRunSpans() {
        String fn = Spur.deploy(lambda, "otel", FunctionPackage.testRuntime(), b -> {});
        String root = "1-6759e988-00112233445566778899aabb";
        String callerParent = "53995c3f42cd8ad8";
        JsonNode answer = ok(lambda.invoke(b -> b.functionName(fn)
                .overrideConfiguration(c ->
                        c.putHeader("X-Amzn-Trace-Id", "Root=" + root + ";Parent=" + callerParent + ";Sampled=1"))));
        String seen = answer.get("trace").asText();
        String invocationSpanId = seen.substring(seen.indexOf("Parent=") + 7, seen.indexOf("Parent=") + 23);
        String traceId = "6759e98800112233445566778899aabb";

        server.tracing().orElseThrow().flush(Duration.ofSeconds(10));
        List<Span> trace = Await.await(
                "the invocation's six spans at the collector",
                Duration.ofSeconds(30),
                () -> SPANS.stream()
                        .filter(s -> hex(s.getTraceId().toByteArray()).equals(traceId))
                        .toList(),
                spans -> spans.size() >= 6);

        Map<String, Span> byName = trace.stream().collect(Collectors.toMap(Span::getName, s -> s));
        assertThat(byName)
                .containsOnlyKeys("invoke " + fn, "admission", "cold start", "sandbox", "runtime init", "run");
        var invocation = byName.get("invoke " + fn);
        assertThat(hex(invocation.getSpanId().toByteArray()))
                .as("the span id the runtime got as Parent")
                .isEqualTo(invocationSpanId);
        assertThat(hex(invocation.getParentSpanId().toByteArray())).isEqualTo(callerParent);
        assertThat(parentOf(byName, "admission")).isEqualTo(invocation.getName());
        assertThat(parentOf(byName, "run")).isEqualTo(invocation.getName());
        assertThat(parentOf(byName, "cold start")).isEqualTo("admission");
        assertThat(parentOf(byName, "sandbox")).isEqualTo("cold start");
        assertThat(parentOf(byName, "runtime init")).isEqualTo("cold start");
        assertThat(invocation.getAttributesList()).anySatisfy(a -> {
            assertThat(a.getKey()).isEqualTo("faas.coldstart");
            assertThat(a.getValue().getBoolValue()).isTrue();
        });
        for (var span : trace) {
            assertThat(span.getEndTimeUnixNano())
                    .as(span.getName())
                    .isGreaterThanOrEqualTo(span.getStartTimeUnixNano());
            assertThat(span.getStartTimeUnixNano())
                    .as(span.getName())
                    .isGreaterThanOrEqualTo(invocation.getStartTimeUnixNano());
            assertThat(span.getEndTimeUnixNano())
                    .as(span.getName())
                    .isLessThanOrEqualTo(invocation.getEndTimeUnixNano());
        }
    }

    @Test
    void anAsyncEventsTraceHasAQueueWaitBeforeItsRun() {
        String fn = Spur.deploy(lambda, "otel-async", FunctionPackage.testRuntime(), b -> {});
        String root = "1-6759e988-ffeeddccbbaa998877665544";
        assertThat(lambda.invoke(b -> b.functionName(fn)
                                .invocationType(InvocationType.EVENT)
                                .overrideConfiguration(c -> c.putHeader("X-Amzn-Trace-Id", "Root=" + root)))
                        .statusCode())
                .isEqualTo(202);
        String traceId = "6759e988ffeeddccbbaa998877665544";
        List<Span> trace = Await.await(
                "the event's spans at the collector",
                Duration.ofSeconds(30),
                () -> {
                    server.tracing().orElseThrow().flush(Duration.ofSeconds(5));
                    return SPANS.stream()
                            .filter(s -> hex(s.getTraceId().toByteArray()).equals(traceId))
                            .toList();
                },
                spans -> spans.stream().anyMatch(s -> s.getName().equals("run")));
        Map<String, Span> byName = trace.stream().collect(Collectors.toMap(Span::getName, s -> s));
        assertThat(byName).containsKeys("invoke " + fn, "queue wait", "admission", "run");
        assertThat(parentOf(byName, "queue wait")).isEqualTo("invoke " + fn);
        assertThat(byName.get("queue wait").getEndTimeUnixNano())
                .isLessThanOrEqualTo(byName.get("run").getStartTimeUnixNano());
    }

    @Test
    void metricsWantTheTokenAndLabelTheNode() throws Exception {
        String url = server.endpoint() + "/metrics";
        assertThat(MetricsTest.get(url, Map.of()).statusCode()).isEqualTo(403);
        HttpResponse<String> wrong = MetricsTest.get(url, Map.of("Authorization", "Bearer nope"));
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.headers().firstValue("x-amzn-ErrorType"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("AccessDeniedException"));
        assertThat(wrong.body()).contains("Bearer");
        HttpResponse<String> right = MetricsTest.get(url, Map.of("Authorization", "Bearer " + TOKEN));
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(right.body()).contains("node=\"node-a\"");
    }

    @Test
    void withSigV4AndNoTokenOnlyLoopbackClientsMayScrape(@TempDir Path data) throws Exception {
        String external = NetworkInterface.networkInterfaces()
                .filter(TelemetryExportTest::isUpAndNotLoopback)
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .map(InetAddress::getHostAddress)
                .findFirst()
                .orElseThrow(() -> new AssertionError("this machine has no non-loopback IPv4 address to test from"));
        try (SpurServer signed = SpurServer.start(SpurServer.Options.defaults(data)
                .withPort(0)
                .withHost("0.0.0.0")
                .withAuth(SpurServer.Auth.SIGV4))) {
            HttpResponse<String> local = MetricsTest.get("http://127.0.0.1:" + signed.port() + "/metrics", Map.of());
            assertThat(local.statusCode()).isEqualTo(200);
            HttpResponse<String> remote =
                    MetricsTest.get("http://" + external + ":" + signed.port() + "/metrics", Map.of());
            assertThat(remote.statusCode()).as(remote.body()).isEqualTo(403);
            assertThat(remote.body()).contains("loopback");
        }
    }

    private static boolean isUpAndNotLoopback(NetworkInterface i) {
        try {
            return i.isUp() && !i.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }

    private static String parentOf(Map<String, Span> byName, String name) {
        String parent = hex(byName.get(name).getParentSpanId().toByteArray());
        return byName.values().stream()
                .filter(s -> hex(s.getSpanId().toByteArray()).equals(parent))
                .map(Span::getName)
                .findFirst()
                .orElse("none");
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
