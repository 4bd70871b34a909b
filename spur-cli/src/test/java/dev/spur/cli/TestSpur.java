package dev.spur.cli;

import dev.spur.auth.Credential;
import dev.spur.server.SpurServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
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
        this.server = SpurServer.start(SpurServer.Options.defaults(dataDir).withPort(0).withAuth(auth));
    }

    /** A new access key for {@code account} (for a server with {@link SpurServer.Auth#SIGV4}). */
    Credential createKey(String account) {
        return server.keys().create(account);
    }

    String endpoint() {
        return server.endpoint();
    }

    /** Runs {@code spur <command> --endpoint <this server> <rest…>}. */
    Result spur(String command, String... rest) {
        List<String> args = new ArrayList<>();
        args.add(command);
        args.add("--endpoint");
        args.add(endpoint());
        args.addAll(List.of(rest));
        return run(args.toArray(String[]::new));
    }

    /** {@code spur deploy DIR --name NAME --runtime provided.al2023 --handler unused <options…>}. */
    Result deploy(Path dir, String name, String... options) {
        String[] args = Stream.concat(Stream.of(dir.toString(), "--name", name, "--runtime", "provided.al2023",
                "--handler", "unused"), Stream.of(options)).toArray(String[]::new);
        return spur("deploy", args);
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
        return function(dir, "curl -sS -X POST \"$API/invocation/$REQUEST_ID/response\" -d \"{\\\"" + key
                + "\\\":$EVENT}\" > /dev/null");
    }

    /** A function directory whose bootstrap reports every event as an unhandled error. */
    static Path failingFunction(Path dir) throws IOException {
        return function(dir, "curl -sS -X POST \"$API/invocation/$REQUEST_ID/error\" "
                + "-H 'Lambda-Runtime-Function-Error-Type: Unhandled' "
                + "-d '{\"errorMessage\":\"boom\",\"errorType\":\"Boom\"}' > /dev/null");
    }

    /** A function directory whose bootstrap answers with the client context it was given. */
    static Path contextFunction(Path dir) throws IOException {
        return function(dir, "curl -sS -X POST \"$API/invocation/$REQUEST_ID/response\" "
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

    record Result(int exit, String out, String err) {
    }
}
