package dev.spur.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The durable asynchronous path: how many {@code Event} invokes per second Spur accepts (each 202
 * only after its event is fsync'd in the queue) from {@value #CLIENTS} concurrent clients, and how
 * fast the accepted events are run to completion by a no-op function (end to end: from the first
 * request of the burst until the queue is empty). Dispatch runs during the burst, competing for the
 * same two cores, as it would in production.
 */
public final class AsyncThroughput {
    static final int CLIENTS = 32;
    private static final byte[] EVENT = "{\"bench\":true}".getBytes(StandardCharsets.US_ASCII);
    private static final Map<String, String> EVENT_HEADERS = Map.of("X-Amz-Invocation-Type", "Event");

    private AsyncThroughput() {
    }

    /**
     * @param acceptedPerSecond  202 answers per second during the burst
     * @param drainPerSecond     accepted events completed per second, burst start to empty queue
     * @param drainAfterBurst    seconds from the end of the burst until the queue was empty
     */
    public record Result(String runtime, long accepted, double burstSeconds, double acceptedPerSecond,
                         double drainPerSecond, double drainAfterBurst) {
    }

    static Result measure(URI endpoint, Functions.NoOp fn, double seconds, PrintStream log) throws Exception {
        log.println("== asynchronous invokes (" + fn.label() + ", " + CLIENTS + " clients)");
        String name;
        try (BenchClient client = new BenchClient(endpoint)) {
            name = Bench.create(client, fn);
            Bench.invoke(client, name, false); // one environment warm before the burst
        }
        AtomicBoolean stop = new AtomicBoolean();
        long start = System.nanoTime();
        long accepted = 0;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(pool.submit(() -> {
                    long count = 0;
                    try (BenchClient client = new BenchClient(endpoint)) {
                        while (!stop.get()) {
                            BenchClient.Response r = client.send("POST", "/2015-03-31/functions/" + name
                                    + "/invocations", EVENT_HEADERS, EVENT);
                            if (r.status() != 202) {
                                throw new IllegalStateException("Event invoke answered " + r.status() + " " + r.text());
                            }
                            count++;
                        }
                    }
                    return count;
                }));
            }
            Thread.sleep((long) (seconds * 1000));
            stop.set(true);
            for (Future<Long> f : clients) {
                accepted += f.get();
            }
        }
        long burstEnd = System.nanoTime();
        long deadline = burstEnd + 300_000_000_000L;
        try (BenchClient client = new BenchClient(endpoint)) {
            while (depth(client) > 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the queue did not drain within 300 s");
                }
                Thread.sleep(20);
            }
            long drained = System.nanoTime();
            Bench.delete(client, name);
            double burst = (burstEnd - start) / 1e9;
            Result r = new Result(fn.label(), accepted, burst, accepted / burst, accepted / ((drained - start) / 1e9),
                    (drained - burstEnd) / 1e9);
            log.printf("  accepted %d events in %.1f s: %.0f/s; all run %.1f s after the burst (%.0f/s end to end)%n",
                    accepted, burst, r.acceptedPerSecond(), r.drainAfterBurst(), r.drainPerSecond());
            return r;
        }
    }

    private static long depth(BenchClient client) throws Exception {
        BenchClient.Response r = client.send("GET", "/spur/v1/async", Map.of(), new byte[0]);
        JsonNode stats = Json.MAPPER.readTree(r.body());
        return stats.path("depth").asLong();
    }

    static String markdown(Result r) {
        return String.format(java.util.Locale.ROOT, """
                Asynchronous invokes: %s no-op, %d concurrent clients, %.0f s burst (each 202 after the event is \
                fsync'd; dispatch runs meanwhile on the same cores).

                | accepted events/s | end-to-end drain events/s | queue empty after the burst |
                |---:|---:|---:|
                | %.0f | %.0f | %.1f s |
                """, r.runtime(), CLIENTS, r.burstSeconds(), r.acceptedPerSecond(), r.drainPerSecond(),
                r.drainAfterBurst());
    }
}
