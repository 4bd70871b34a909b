package dev.spur.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spur rm}: deletes functions, one request each. */
@Command(
        name = "rm",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Delete functions.", "Goes on past a name that cannot be deleted, and exits 3 if any could not."
        })
final class RemoveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EndpointOption endpoint;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Function names or ARNs.")
    List<String> names;

    /**
     * Deletes in order. An API error for one name is reported and the rest are still tried; losing
     * the server stops at once, and the function being deleted then may or may not be gone.
     */
    @Override
    public Integer call() {
        SpurClient client = endpoint.client();
        return eachOf(spec, names, name -> {
            client.deleteFunction(name);
            return "deleted " + name;
        });
    }

    /**
     * Runs {@code work} for each item in order, printing what it returns. An API error is printed and
     * the rest still run (the exit is then 3); any other failure stops at once.
     */
    static int eachOf(CommandSpec spec, List<String> items, Function<String, String> work) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int exit = 0;
        for (String item : items) {
            try {
                out.println(work.apply(item));
                out.flush();
            } catch (CliException e) {
                if (e.exitCode() != CliException.API_ERROR) {
                    throw e;
                }
                err.println("spur: " + e.getMessage());
                err.flush();
                exit = CliException.API_ERROR;
            }
        }
        return exit;
    }
}
