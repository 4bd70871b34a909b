package dev.spur.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spur dlq}: events whose asynchronous invocation failed for good (retries used up, too old,
 * or the function gone) and that had no on-failure destination to go to. Dead letters belong to the
 * account the request acts as.
 */
@Command(
        name = "dlq",
        mixinStandardHelpOptions = true,
        description = "List, show, replay and purge dead letters: asynchronous events that failed for good.",
        subcommands = {
            DlqCommand.ListLetters.class,
            DlqCommand.Show.class,
            DlqCommand.Replay.class,
            DlqCommand.Purge.class
        })
final class DlqCommand {
    /** The most one request asks for (the server's cap). */
    private static final int PAGE = 1000;

    abstract static class OnSpur implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        EndpointOption endpoint;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = "List dead letters, oldest first: id, function, why, attempts, when and the error.")
    static final class ListLetters extends OnSpur {
        private static final List<String> HEADER =
                List.of("ID", "FUNCTION", "CONDITION", "ATTEMPTS", "FAILED AT", "ERROR");

        @Option(names = "--function", paramLabel = "NAME", description = "Only this function's (name or ARN).")
        String function;

        @Option(
                names = "--limit",
                paramLabel = "N",
                defaultValue = "100",
                description = "List at most N (default: ${DEFAULT-VALUE}); says so on stderr when there are more.")
        int limit;

        /** Reads only. Letters added or removed while paging may be missed or listed. */
        @Override
        public Integer call() {
            if (limit < 1) {
                throw CliException.usage("--limit must be at least 1, got %d", limit);
            }
            SpurClient client = endpoint.client();
            List<Map<String, Object>> letters = new ArrayList<>();
            Optional<String> after = Optional.empty();
            boolean more;
            do {
                SpurClient.DeadLetterPage page = client.deadLetters(
                        Optional.ofNullable(function), after, Math.min(PAGE, limit - letters.size()));
                letters.addAll(page.deadLetters());
                after = page.nextAfter();
                more = after.isPresent();
            } while (more && letters.size() < limit);
            List<List<String>> rows = new ArrayList<>();
            rows.add(HEADER);
            for (Map<String, Object> l : letters) {
                rows.add(List.of(
                        Output.text(l.get("Id")),
                        Output.function(l.get("FunctionArn")),
                        Output.text(l.get("Condition")),
                        Output.text(l.get("Attempts")),
                        Output.time(l.get("FailedAt")),
                        error(l)));
            }
            PrintWriter out = out();
            Output.table(out, rows);
            out.flush();
            if (more) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("spur: more dead letters than --limit " + limit + " shows");
                err.flush();
            }
            return 0;
        }

        /** {@code Type: message} on one line, cut to 60 characters; {@code -} for none. */
        private static String error(Map<String, Object> letter) {
            String type = (String) letter.get("ErrorType");
            String message = (String) letter.get("ErrorMessage");
            String text = type == null ? Output.text(message) : message == null ? type : type + ": " + message;
            text = text.replaceAll("\\s+", " ").strip();
            return text.length() > 60 ? text.substring(0, 59) + "…" : text;
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Print a dead letter as JSON: its payload, the function's response or error, attempts.")
    static final class Show extends OnSpur {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            PrintWriter out = out();
            out.println(Output.json(endpoint.client().deadLetter(id)));
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "replay",
            mixinStandardHelpOptions = true,
            description = {
                "Put dead letters back in the queue; each leaves the dead-letter store and runs again "
                        + "later with a fresh maximum age.",
                "Goes on past an id that cannot be replayed, and exits 3 if any could not."
            })
    static final class Replay extends OnSpur {
        @Parameters(arity = "1..*", paramLabel = "ID")
        List<String> ids;

        /**
         * Replays in order. An API error for one id is reported and the rest are still tried; losing
         * the server stops at once, and the letter being replayed then may or may not be queued again.
         */
        @Override
        public Integer call() {
            SpurClient client = endpoint.client();
            return RemoveCommand.eachOf(spec, ids, id -> {
                client.replayDeadLetter(id);
                return "replayed " + id;
            });
        }
    }

    @Command(
            name = "purge",
            mixinStandardHelpOptions = true,
            description = "Delete dead letters for good: all of the account's, or one function's.")
    static final class Purge extends OnSpur {
        @Option(names = "--function", paramLabel = "NAME", description = "Only this function's (name or ARN).")
        String function;

        @Override
        public Integer call() {
            long purged = endpoint.client().purgeDeadLetters(Optional.ofNullable(function));
            PrintWriter out = out();
            out.println("purged " + purged + " dead letter" + (purged == 1 ? "" : "s"));
            out.flush();
            return 0;
        }
    }
}
