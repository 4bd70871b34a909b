package dev.spur.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.invoke.AsyncDispatcher;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The durable asynchronous path, in three phases with a no-op function and {@value #CLIENTS}
 * concurrent clients sending {@code Event} invokes (each answered 202 only after its event is fsync'd
 * in the queue):
 *
 * <ol>
 *   <li><b>accept</b> — dispatch paused: how many events per second the accept path alone stores;
 *   <li><b>drain</b> — dispatch resumed: how many of those queued events per second are run to
 *       completion;
 *   <li><b>mixed</b> — dispatch running during the burst, as in production, both competing for the
 *       same cores: accepted events per second, and the end-to-end completion rate from the first
 *       request until the queue is empty.
 * </ol>
 */
public final class AsyncThroughput {
    static final int CLIENTS = 32;
    private static final byte[] EVENT = "{\"bench\":true}".getBytes(StandardCharsets.US_ASCII);
    private static final Map<String, String> EVENT_HEADERS = Map.of("X-Amz-Invocation-Type", "Event");

    private AsyncThroughput() {}

    /**
     * @param acceptedPerSecond  202 answers per second during the burst
     * @param drainPerSecond     accepted events completed per second, burst start to empty queue
     * @param drainAfterBurst    seconds from the end of the burst until the queue was empty
     */
    public record Result(
            String runtime,
            double burstSeconds,
            double acceptOnlyPerSecond,
            double drainOnlyPerSecond,
            double acceptedPerSecond,
            double drainPerSecond,
            double drainAfterBurst) {}

    static Result measure(URI endpoint, AsyncDispatcher dispatcher, Functions.NoOp fn, double seconds, PrintStream log)
            throws Exception {
        log.println("== asynchronous invokes (" + fn.label() + ", " + CLIENTS + " clients)");
        String name;
        try (BenchClient client = new BenchClient(endpoint)) {
            name = Bench.create(client, fn);
            Bench.invoke(client, name, false); // one environment warm before the burst
        }
        dispatcher.pause();
        Phase accept;
        try {
            accept = burst(endpoint, name, seconds);
        } finally {
            dispatcher.resume();
        }
        long resumed = System.nanoTime();
        awaitEmpty(endpoint);
        double drainOnly = accept.accepted() / ((System.nanoTime() - resumed) / 1e9);
        log.printf(
                "  dispatch paused: accepted %d events in %.1f s (%.0f/s); then drained at %.0f/s%n",
                accept.accepted(), accept.seconds(), accept.accepted() / accept.seconds(), drainOnly);

        Phase mixed = burst(endpoint, name, seconds);
        long burstEnd = System.nanoTime();
        awaitEmpty(endpoint);
        long drained = System.nanoTime();
        try (BenchClient client = new BenchClient(endpoint)) {
            Bench.delete(client, name);
        }
        Result r = new Result(
                fn.label(),
                mixed.seconds(),
                accept.accepted() / accept.seconds(),
                drainOnly,
                mixed.accepted() / mixed.seconds(),
                mixed.accepted() / ((drained - mixed.start()) / 1e9),
                (drained - burstEnd) / 1e9);
        log.printf(
                "  dispatch running: accepted %d events in %.1f s (%.0f/s); all run %.1f s after the burst "
                        + "(%.0f/s end to end)%n",
                mixed.accepted(), mixed.seconds(), r.acceptedPerSecond(), r.drainAfterBurst(), r.drainPerSecond());
        return r;
    }

    private record Phase(long accepted, double seconds, long start) {}

    private static Phase burst(URI endpoint, String name, double seconds) throws Exception {
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
                            BenchClient.Response r = client.send(
                                    "POST", "/2015-03-31/functions/" + name + "/invocations", EVENT_HEADERS, EVENT);
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
        return new Phase(accepted, (System.nanoTime() - start) / 1e9, start);
    }

    private static void awaitEmpty(URI endpoint) throws Exception {
        long deadline = System.nanoTime() + 300_000_000_000L;
        try (BenchClient client = new BenchClient(endpoint)) {
            while (depth(client) > 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the queue did not drain within 300 s");
                }
                Thread.sleep(10);
            }
        }
    }

    private static long depth(BenchClient client) throws Exception {
        BenchClient.Response r = client.send("GET", "/spur/v1/async", Map.of(), new byte[0]);
        JsonNode stats = Json.MAPPER.readTree(r.body());
        return stats.path("depth").asLong();
    }

    static String markdown(Result r) {
        return String.format(
                Locale.ROOT,
                """
                Asynchronous invokes: %s no-op, %d concurrent clients, %.0f s bursts; every 202 is answered \
                after the event is fsync'd.

                | phase | accepted events/s | run to completion events/s |
                |---|---:|---:|
                | dispatch paused, then resumed | %.0f | %.0f (draining the backlog) |
                | dispatch running during the burst | %.0f | %.0f (burst start to empty queue; empty %.1f s after) |
                """,
                r.runtime(),
                CLIENTS,
                r.burstSeconds(),
                r.acceptOnlyPerSecond(),
                r.drainOnlyPerSecond(),
                r.acceptedPerSecond(),
                r.drainPerSecond(),
                r.drainAfterBurst());
    }
}
