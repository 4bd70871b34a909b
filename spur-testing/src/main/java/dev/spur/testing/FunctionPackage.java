package dev.spur.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A function as the tests deploy it: its runtime, its handler and its code. The common test
 * functions are here once: shell bootstraps for {@code provided.al2023} that echo, answer a fixed
 * JSON, fail or show their client context; the event-driven test runtime ({@code test-runtime.py},
 * which prints, sleeps, exits, fails or answers big on demand); Python and Node.js handlers.
 *
 * @param runtime the Lambda runtime identifier
 * @param handler the handler setting
 * @param code    the files; not to be changed once the package is made
 */
public record FunctionPackage(String runtime, String handler, Zips code) {
    /** {@code provided.al2023}'s default; custom runtimes ignore the handler setting. */
    public static final String PROVIDED = "provided.al2023";

    /** The Runtime API loop every shell test function shares; {@code %s} answers the event. */
    private static final String SHELL_LOOP = """
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

    /** The zip to upload. */
    public byte[] zip() {
        return code.bytes();
    }

    /** Writes the files under {@code dir} (for {@code spur deploy DIR}); returns {@code dir}. */
    public Path writeTo(Path dir) {
        return code.writeTo(dir);
    }

    /** A {@code provided.al2023} function whose executable {@code bootstrap} is {@code script}. */
    public static FunctionPackage provided(String script) {
        return new FunctionPackage(PROVIDED, "unused", Zips.create().executable("bootstrap", script));
    }

    /** A POSIX shell bootstrap (curl) answering every event with {@code {"<key>": event}}; it prints "handling". */
    public static FunctionPackage echo(String key) {
        return shell("curl -sS -X POST \"$API/invocation/$REQUEST_ID/response\" -d \"{\\\"" + key
                + "\\\":$EVENT}\" > /dev/null");
    }

    /** A shell bootstrap answering every event with {@code json} (no single quotes in it). */
    public static FunctionPackage fixed(String json) {
        return shell("curl -sS -X POST \"$API/invocation/$REQUEST_ID/response\" -d '" + json + "' > /dev/null");
    }

    /** A shell bootstrap reporting every event as an unhandled error {@code Boom: boom}. */
    public static FunctionPackage failing() {
        return shell("curl -sS -X POST \"$API/invocation/$REQUEST_ID/error\" "
                + "-H 'Lambda-Runtime-Function-Error-Type: Unhandled' "
                + "-d '{\"errorMessage\":\"boom\",\"errorType\":\"Boom\"}' > /dev/null");
    }

    /** A shell bootstrap answering {@code {"context": <the client context it was given, or null>}}. */
    public static FunctionPackage clientContext() {
        return shell("curl -sS -X POST \"$API/invocation/$REQUEST_ID/response\" "
                + "-d \"{\\\"context\\\":${CONTEXT:-null}}\" > /dev/null");
    }

    private static FunctionPackage shell(String respond) {
        return provided(SHELL_LOOP.formatted(respond));
    }

    /**
     * The event-driven test runtime ({@code provided.al2023}, Python): the event says what to do —
     * {@code print}, {@code sleep} (s), {@code exit} (status), {@code fail} (message), {@code big}
     * (bytes), {@code spawn} (a child process) — and it answers with its pid, environment, deadline and client context. Its variables
     * {@code INIT_FAIL}, {@code INIT_EXIT}, {@code INIT_SLEEP} make the init fail, exit or take long.
     */
    public static FunctionPackage testRuntime() {
        Tools.python();
        return new FunctionPackage(PROVIDED, "h", Zips.create().file("bootstrap", testRuntimeScript(), 0755));
    }

    /** The test runtime's Python source. */
    public static byte[] testRuntimeScript() {
        try (InputStream in = FunctionPackage.class.getResourceAsStream("test-runtime.py")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A {@code python3.12} function whose {@code app.py} is {@code app}, handler {@code app.handler}. */
    public static FunctionPackage python(String app) {
        return new FunctionPackage("python3.12", "app.handler", Zips.create().text("app.py", app));
    }

    /** A Node.js function: {@code runtime} (e.g. {@code nodejs20.x}), its handler and files. */
    public static FunctionPackage node(String runtime, String handler, Zips files) {
        return new FunctionPackage(runtime, handler, files);
    }
}
