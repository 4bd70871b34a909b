package dev.spur.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code spur} command. */
@Command(name = "spur", mixinStandardHelpOptions = true, version = "spur 0.1.0",
        description = "A self-hosted serverless platform that speaks AWS Lambda's wire protocols.",
        subcommands = {ServerCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (for tests). */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }
}
