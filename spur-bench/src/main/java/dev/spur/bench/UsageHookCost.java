package dev.spur.bench;

import dev.spur.common.FunctionKey;
import dev.spur.store.UsageStore;
import dev.spur.usage.UsageMeter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What recording usage adds to a warm invoke, measured on the hook itself: the {@link UsageMeter.Invocation}
 * the invoke path builds and {@link UsageMeter#invoked}, called in batches while the meter's own thread
 * folds every second and flushes to a SQLite usage store, as in a server. Reported as CPU time of the
 * calling thread per call (robust on a loaded machine, where wall time is mostly waiting for a core) and
 * wall time per call, each the median of the batches.
 *
 * <pre>java -cp spur-bench.jar:… dev.spur.bench.UsageHookCost [batches] [calls per batch]</pre>
 */
public final class UsageHookCost {
    private UsageHookCost() {}

    public static void main(String[] args) throws Exception {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        Path dir = Files.createTempDirectory("usage-hook");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        FunctionKey fn = new FunctionKey("000000000000", "us-east-1", "bench");
        double[] cpu = new double[batches];
        double[] wall = new double[batches];
        try (UsageStore store = UsageStore.sqlite(dir.resolve("usage.db"));
                UsageMeter meter =
                        new UsageMeter(store, InstantSource.system(), List::of, 1440).start(Duration.ofSeconds(10))) {
            for (int b = -5; b < batches; b++) { // 5 warm-up batches
                long c0 = threads.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    meter.invoked(
                            new UsageMeter.Invocation(fn, "$LATEST", 128, 512, 1_234_567 + i, -1, false, false, false));
                }
                long c1 = threads.getCurrentThreadCpuTime();
                long w1 = System.nanoTime();
                if (b >= 0) {
                    cpu[b] = (c1 - c0) / (double) calls;
                    wall[b] = (w1 - w0) / (double) calls;
                }
                Thread.sleep(1100); // let the meter fold, as between invocations of a real server
            }
        }
        Arrays.sort(cpu);
        Arrays.sort(wall);
        System.out.printf(
                Locale.ROOT,
                "usage hook: %d batches × %d calls: CPU %.1f ns/call (median; min %.1f, max %.1f), wall %.1f ns/call (median)%n",
                batches,
                calls,
                cpu[batches / 2],
                cpu[0],
                cpu[batches - 1],
                wall[batches / 2]);
    }
}
