package dev.spur.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spur logs}: a function's recent log lines, and with {@code -f} the ones that follow. */
@Command(
        name = "logs",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Print a function's recent log lines (START, END, REPORT and what the function printed).")
final class LogsCommand implements Callable<Integer> {
    static final Duration POLL_INTERVAL = Duration.ofMillis(500);

    @Spec
    CommandSpec spec;

    @Mixin
    EndpointOption endpoint;

    @Parameters(index = "0", paramLabel = "NAME", description = "The function's name or ARN.")
    String name;

    @Option(
            names = {"-f", "--follow"},
            description = "Keep printing new lines as they come, until Ctrl-C.")
    boolean follow;

    /**
     * Reads only. With {@code --follow} it polls every 500 ms from where the last read
     * ended, so no line is printed twice or skipped, and returns when the thread is interrupted; a
     * failed poll ends it with that failure.
     */
    @Override
    public Integer call() {
        SpurClient client = endpoint.client();
        PrintWriter out = spec.commandLine().getOut();
        SpurClient.LogChunk chunk = client.logs(name, Optional.empty());
        if (chunk.text().isEmpty()) {
            client.getFunctionConfiguration(name); // no lines: a mistyped name should say so, not print nothing
        }
        print(out, chunk.text());
        while (follow) {
            try {
                Thread.sleep(POLL_INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
            do {
                chunk = client.logs(name, Optional.of(chunk.next()));
                print(out, chunk.text());
            } while (!chunk.text().isEmpty());
        }
        return 0;
    }

    private static void print(PrintWriter out, String text) {
        out.print(text);
        out.flush();
    }
}
