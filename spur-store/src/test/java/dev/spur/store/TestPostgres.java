package dev.spur.store;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL for the storage contract suites: {@code $SPUR_TEST_DATABASE_URL} (what {@code .ci/run}
 * exports: a server this user may create databases on), else a throwaway cluster started here from
 * Debian's {@code /usr/lib/postgresql/<n>/bin} ({@code initdb --no-sync} into a temporary directory as
 * the {@code postgres} user when running as root, since initdb refuses root; loopback, a free port;
 * stopped when the JVM exits). Each caller gets a fresh, empty database of its own.
 *
 * <p>Without either: with {@code CI=true} the test fails (CI must not silently skip the PostgreSQL half of
 * the contract); otherwise it is skipped with the reason.
 */
public final class TestPostgres {
    private static String server; // jdbc:postgresql://host:port (no database), with credentials in query
    private static String credentials = "";
    private static String failure;

    private TestPostgres() {}

    /** A URL ({@code jdbc:postgresql://...}) of a new, empty database; fails or skips the test if there is no PostgreSQL. */
    public static synchronized String freshDatabase() {
        if (server == null && failure == null) {
            try {
                connect();
            } catch (RuntimeException e) {
                failure = e.getMessage();
            }
        }
        if (failure != null) {
            String why = "No PostgreSQL for the storage contract tests: " + failure
                    + ". Set SPUR_TEST_DATABASE_URL=postgresql://user:password@host:port/db, or install Debian's "
                    + "postgresql (>= 15).";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(why);
            }
            Assumptions.abort(why);
        }
        String name =
                "spur_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(server + "/postgres" + credentials);
                Statement statement = c.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create a test database on " + server + ": " + e.getMessage(), e);
        }
        return server + "/" + name + credentials;
    }

    private static void connect() {
        String url = System.getenv("SPUR_TEST_DATABASE_URL");
        if (url != null && !url.isBlank()) {
            PostgresDatabase.Target target = PostgresDatabase.parse(url.strip());
            String jdbc = target.jdbcUrl();
            int slash = jdbc.indexOf('/', "jdbc:postgresql://".length());
            server = slash < 0 ? jdbc : jdbc.substring(0, slash);
            StringBuilder query = new StringBuilder();
            if (target.user() != null) {
                query.append("?user=").append(target.user());
                if (target.password() != null) {
                    query.append("&password=").append(target.password());
                }
            }
            credentials = query.toString();
            return;
        }
        start();
    }

    /** initdb + pg_ctl start of a throwaway cluster; a shutdown hook stops it and deletes its files. */
    private static void start() {
        Path bin = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path dir = Files.createTempDirectory("spur-pg-");
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            if (root) {
                run(List.of("chown", "postgres:postgres", dir.toString()));
            }
            Path data = dir.resolve("data");
            run(asPostgres(
                    root,
                    bin.resolve("initdb").toString(),
                    "--no-sync",
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "-D",
                    data.toString()));
            run(asPostgres(
                    root,
                    bin.resolve("pg_ctl").toString(),
                    "-D",
                    data.toString(),
                    "-l",
                    dir.resolve("log").toString(),
                    "-w",
                    "-o",
                    "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
                    "start"));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    run(asPostgres(
                            root, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "stop"));
                    try (Stream<Path> files = Files.walk(dir)) {
                        files.sorted(Comparator.reverseOrder())
                                .map(Path::toFile)
                                .forEach(File::delete);
                    }
                } catch (IOException | RuntimeException e) {
                    System.err.println("could not stop the test PostgreSQL in " + dir + ": " + e);
                }
            }));
            server = "jdbc:postgresql://127.0.0.1:" + port;
            credentials = "?user=postgres";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a test PostgreSQL: " + e.getMessage(), e);
        }
    }

    private static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("SPUR_TEST_DATABASE_URL is unset and " + root + " does not exist");
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> Integer.parseInt(p.getFileName().toString()) >= 15)
                    .max(Comparator.comparingInt(
                            p -> Integer.parseInt(p.getFileName().toString())))
                    .map(p -> p.resolve("bin"))
                    .filter(p -> Files.isExecutable(p.resolve("initdb")))
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL >= 15 under " + root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> asPostgres(boolean root, String... command) {
        List<String> argv = new ArrayList<>();
        if (root) {
            argv.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        argv.addAll(List.of(command));
        return argv;
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command)
                    .directory(new File(System.getProperty("java.io.tmpdir")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("failed (" + process.exitValue() + "): " + String.join(" ", command));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.getFirst(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
