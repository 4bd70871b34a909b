package dev.spur.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.util.Map;

/**
 * What the HTTP gateway adds to a warm invoke: one no-op function called directly
 * ({@code POST /2015-03-31/functions/{name}/invocations}) and through an HTTP API whose
 * {@code $default} route targets it ({@code GET /gw/<id>/x}, payload 2.0, no authorizer, no
 * throttle). Latency is measured at the client, the two alternating request by request on one
 * keep-alive connection each, so drift on a shared machine hits both alike; then throughput of each
 * with {@value #CLIENTS} concurrent clients.
 *
 * <p>The gateway's extra work is building the 2.0 event from the HTTP request and mapping the
 * function's answer (here an "inferred" 200: the bootstrap returns a fixed JSON) back to HTTP.
 */
public final class GatewayOverhead {
    static final int CLIENTS = 32;

    private GatewayOverhead() {}

    /**
     * @param directP50   client latency of Invoke (ms)
     * @param gatewayP50  client latency of the same function through the gateway (ms)
     * @param addedP50    {@code gatewayP50 - directP50}
     * @param directRps   Invokes per second with {@value #CLIENTS} clients
     * @param gatewayRps  gateway requests per second with {@value #CLIENTS} clients
     */
    public record Result(
            String runtime,
            int requests,
            double directP50,
            double directP99,
            double gatewayP50,
            double gatewayP99,
            double addedP50,
            double addedP99,
            double directRps,
            double gatewayRps) {}

    static Result measure(URI endpoint, Functions.NoOp fn, int requests, double seconds, PrintStream log)
            throws Exception {
        log.println("== HTTP gateway (" + fn.label() + ")");
        Samples direct = new Samples();
        Samples gateway = new Samples();
        String name;
        String apiId;
        String path;
        try (BenchClient invoke = new BenchClient(endpoint);
                BenchClient http = new BenchClient(endpoint)) {
            name = Bench.create(invoke, fn);
            apiId = createApi(invoke, name);
            path = "/gw/" + apiId + "/x";
            for (int i = 0; i < Math.max(50, requests / 10); i++) {
                Bench.invoke(invoke, name, false);
                get(http, path);
            }
            for (int i = 0; i < requests; i++) { // which goes first alternates too
                if (i % 2 == 0) {
                    direct.add(timed(() -> Bench.invoke(invoke, name, false)));
                    gateway.add(timed(() -> get(http, path)));
                } else {
                    gateway.add(timed(() -> get(http, path)));
                    direct.add(timed(() -> Bench.invoke(invoke, name, false)));
                }
            }
        }
        double directRps = Bench.throughput(endpoint, CLIENTS, seconds, c -> Bench.invoke(c, name, false), log);
        double gatewayRps = Bench.throughput(endpoint, CLIENTS, seconds, c -> get(c, path), log);
        try (BenchClient client = new BenchClient(endpoint)) {
            client.send("DELETE", "/spur/v1/apis/" + apiId, Map.of(), new byte[0]);
            Bench.delete(client, name);
        }
        Result r = new Result(
                fn.label(),
                requests,
                direct.percentileMillis(50),
                direct.percentileMillis(99),
                gateway.percentileMillis(50),
                gateway.percentileMillis(99),
                gateway.percentileMillis(50) - direct.percentileMillis(50),
                gateway.percentileMillis(99) - direct.percentileMillis(99),
                directRps,
                gatewayRps);
        log.printf(
                "  p50/p99: Invoke %s/%s ms, gateway %s/%s ms (added p50 %s ms); at concurrency %d: "
                        + "Invoke %.0f/s, gateway %.0f/s%n",
                Samples.ms(r.directP50()),
                Samples.ms(r.directP99()),
                Samples.ms(r.gatewayP50()),
                Samples.ms(r.gatewayP99()),
                Samples.ms(r.addedP50()),
                CLIENTS,
                directRps,
                gatewayRps);
        return r;
    }

    @FunctionalInterface
    private interface Call {
        void run() throws IOException;
    }

    private static long timed(Call call) throws IOException {
        long start = System.nanoTime();
        call.run();
        return System.nanoTime() - start;
    }

    /** An HTTP API whose {@code $default} route invokes {@code function}; returns its id. */
    private static String createApi(BenchClient client, String function) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("Name", "bench");
        ObjectNode route = body.putArray("Routes").addObject();
        route.put("RouteKey", "$default");
        route.putObject("Target").put("Function", function);
        BenchClient.Response r = client.send(
                "POST",
                "/spur/v1/apis",
                Map.of("Content-Type", "application/json"),
                Json.MAPPER.writeValueAsBytes(body));
        if (r.status() != 201) {
            throw new IOException("create API failed: " + r.status() + " " + r.text());
        }
        return Json.MAPPER.readTree(r.body()).path("ApiId").asText();
    }

    private static void get(BenchClient client, String path) throws IOException {
        BenchClient.Response r = client.send("GET", path, Map.of(), new byte[0]);
        if (r.status() != 200) {
            throw new IOException("GET " + path + " answered " + r.status() + " " + r.text());
        }
    }

    static String markdown(Result r) {
        return "HTTP gateway: " + r.runtime() + " no-op, warm, " + r.requests() + " requests each, Invoke and "
                + "`GET /gw/<id>/x` (a `$default` route, payload 2.0) alternating request by request; "
                + "throughput with " + CLIENTS + " concurrent clients.\n\n"
                + "| path | p50 | p99 | req/s c=" + CLIENTS + " |\n"
                + "|---|---:|---:|---:|\n"
                + "| Invoke API | " + Samples.ms(r.directP50()) + " ms | " + Samples.ms(r.directP99()) + " ms | "
                + Math.round(r.directRps()) + " |\n"
                + "| HTTP API (gateway) | " + Samples.ms(r.gatewayP50()) + " ms | " + Samples.ms(r.gatewayP99())
                + " ms | " + Math.round(r.gatewayRps()) + " |\n"
                + "| added by the gateway | " + Samples.ms(r.addedP50()) + " ms | " + Samples.ms(r.addedP99())
                + " ms | |\n";
    }
}
