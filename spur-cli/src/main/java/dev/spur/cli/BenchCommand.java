package dev.spur.cli;

import dev.spur.bench.AsyncStores;
import dev.spur.bench.Bench;
import dev.spur.bench.ClusterBench;
import dev.spur.bench.KafkaThroughput;
import dev.spur.bench.LogQueries;
import dev.spur.bench.PeerComparison;
import dev.spur.bench.S3Notifications;
import dev.spur.bench.SqsThroughput;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
                    + "asynchronous throughput, and what the HTTP gateway adds to a direct Invoke.",
            "With --peers, instead: serverless-offline 13 against `spur server` with each sandbox, the same "
                    + "Node.js handler and the same wrk load, four cases (needs node, npm, /usr/bin/wrk; "
                    + "the linux sandbox needs root and bwrap)."
        })
final class BenchCommand implements Callable<Integer> {
    private static final Logger JETTY_LOG = Logger.getLogger("org.eclipse.jetty");
    private static final Logger KAFKA_LOG = Logger.getLogger("org.apache.kafka");

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

    @Option(
            names = "--peers",
            description = "Instead: serverless-offline (installed from npm into a scratch "
                    + "directory) vs spur server --sandbox process vs linux, each in a child process, driven by wrk; "
                    + "3 s warm-up and 10 s measured per case and system (--quick: 1 s and 2 s).")
    boolean peers;

    @Option(
            names = "--peers-npm-dir",
            description =
                    "With --peers: install serverless-offline here and keep it, "
                            + "or reuse the same pinned versions found here (default: a fresh install in the run's temp directory).")
    Path peersNpmDir;

    @Option(
            names = "--async",
            description = "Instead: asynchronous accept and drain rates with the queue on SQLite and, with "
                    + "--database, on PostgreSQL, side by side.")
    boolean async;

    @Option(
            names = "--cluster",
            description = "Instead: Spur as a fleet on the --database (nodes in this JVM): throughput 1 node vs 3, "
                    + "warm hits on a Zipf workload with and without affinity routing, the proxy hop's cost, change "
                    + "propagation, asynchronous accepted events/s on PostgreSQL next to SQLite.")
    boolean cluster;

    @Option(
            names = "--sqs",
            description = "Instead: SQS-compatible queues — SendMessageBatch accepted/s, send → invoke latency "
                    + "through a mapping, messages/s through one mapping — on SQLite and, with --database, PostgreSQL.")
    boolean sqs;

    @Option(
            names = "--s3",
            description = "Instead: the S3-compatible store — PUT/s, and PUT → function START latency through a "
                    + "bucket notification — on SQLite.")
    boolean s3;

    @Option(
            names = "--kafka",
            paramLabel = "HOST:PORT",
            description = "Instead: one self-managed Kafka mapping against this broker — records/s through it "
                    + "(BatchSize 100) and produce → invoke latency (BatchSize 1).")
    String kafka;

    @Option(
            names = "--database",
            description = "With --async: the PostgreSQL database to measure too; with --cluster: the fleet's "
                    + "database (postgresql://user:password@host:port/db; default: $SPUR_DATABASE_URL).")
    String database;

    @Option(
            names = "--logs",
            description = "Instead: FilterLogEvents over a function's log of a million lines (time-bounded, "
                    + "after a restart and warm; a whole-log pattern for comparison).")
    boolean logs;

    @Option(names = "--output", description = "Also write the table to this file.")
    Path output;

    @Override
    public Integer call() throws Exception {
        JETTY_LOG.setLevel(Level.WARNING);
        KAFKA_LOG.setLevel(Level.WARNING);
        if (peers) {
            if (sandbox || async || !runtimes.isEmpty()) {
                throw CliException.usage("--peers runs its own cases; it takes no --sandbox, --async or --runtimes");
            }
            PeerComparison.Options options = quick
                    ? PeerComparison.Options.quick(spurServerCommand())
                    : PeerComparison.Options.standard(spurServerCommand());
            if (peersNpmDir != null) {
                options = options.withPeerInstall(peersNpmDir.toAbsolutePath());
            }
            return print(PeerComparison.markdown(PeerComparison.run(options, System.err)));
        }
        if (logs) {
            return print(LogQueries.markdown(LogQueries.measure(System.err)));
        }
        Bench.Options base = quick ? Bench.Options.quick() : Bench.Options.standard();
        if (cluster) {
            String url = Optional.ofNullable(database)
                    .or(() -> Optional.ofNullable(System.getenv("SPUR_DATABASE_URL")))
                    .filter(u -> !u.isBlank())
                    .orElseThrow(
                            () -> CliException.usage(
                                    "--cluster needs a PostgreSQL database: --database postgresql://... or $SPUR_DATABASE_URL"));
            ClusterBench.Options options = quick ? ClusterBench.Options.quick(url) : ClusterBench.Options.standard(url);
            return print(ClusterBench.markdown(ClusterBench.run(options, System.err)));
        }
        if (s3) {
            return print(S3Notifications.markdown(S3Notifications.measure(base.seconds(), System.err)));
        }
        if (kafka != null) {
            return print(KafkaThroughput.markdown(KafkaThroughput.measure(kafka, System.err), kafka));
        }
        if (sqs) {
            Optional<String> url = Optional.ofNullable(database)
                    .or(() -> Optional.ofNullable(System.getenv("SPUR_DATABASE_URL")))
                    .filter(u -> !u.isBlank());
            return print(SqsThroughput.markdown(SqsThroughput.measure(url, base.seconds(), System.err)));
        }
        if (async) {
            Optional<String> url = Optional.ofNullable(database)
                    .or(() -> Optional.ofNullable(System.getenv("SPUR_DATABASE_URL")))
                    .filter(u -> !u.isBlank());
            return print(AsyncStores.markdown(AsyncStores.measure(url, base.seconds(), System.err)));
        }
        Bench.Options options = new Bench.Options(runtimes, base.coldRuns(), base.warmRuns(), base.seconds(), sandbox);
        return print(Bench.markdown(Bench.run(options, System.err)));
    }

    private int print(String table) throws IOException {
        System.out.print(table);
        if (output != null) {
            Files.writeString(output, table);
        }
        return 0;
    }

    /**
     * How this process would start {@code spur server}: the same JVM, JVM options and class path as
     * {@code ./spur} gave this one, so the server in the comparison is the one {@code ./spur server} runs.
     */
    private static List<String> spurServerCommand() {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "server"));
        return command;
    }
}
