package dev.spur.bench;

import dev.spur.pools.PoolSettings;
import dev.spur.sandbox.CpuThrottling;
import dev.spur.sandbox.LinuxSandbox;
import dev.spur.sandbox.Sandbox;
import dev.spur.sandbox.SandboxedProcess;
import dev.spur.server.SpurServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the {@code linux} sandbox adds to a cold start and to a warm invoke, against plain child
 * processes ({@code process}): two Spurs run side by side in this JVM, one per sandbox, and every
 * sample alternates between them (which goes first alternating too), so drift on a shared machine
 * hits both alike. Per runtime:
 *
 * <ul>
 *   <li><b>cold</b> — the first invoke of a freshly created function, end to end as the client sees
 *       it, and the server's {@code Init Duration} (environment start to the runtime's first
 *       {@code next}, so it includes the sandbox's setup);
 *   <li><b>warm</b> — sequential invokes of one warm function; on linux each one thaws the idle
 *       environment before dispatch and freezes it again before the response is sent.
 * </ul>
 *
 * The linux sandbox gives a function CPU in proportion to its memory, as Lambda does (1,769 MB per
 * vCPU): at the bench's 512 MB that is 0.29 vCPU, which also throttles the runtime's own start-up.
 * So linux is measured twice, at 512 MB and at a size whose quota covers every core of this machine,
 * where what remains is the sandbox's own cost (bwrap, namespaces, cgroup, freezer).
 *
 * <p>Then freeze/thaw alone, through the sandbox API: a live environment ({@code /bin/sleep}) frozen
 * and thawed in a loop. If the linux sandbox cannot run here, the reason is reported and only the
 * process rows are measured.
 */
public final class SandboxOverhead {
    /**
     * The linux Spur's parent cgroup: not the default {@code spur}, because a Spur removes every
     * environment under its parent at start and must not kill those of a Spur running beside it.
     */
    static final String CGROUP = "spur-bench";

    static final int MEMORY_MB = 512;
    private static final Pattern INIT = Pattern.compile("Init Duration: ([0-9.]+) ms");

    private SandboxOverhead() {}

    /**
     * One runtime on one sandbox (milliseconds).
     *
     * @param coldAddedP50 linux rows: cold p50 minus the process row's (NaN on the process row)
     * @param warmAddedP50 linux rows: warm p50 minus the process row's (NaN on the process row)
     */
    public record Row(
            String runtime,
            String sandbox,
            int memoryMb,
            double coldP50,
            double coldP90,
            double coldP99,
            double initP50,
            double warmP50,
            double warmP90,
            double warmP99,
            double coldAddedP50,
            double warmAddedP50,
            Throttling throttling) {}

    /**
     * What the CPU quota did to the warm invokes of one linux row, from its environments' {@code cpu.stat}
     * read before and after each invoke (only that row's environment runs in between): a count the
     * kernel keeps, so neighbours on a loaded machine do not change it the way they change latency.
     *
     * @param invokes         warm invokes measured
     * @param throttledShare  the fraction of them during which the quota ran out at least once
     * @param meanMillis      throttled time per invoke, on average
     * @param p99Millis       throttled time of the 99th percentile invoke
     * @param maxMillis       the most one invoke was held
     */
    public record Throttling(
            int invokes, double throttledShare, double meanMillis, double p99Millis, double maxMillis) {
        static final Throttling NOT_MEASURED = new Throttling(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    /** One freeze+thaw cycle of a live environment, and each half alone (milliseconds). */
    public record FreezeThaw(
            int cycles,
            double cycleP50,
            double cycleP99,
            double freezeP50,
            double freezeP99,
            double thawP50,
            double thawP99) {}

    /** @param linuxUnavailable why linux was not measured, if it was not */
    public record Result(
            int coldRuns,
            int warmRuns,
            List<Row> rows,
            Optional<String> linuxUnavailable,
            Optional<FreezeThaw> freezeThaw) {}

    /**
     * Functions of one runtime are created on {@code endpoint} with MemorySize {@code memoryMb};
     * {@code linux} is the linux server's sandbox, to read its environments' throttling (else null).
     */
    private record Target(String sandbox, int memoryMb, URI endpoint, LinuxSandbox linux) {}

    static Result measure(List<Functions.NoOp> fns, int coldRuns, int warmRuns, int cycles, PrintStream log)
            throws Exception {
        log.println("== sandbox overhead: process vs linux");
        LinuxSandbox.Settings settings = LinuxSandbox.Settings.defaults().withCgroupName(CGROUP);
        LinuxSandbox.Availability linux = LinuxSandbox.check(settings);
        Optional<String> unavailable = linux.available() ? Optional.empty() : Optional.of(linux.reason());
        unavailable.ifPresent(
                why -> log.println("  the linux sandbox cannot run here; measuring process only: " + why));
        List<Row> rows = new ArrayList<>();
        SpurServer process = start(Sandbox.process());
        try {
            SpurServer linuxServer = null;
            LinuxSandbox linuxSandbox = null;
            if (unavailable.isEmpty()) {
                try {
                    linuxSandbox = Sandbox.linux(settings);
                    linuxServer = start(linuxSandbox);
                } catch (RuntimeException e) {
                    unavailable = Optional.of("a Spur with --sandbox linux did not start: " + e.getMessage());
                    log.println("  " + unavailable.get() + "; measuring process only");
                }
            }
            try {
                awaitJavaAotTraining(log);
                List<Target> targets = new ArrayList<>();
                targets.add(new Target("process", MEMORY_MB, URI.create(process.endpoint()), null));
                if (linuxServer != null) {
                    URI endpoint = URI.create(linuxServer.endpoint());
                    targets.add(new Target("linux", MEMORY_MB, endpoint, linuxSandbox));
                    targets.add(new Target("linux", fullCpuMemoryMb(), endpoint, linuxSandbox));
                }
                for (Functions.NoOp fn : fns) {
                    if (!process.runtimes().contains(fn.runtime())) {
                        log.println("skipping " + fn.label() + ": not available on this machine");
                        continue;
                    }
                    rows.addAll(measure(fn, targets, coldRuns, warmRuns, log));
                }
            } finally {
                if (linuxServer != null) {
                    stop(linuxServer);
                }
            }
        } finally {
            stop(process);
        }
        Optional<FreezeThaw> freezeThaw = Optional.empty();
        if (unavailable.isEmpty()) { // after the servers: a linux Spur's start-up clears CGROUP
            freezeThaw = Optional.of(freezeThaw(Sandbox.linux(settings), cycles, log));
        }
        return new Result(coldRuns, warmRuns, rows, unavailable, freezeThaw);
    }

    /** The smallest MemorySize whose CPU quota is every core of this machine (Lambda's 1,769 MB per vCPU). */
    static int fullCpuMemoryMb() {
        return Math.min(10_240, 1769 * Runtime.getRuntime().availableProcessors());
    }

    private static SpurServer start(Sandbox sandbox) throws IOException {
        Path data = Files.createTempDirectory("spur-bench-");
        // The linux sandbox's user must traverse the data directory to reach the code it mounts.
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            return SpurServer.start(SpurServer.Options.defaults(data)
                    .withPort(0)
                    .withPools(PoolSettings.defaults().withAccountConcurrency(1000))
                    .withSandbox(sandbox));
        } catch (RuntimeException e) {
            Bench.deleteTree(data);
            throw e;
        }
    }

    /** Closes the server and deletes its data directory (a few hundred MB with the Java AOT cache). */
    private static void stop(SpurServer server) throws IOException {
        server.close();
        Bench.deleteTree(server.dataDir());
    }

    /**
     * Each new Spur builds its Java client's AOT cache on a background thread at start: two at once
     * would load the first runtime's samples, and a Java launch before it is ready goes without it.
     */
    private static void awaitJavaAotTraining(PrintStream log) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("spur-java-aot-training")) {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (t.isAlive()) {
                    log.println("  (the Java AOT cache was not built within 120 s; measuring anyway)");
                }
            }
        }
    }

    private static List<Row> measure(
            Functions.NoOp fn, List<Target> targets, int coldRuns, int warmRuns, PrintStream log) throws Exception {
        log.println("== " + fn.label() + " by sandbox");
        int n = targets.size();
        List<BenchClient> clients = new ArrayList<>();
        for (Target t : targets) {
            clients.add(new BenchClient(t.endpoint()));
        }
        try {
            Samples[] cold = samples(n);
            Samples[] init = samples(n);
            for (int i = 0; i < coldRuns; i++) {
                for (int k = 0; k < n; k++) {
                    int j = (i + k) % n; // which sandbox goes first rotates
                    String name =
                            Bench.create(clients.get(j), fn, targets.get(j).memoryMb());
                    long start = System.nanoTime();
                    BenchClient.Response r = Bench.invoke(clients.get(j), name, true);
                    cold[j].add(System.nanoTime() - start);
                    init[j].add(initDurationNanos(r));
                    Bench.delete(clients.get(j), name);
                }
            }
            Samples[] warm = samples(n);
            Samples[] held = samples(n);
            int[] throttled = new int[n];
            String[] names = new String[n];
            for (int j = 0; j < n; j++) {
                names[j] = Bench.create(clients.get(j), fn, targets.get(j).memoryMb());
            }
            for (int i = 0; i < Math.max(50, warmRuns / 10); i++) {
                for (int j = 0; j < n; j++) {
                    Bench.invoke(clients.get(j), names[j], false);
                }
            }
            for (int i = 0; i < warmRuns; i++) {
                for (int k = 0; k < n; k++) {
                    int j = (i + k) % n;
                    LinuxSandbox linux = targets.get(j).linux();
                    CpuThrottling before = linux == null ? CpuThrottling.NONE : linux.cpuThrottling();
                    long start = System.nanoTime();
                    Bench.invoke(clients.get(j), names[j], false);
                    warm[j].add(System.nanoTime() - start);
                    if (linux != null) {
                        CpuThrottling during = linux.cpuThrottling().minus(before);
                        held[j].add(during.throttledNanos());
                        throttled[j] += during.throttledPeriods() > 0 ? 1 : 0;
                    }
                }
            }
            for (int j = 0; j < n; j++) {
                Bench.delete(clients.get(j), names[j]);
            }
            List<Row> rows = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                Target t = targets.get(j);
                boolean linux = !t.sandbox().equals("process");
                Row row = new Row(
                        fn.label(),
                        t.sandbox(),
                        t.memoryMb(),
                        cold[j].percentileMillis(50),
                        cold[j].percentileMillis(90),
                        cold[j].percentileMillis(99),
                        init[j].percentileMillis(50),
                        warm[j].percentileMillis(50),
                        warm[j].percentileMillis(90),
                        warm[j].percentileMillis(99),
                        linux ? cold[j].percentileMillis(50) - cold[0].percentileMillis(50) : Double.NaN,
                        linux ? warm[j].percentileMillis(50) - warm[0].percentileMillis(50) : Double.NaN,
                        held[j].size() == 0
                                ? Throttling.NOT_MEASURED
                                : new Throttling(
                                        held[j].size(),
                                        (double) throttled[j] / held[j].size(),
                                        held[j].meanMillis(),
                                        held[j].percentileMillis(99),
                                        held[j].percentileMillis(100)));
                rows.add(row);
                log.printf(
                        "  %-7s %5d MB: cold p50 %s ms (init %s ms), warm p50 %s ms p90 %s ms p99 %s ms%s%s%n",
                        t.sandbox(),
                        t.memoryMb(),
                        Samples.ms(row.coldP50()),
                        Samples.ms(row.initP50()),
                        Samples.ms(row.warmP50()),
                        Samples.ms(row.warmP90()),
                        Samples.ms(row.warmP99()),
                        linux
                                ? String.format(
                                        Locale.ROOT,
                                        "; CPU quota ran out in %.1f%% of warm invokes, held %s ms per invoke "
                                                + "(p99 %s ms, max %s ms)",
                                        row.throttling().throttledShare() * 100,
                                        Samples.ms(row.throttling().meanMillis()),
                                        Samples.ms(row.throttling().p99Millis()),
                                        Samples.ms(row.throttling().maxMillis()))
                                : "",
                        linux
                                ? "; added p50: cold " + signed(row.coldAddedP50()) + " ms, warm "
                                        + signed(row.warmAddedP50()) + " ms"
                                : "");
            }
            return rows;
        } finally {
            clients.forEach(BenchClient::close);
        }
    }

    private static Samples[] samples(int n) {
        Samples[] s = new Samples[n];
        for (int i = 0; i < n; i++) {
            s[i] = new Samples();
        }
        return s;
    }

    private static long initDurationNanos(BenchClient.Response r) {
        String log = new String(Base64.getDecoder().decode(r.header("X-Amz-Log-Result")), StandardCharsets.UTF_8);
        Matcher m = INIT.matcher(log);
        if (!m.find()) {
            throw new IllegalStateException("no Init Duration in the first invoke's log: " + log);
        }
        return (long) (Double.parseDouble(m.group(1)) * 1e6);
    }

    /**
     * {@code cycles} freeze+thaw cycles of a live, idle environment, timed whole; then as many timed
     * half by half. An idle runtime is blocked reading its next event, as {@code sleep} is.
     */
    private static FreezeThaw freezeThaw(LinuxSandbox sandbox, int cycles, PrintStream log) throws Exception {
        log.println("== freeze/thaw of a live linux environment");
        Path output = Files.createTempFile("spur-bench-sleep", ".out");
        SandboxedProcess p = sandbox.start(
                new Sandbox.LaunchSpec(List.of("/bin/sleep", "1000"), Path.of("/"), Map.of(), output, MEMORY_MB));
        try {
            Thread.sleep(200); // past bwrap's setup
            if (!p.isAlive()) {
                throw new IllegalStateException("/bin/sleep in the linux sandbox exited: " + Files.readString(output));
            }
            for (int i = 0; i < Math.max(10, cycles / 10); i++) {
                p.freeze();
                p.awaitFrozen();
                p.thaw();
            }
            Samples cycle = new Samples(); // until really frozen, then thawed
            for (int i = 0; i < cycles; i++) {
                long start = System.nanoTime();
                p.freeze();
                p.awaitFrozen();
                p.thaw();
                cycle.add(System.nanoTime() - start);
            }
            Samples freeze = new Samples(); // what an invocation's response path pays: the request
            Samples thaw = new Samples();
            for (int i = 0; i < cycles; i++) {
                long start = System.nanoTime();
                p.freeze();
                long asked = System.nanoTime();
                p.awaitFrozen();
                long frozen = System.nanoTime();
                p.thaw();
                freeze.add(asked - start);
                thaw.add(System.nanoTime() - frozen);
            }
            FreezeThaw r = new FreezeThaw(
                    cycles,
                    cycle.percentileMillis(50),
                    cycle.percentileMillis(99),
                    freeze.percentileMillis(50),
                    freeze.percentileMillis(99),
                    thaw.percentileMillis(50),
                    thaw.percentileMillis(99));
            log.printf(
                    "  freeze+thaw p50 %s ms, p99 %s ms (freeze p50 %s, thaw p50 %s ms; %d cycles)%n",
                    Samples.ms(r.cycleP50()),
                    Samples.ms(r.cycleP99()),
                    Samples.ms(r.freezeP50()),
                    Samples.ms(r.thawP50()),
                    cycles);
            return r;
        } finally {
            p.kill();
            p.onExit().get();
            Files.deleteIfExists(output);
        }
    }

    private static String signed(double millis) {
        return Double.isNaN(millis) ? "" : (millis < 0 ? "−" : "+") + Samples.ms(Math.abs(millis));
    }

    static String markdown(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT, """
                Sandboxes: a no-op function per runtime on a `--sandbox process` and a `--sandbox linux` Spur \
                side by side, samples alternating between them. Cold: the first invoke of a fresh function \
                (%d per row), end to end, and the server's Init Duration (environment start to the runtime's \
                first `next`, sandbox setup included). Warm: %d sequential invokes of one warm function; on linux \
                each thaws the environment and freezes it again before answering. At %d MB the linux sandbox \
                gives a function %.2f vCPU (1,769 MB per vCPU, as Lambda); the %d MB rows get every core of \
                this machine, so they show the sandbox's own cost. "added" is linux − process at p50. "quota ran \
                out" and "held": for the linux rows, from the environments' `cpu.stat` read before and after each \
                warm invoke — the share of warm invokes during which the CPU quota ran out, and how long the \
                kernel held the environment per invoke (mean / p99 / max): counts of the kernel's, which \
                neighbours on a loaded machine do not change as they change latency.

                """, r.coldRuns(), r.warmRuns(), MEMORY_MB, MEMORY_MB / 1769.0, fullCpuMemoryMb()));
        r.linuxUnavailable()
                .ifPresent(why -> sb.append("The linux sandbox could not run on this machine, so only ")
                        .append("the process rows were measured: ")
                        .append(why)
                        .append("\n\n"));
        sb.append("| runtime | sandbox | cold p50 | cold p90 | cold p99 | init p50 | cold added p50 | warm p50 "
                + "| warm p90 | warm p99 | warm added p50 | quota ran out | held mean / p99 / max |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : r.rows()) {
            boolean linux = !Double.isNaN(row.coldAddedP50());
            sb.append("| ")
                    .append(row.runtime())
                    .append(" | ")
                    .append(row.sandbox())
                    .append(linux ? ", " + row.memoryMb() + " MB" : "")
                    .append(" | ")
                    .append(Samples.ms(row.coldP50()))
                    .append(" ms")
                    .append(" | ")
                    .append(Samples.ms(row.coldP90()))
                    .append(" ms")
                    .append(" | ")
                    .append(Samples.ms(row.coldP99()))
                    .append(" ms")
                    .append(" | ")
                    .append(Samples.ms(row.initP50()))
                    .append(" ms")
                    .append(" | ")
                    .append(linux ? signed(row.coldAddedP50()) + " ms" : "")
                    .append(" | ")
                    .append(Samples.ms(row.warmP50()))
                    .append(" ms")
                    .append(" | ")
                    .append(Samples.ms(row.warmP90()))
                    .append(" ms")
                    .append(" | ")
                    .append(Samples.ms(row.warmP99()))
                    .append(" ms")
                    .append(" | ")
                    .append(linux ? signed(row.warmAddedP50()) + " ms" : "")
                    .append(" | ")
                    .append(
                            linux
                                    ? String.format(
                                            Locale.ROOT,
                                            "%.1f%%",
                                            row.throttling().throttledShare() * 100)
                                    : "")
                    .append(" | ")
                    .append(
                            linux
                                    ? Samples.ms(row.throttling().meanMillis()) + " / "
                                            + Samples.ms(row.throttling().p99Millis()) + " / "
                                            + Samples.ms(row.throttling().maxMillis()) + " ms"
                                    : "")
                    .append(" |\n");
        }
        r.freezeThaw()
                .ifPresent(f -> sb.append('\n')
                        .append("Freeze/thaw: a live linux environment (`/bin/sleep`, ")
                        .append(
                                "idle as a runtime waiting for its next event) frozen and thawed through the sandbox API, ")
                        .append(f.cycles())
                        .append(" cycles timed whole, then as many timed half by half. A warm invoke ")
                        .append(
                                "on linux pays a thaw before dispatch and a freeze request before the answer (the kernel ")
                        .append(
                                "completes the freeze after it) on top of the process row: see \"warm added p50\" above.\n\n")
                        .append("| step | p50 | p99 |\n|---|---:|---:|\n")
                        .append("| freeze until frozen + thaw | ")
                        .append(Samples.ms(f.cycleP50()))
                        .append(" ms | ")
                        .append(Samples.ms(f.cycleP99()))
                        .append(" ms |\n")
                        .append("| freeze request (what a response waits for) | ")
                        .append(Samples.ms(f.freezeP50()))
                        .append(" ms | ")
                        .append(Samples.ms(f.freezeP99()))
                        .append(" ms |\n")
                        .append("| thaw | ")
                        .append(Samples.ms(f.thawP50()))
                        .append(" ms | ")
                        .append(Samples.ms(f.thawP99()))
                        .append(" ms |\n"));
        return sb.toString();
    }
}
