package dev.spur.cli;

import dev.spur.auth.Credential;
import dev.spur.invoke.AsyncPolicy;
import dev.spur.server.SpurServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** A real Spur on an ephemeral port, and the {@code spur} CLI pointed at it. */
final class TestSpur implements AutoCloseable {
    /** The Runtime API loop every test function shares; {@code %s} is the JSON it answers with. */
    private static final String BOOTSTRAP = """
            #!/bin/sh
            set -eu
            API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
            while true; do
              HEADERS="$(mktemp)"
              EVENT=$(curl -sS -LD "$HEADERS" "$API/invocation/next")
              REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
              CONTEXT=$(grep -Fi Lambda-Runtime-Client-Context "$HEADERS" | cut -d: -f2- | tr -d '\\r' | sed 's/^ *//')
              echo "handling $REQUEST_ID event $EVENT"
              %s
            done
            """;

    private final SpurServer server;

    TestSpur(Path dataDir) {
        this(dataDir, SpurServer.Auth.NONE);
    }

    TestSpur(Path dataDir, SpurServer.Auth auth) {
        this(SpurServer.Options.defaults(dataDir).withPort(0).withAuth(auth));
    }

    /** A server whose asynchronous path retries after {@code retryDelay}, then twice that (not 1 and 2 minutes). */
    TestSpur(Path dataDir, Duration retryDelay) {
        this(SpurServer.Options.defaults(dataDir).withPort(0).withAsync(AsyncPolicy.quick(retryDelay)));
    }

    private TestSpur(SpurServer.Options options) {
        this.server = SpurServer.start(options);
    }

    /** A new access key for {@code account} (for a server with {@link SpurServer.Auth#SIGV4}). */
    Credential createKey(String account) {
        return server.keys().create(account);
    }

    String endpoint() {
        return server.endpoint();
    }

    /** Runs {@code spur <command> --endpoint <this server> <rest…>}; {@code command} may be two words ("dlq ls"). */
    Result spur(String command, String... rest) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.add("--endpoint");
        args.add(endpoint());
        args.addAll(List.of(rest));
        return run(args.toArray(String[]::new));
    }

    /** {@code spur deploy DIR --name NAME --runtime provided.al2023 --handler unused <options…>}. */
    Result deploy(Path dir, String name, String... options) {
        String[] args = Stream.concat(
                        Stream.of(
                                dir.toString(), "--name", name, "--runtime", "provided.al2023", "--handler", "unused"),
                        Stream.of(options))
                .toArray(String[]::new);
        return spur("deploy", args);
    }

    /**
     * PutFunctionEventInvokeConfig over raw HTTP (the CLI has no command for it), e.g.
     * {@code {"MaximumRetryAttempts":0}}; fails the test unless Spur answers 200.
     */
    void putEventInvokeConfig(String function, String json) throws IOException {
        HttpURLConnection conn = (HttpURLConnection)
                URI.create(endpoint() + "/2019-09-25/functions/" + function + "/event-invoke-config")
                        .toURL()
                        .openConnection();
        conn.setRequestMethod("PUT");
        conn.setDoOutput(true);
        conn.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = conn.getOutputStream()) {
            out.write(json.getBytes(StandardCharsets.UTF_8));
        }
        int status = conn.getResponseCode();
        if (status != 200) {
            throw new IllegalStateException("PutFunctionEventInvokeConfig answered " + status);
        }
        conn.getInputStream().close();
    }

    /** Runs {@code spur <command> …} every 50 ms until its result satisfies {@code done}, for up to 20 s. */
    Result await(Predicate<Result> done, String command, String... rest) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            Result result = spur(command, rest);
            if (done.test(result)) {
                return result;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(
                        "gave up waiting on spur " + command + " " + String.join(" ", rest) + "; last: " + result);
            }
            Thread.sleep(50);
        }
    }

    /** Runs a command line as given. */
    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** A function directory whose bootstrap answers every event with {@code {"<key>": event}}. */
    static Path echoFunction(Path dir, String key) throws IOException {
        return function(
                dir,
                "curl -sS -X POST \"$API/invocation/$REQUEST_ID/response\" -d \"{\\\"" + key
                        + "\\\":$EVENT}\" > /dev/null");
    }

    /** A function directory whose bootstrap answers every event with {@code json} (no single quotes in it). */
    static Path fixedFunction(Path dir, String json) throws IOException {
        return function(dir, "curl -sS -X POST \"$API/invocation/$REQUEST_ID/response\" -d '" + json + "' > /dev/null");
    }

    /** A function directory whose bootstrap reports every event as an unhandled error. */
    static Path failingFunction(Path dir) throws IOException {
        return function(
                dir,
                "curl -sS -X POST \"$API/invocation/$REQUEST_ID/error\" "
                        + "-H 'Lambda-Runtime-Function-Error-Type: Unhandled' "
                        + "-d '{\"errorMessage\":\"boom\",\"errorType\":\"Boom\"}' > /dev/null");
    }

    /** A function directory whose bootstrap answers with the client context it was given. */
    static Path contextFunction(Path dir) throws IOException {
        return function(
                dir,
                "curl -sS -X POST \"$API/invocation/$REQUEST_ID/response\" "
                        + "-d \"{\\\"context\\\":${CONTEXT:-null}}\" > /dev/null");
    }

    private static Path function(Path dir, String respond) throws IOException {
        Files.createDirectories(dir);
        Path bootstrap = dir.resolve("bootstrap");
        Files.writeString(bootstrap, BOOTSTRAP.formatted(respond));
        Files.setPosixFilePermissions(bootstrap, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    @Override
    public void close() {
        server.close();
    }

    record Result(int exit, String out, String err) {}
}
