package dev.spur.telemetry;

import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.invoke.InvokeObserver;
import dev.spur.pools.Deployment;
import dev.spur.pools.InvocationOutcome;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Not a test: a main-method microbenchmark of what the invoke path pays for metrics — the probe's
 * lookup ({@link Metrics#probe}) plus an admitted and a finished warm invocation (two gauge adds, a
 * counter, a histogram) — against {@link InvokeObserver#NONE}, on {@code threads} platform threads
 * over {@code functions} functions, reported as nanoseconds per invocation and CPU time per invocation.
 *
 * <p>Run: {@code java -cp <test classpath> dev.spur.telemetry.ProbeCost [threads] [functions] [seconds]}
 */
public final class ProbeCost {
    private ProbeCost() {}

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int functions = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 3;
        Deployment[] deployments = new Deployment[functions];
        for (int i = 0; i < functions; i++) {
            deployments[i] = deployment("fn-" + i);
        }
        try (Metrics metrics = Metrics.create("bench")) {
            for (int round = 0; round < 3; round++) {
                report("none   ", run(InvokeObserver.NONE, deployments, threads, seconds, false));
                report("metrics", run(metrics, deployments, threads, seconds, true));
            }
            System.out.printf("scrape: %d bytes%n", metrics.scrape(null).body().length);
        }
    }

    private record Result(long calls, long wallNanos, long cpuNanos) {}

    private static void report(String what, Result r) {
        System.out.printf(
                "%s  %,12d invocations  %6.1f ns/invocation (wall, per thread)  %6.1f ns CPU/invocation%n",
                what, r.calls(), (double) r.wallNanos() / r.calls(), (double) r.cpuNanos() / r.calls());
    }

    private static Result run(
            InvokeObserver observer, Deployment[] deployments, int threads, double seconds, boolean metered)
            throws InterruptedException {
        long[] calls = new long[threads];
        long[] cpu = new long[threads];
        long[] wall = new long[threads];
        Thread[] workers = new Thread[threads];
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        for (int t = 0; t < threads; t++) {
            int me = t;
            workers[t] = Thread.ofPlatform().start(() -> {
                ThreadMXBean bean = ManagementFactory.getThreadMXBean();
                long cpu0 = bean.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                long n = 0;
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while ((n & 1023) != 0 || System.nanoTime() < deadline) {
                    Deployment d = deployments[r.nextInt(deployments.length)];
                    InvokeObserver.Probe probe = observer.probe(d, "");
                    long duration = 1_000_000 + (n & 0xffff);
                    if (metered) {
                        FunctionMeters m = (FunctionMeters) probe;
                        m.admitted(false, false, false, 0);
                        m.finished(false, InvocationOutcome.Kind.SUCCESS, null, duration, -1);
                    } else {
                        probe.throttled("none"); // NONE: the same two virtual calls' worth of nothing
                        probe.asyncReceived();
                    }
                    n++;
                }
                wall[me] = System.nanoTime() - start;
                cpu[me] = bean.getCurrentThreadCpuTime() - cpu0;
                calls[me] = n;
            });
        }
        for (Thread w : workers) {
            w.join();
        }
        long total = 0;
        long cpuTotal = 0;
        long wallMax = 0;
        for (int t = 0; t < threads; t++) {
            total += calls[t];
            cpuTotal += cpu[t];
            wallMax = Math.max(wallMax, wall[t]);
        }
        return new Result(total, wallMax * threads, cpuTotal);
    }

    private static Deployment deployment(String name) {
        FunctionConfig config = new FunctionConfig(
                new FunctionKey("000000000000", "us-east-1", name),
                "$LATEST",
                "provided.al2023",
                "",
                "arn:aws:iam::000000000000:role/bench",
                "",
                128,
                3,
                Map.of(),
                new FunctionConfig.Code("0".repeat(64), 1),
                512,
                List.of("x86_64"),
                Instant.now(),
                "r1",
                FunctionConfig.State.Active,
                FunctionConfig.LastUpdateStatus.Successful,
                null,
                null,
                null,
                null);
        return new Deployment(config, null, null);
    }
}
