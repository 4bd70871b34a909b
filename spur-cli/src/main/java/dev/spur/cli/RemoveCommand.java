package dev.spur.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spur rm}: deletes functions, one request each. */
@Command(name = "rm", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Delete functions.", "Goes on past a name that cannot be deleted, and exits 3 if any could not."})
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
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int exit = 0;
        for (String name : names) {
            try {
                client.deleteFunction(name);
                out.println("deleted " + name);
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
