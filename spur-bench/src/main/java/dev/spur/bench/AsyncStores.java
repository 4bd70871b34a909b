package dev.spur.bench;

import dev.spur.pools.PoolSettings;
import dev.spur.server.SpurServer;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@link AsyncThroughput} on each place the queue can live, side by side: the embedded SQLite file, and
 * (given a URL) a shared PostgreSQL database. Each gets a Spur of its own in this JVM, the same no-op
 * function ({@code provided.al2023}) and the same {@value AsyncThroughput#CLIENTS} clients; every 202 is
 * sent after the event is durable (SQLite: fsync'd WAL; PostgreSQL: committed with
 * {@code synchronous_commit = on}, as the server is configured).
 */
public final class AsyncStores {
    private static final String RUNTIME = "provided.al2023";

    private AsyncStores() {}

    /** One store's figures. */
    public record Row(String store, AsyncThroughput.Result result) {}

    /** Measures SQLite, then PostgreSQL at {@code databaseUrl} if given; progress goes to {@code log}. */
    public static List<Row> measure(Optional<String> databaseUrl, double seconds, PrintStream log) throws Exception {
        Functions.NoOp fn = Functions.all().stream()
                .filter(f -> f.label().equals(RUNTIME))
                .findFirst()
                .orElseThrow();
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("SQLite (embedded)", once(Optional.empty(), fn, seconds, log)));
        if (databaseUrl.isPresent()) {
            rows.add(new Row("PostgreSQL (shared)", once(databaseUrl, fn, seconds, log)));
        }
        return rows;
    }

    private static AsyncThroughput.Result once(
            Optional<String> database, Functions.NoOp fn, double seconds, PrintStream log) throws Exception {
        SpurServer.Options options = SpurServer.Options.defaults(Files.createTempDirectory("spur-bench-async-"))
                .withPort(0)
                .withPools(PoolSettings.defaults().withAccountConcurrency(1000))
                .withDatabase(database);
        try (SpurServer server = SpurServer.start(options)) {
            log.println("== " + server.state());
            return AsyncThroughput.measure(URI.create(server.endpoint()), server.dispatcher(), fn, seconds, log);
        }
    }

    public static String markdown(List<Row> rows) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, """
                Asynchronous invokes by queue store: %s no-op, %d concurrent clients; every 202 is answered \
                after the event is durable.

                | store | accepted/s, dispatch paused | drained/s | accepted/s, dispatch running | end to end/s |
                |---|---:|---:|---:|---:|
                """, RUNTIME, AsyncThroughput.CLIENTS));
        for (Row row : rows) {
            AsyncThroughput.Result r = row.result();
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %.0f | %.0f | %.0f | %.0f |%n",
                    row.store(),
                    r.acceptOnlyPerSecond(),
                    r.drainOnlyPerSecond(),
                    r.acceptedPerSecond(),
                    r.drainPerSecond()));
        }
        return sb.toString();
    }
}
