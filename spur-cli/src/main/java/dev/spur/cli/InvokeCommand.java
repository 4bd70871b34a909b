package dev.spur.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spur invoke}: one synchronous invocation, its response on stdout; or, with --async, one queued event. */
@Command(
        name = "invoke",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Invoke a function synchronously and print its response.",
            "Exits 1 if the function failed (its error is printed as the response).",
            "With --async, queue the event instead (an Event invoke) and print its request id."
        })
final class InvokeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EndpointOption endpoint;

    @Parameters(index = "0", paramLabel = "NAME", description = "The function's name or ARN.")
    String name;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "PAYLOAD",
            defaultValue = "{}",
            description = "The event: JSON text, @FILE to read a file, or - for stdin (default: {}).")
    String payload;

    @Option(
            names = {"-v", "--verbose"},
            description = "Print the invocation's REPORT line to stderr.")
    boolean verbose;

    @Option(names = "--log", description = "Print the last 4 KB of the invocation's log to stderr.")
    boolean log;

    @Option(
            names = "--async",
            description = {
                "Queue the event and return at once (X-Amz-Invocation-Type: Event); "
                        + "print the request id the function will run with.",
                "The function runs later, at least once; see `spur logs`, `spur async` and `spur dlq`."
            })
    boolean async;

    @Option(
            names = "--client-context",
            paramLabel = "JSON",
            description = "Client context for the function (sent base64-encoded in X-Amz-Client-Context).")
    String clientContext;

    /** The function may have run even when this fails with a lost connection. */
    @Override
    public Integer call() {
        byte[] event = readPayload(payload);
        Optional<String> context = Optional.ofNullable(clientContext)
                .map(c -> Base64.getEncoder().encodeToString(c.getBytes(StandardCharsets.UTF_8)));
        if (async) {
            if (verbose || log) {
                throw CliException.usage(
                        "--async returns before the function runs, so there is no log to print "
                                + "(see `spur logs %s`)",
                        name);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(endpoint.client().invokeAsync(name, event, context));
            out.flush();
            return 0;
        }
        SpurClient.Invocation result = endpoint.client().invoke(name, event, verbose || log, context);
        PrintWriter out = spec.commandLine().getOut();
        String body = new String(result.payload(), StandardCharsets.UTF_8);
        out.print(body);
        if (!body.isEmpty() && !body.endsWith("\n")) {
            out.println();
        }
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        result.logTail().ifPresent(tail -> {
            if (log) {
                err.print(tail.endsWith("\n") || tail.isEmpty() ? tail : tail + "\n");
            } else {
                tail.lines()
                        .filter(l -> l.startsWith("REPORT "))
                        .reduce((a, b) -> b)
                        .ifPresent(err::println);
            }
        });
        result.functionError().ifPresent(kind -> err.println("spur: the function failed (" + kind + ")"));
        err.flush();
        return result.functionError().isPresent() ? CliException.FUNCTION_ERROR : 0;
    }

    /** JSON text as given, {@code @FILE} for a file's bytes, or {@code -} for stdin. */
    static byte[] readPayload(String payload) {
        try {
            if (payload.equals("-")) {
                return System.in.readAllBytes();
            }
            if (payload.startsWith("@")) {
                return Files.readAllBytes(Path.of(payload.substring(1)));
            }
        } catch (IOException e) {
            throw CliException.usage(
                    "cannot read the payload from %s: %s",
                    payload.equals("-") ? "stdin" : payload.substring(1),
                    e instanceof NoSuchFileException ? "no such file" : e.getMessage());
        }
        return payload.getBytes(StandardCharsets.UTF_8);
    }
}
