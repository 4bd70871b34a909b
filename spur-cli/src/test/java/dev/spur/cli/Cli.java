package dev.spur.cli;

import dev.spur.testing.Await;
import dev.spur.testing.server.Spur;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The {@code spur} command, run in this JVM ({@link Main#run}) against a test server. The server is
 * looked up at each call, so a test class can make its {@code Cli} before {@link dev.spur.testing.server.SpurTest}
 * has injected the server: {@code static Spur server; static final Cli spur = new Cli(() -> server);}.
 */
final class Cli {
    private final Supplier<Spur> server;

    Cli(Supplier<Spur> server) {
        this.server = server;
    }

    String endpoint() {
        return server.get().endpoint();
    }

    /** Runs {@code spur <command> --endpoint <the server> <rest…>}; {@code command} may be two words ("dlq ls"). */
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

    /** PutFunctionEventInvokeConfig with {@code MaximumRetryAttempts} (the CLI has no command for it). */
    void putMaximumRetryAttempts(String function, int attempts) {
        server.get()
                .lambda()
                .putFunctionEventInvokeConfig(b -> b.functionName(function).maximumRetryAttempts(attempts));
    }

    /** Runs {@code spur <command> …} until its result satisfies {@code done} (for up to 20 s), and returns it. */
    Result await(Predicate<Result> done, String command, String... rest) {
        return Await.await(
                "spur " + command + " " + String.join(" ", rest),
                Duration.ofSeconds(20),
                () -> spur(command, rest),
                done);
    }

    /** Runs a command line as given. */
    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }

    record Result(int exit, String out, String err) {}
}
