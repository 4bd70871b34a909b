package dev.spur.cli;

import dev.spur.bench.Bench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spur bench}: measures cold start, warm latency, throughput and overhead per runtime. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark a no-op function in each runtime on a Spur of its own; prints a Markdown table.",
            "With provided.al2023 among the runtimes, also what SigV4 adds to a warm invoke's overhead "
                    + "(on a second Spur run with --auth sigv4, every request signed by the client), "
                    + "asynchronous throughput, and what the HTTP gateway adds to a direct Invoke."
        })
final class BenchCommand implements Callable<Integer> {
    private static final Logger JETTY_LOG = Logger.getLogger("org.eclipse.jetty");

    @Option(names = "--quick", description = "Fewer samples and shorter runs (a smoke test, not figures to quote).")
    boolean quick;

    @Option(names = "--runtimes", split = ",", description = "Only these (e.g. python3.12,java21).")
    List<String> runtimes = List.of();

    @Option(
            names = "--sandbox",
            description =
                    "Instead: cold start and warm invoke with --sandbox process vs "
                            + "linux per runtime, and freeze/thaw latency (linux needs bwrap and writable cgroups, else skipped).")
    boolean sandbox;

    @Option(names = "--output", description = "Also write the table to this file.")
    Path output;

    @Override
    public Integer call() throws Exception {
        JETTY_LOG.setLevel(Level.WARNING);
        Bench.Options base = quick ? Bench.Options.quick() : Bench.Options.standard();
        Bench.Options options = new Bench.Options(runtimes, base.coldRuns(), base.warmRuns(), base.seconds(), sandbox);
        String table = Bench.markdown(Bench.run(options, System.err));
        System.out.print(table);
        if (output != null) {
            Files.writeString(output, table);
        }
        return 0;
    }
}
