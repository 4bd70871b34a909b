package dev.spur.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code spur} command. */
@Command(
        name = "spur",
        mixinStandardHelpOptions = true,
        version = "spur 0.1.0",
        description = "A self-hosted serverless platform that speaks AWS Lambda's wire protocols.",
        subcommands = {
            ServerCommand.class,
            DeployCommand.class,
            InvokeCommand.class,
            ListCommand.class,
            RemoveCommand.class,
            LogsCommand.class,
            AsyncCommand.class,
            UsageCommand.class,
            DlqCommand.class,
            ScheduleCommand.class,
            QueueCommand.class,
            BucketCommand.class,
            MappingCommand.class,
            ApiCommand.class,
            RouteCommand.class,
            BenchCommand.class,
            KeysCommand.class,
            NodesCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "Commands other than `server` talk to a running Spur at --endpoint " + "(default: $SPUR_ENDPOINT, else "
                    + SpurClient.DEFAULT_ENDPOINT + ").",
            "Exit codes: 0 ok, 1 the function failed (invoke), 2 usage error, 3 Spur answered with an error, "
                    + "4 Spur could not be reached."
        })
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line on the process's stdout and stderr and returns its exit code. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** Runs a command line writing to {@code out} and {@code err} (for tests) and returns its exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cmd = commandLine();
        cmd.setOut(out);
        cmd.setErr(err);
        return cmd.execute(args);
    }

    private static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Main());
        cmd.setExpandAtFiles(false); // `spur invoke fn @event.json` means the file's bytes, not more arguments
        cmd.setExecutionExceptionHandler((e, failed, parseResult) -> {
            PrintWriter err = failed.getErr();
            int exit;
            if (e instanceof CliException c) {
                err.println("spur: " + c.getMessage());
                exit = c.exitCode();
            } else {
                err.println("spur: internal error: " + e
                        + (System.getenv("SPUR_DEBUG") == null ? " (set SPUR_DEBUG=1 for details)" : ""));
                if (System.getenv("SPUR_DEBUG") != null) {
                    e.printStackTrace(err);
                }
                exit = 1;
            }
            err.flush();
            return exit;
        });
        return cmd;
    }
}
