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
import picocli.CommandLine.Spec;

/** {@code spur ls}: every function, following ListFunctions' pages to the end. */
@Command(
        name = "ls",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "List functions: name, runtime, memory, timeout and when they last changed.")
final class ListCommand implements Callable<Integer> {
    private static final List<String> HEADER = List.of("NAME", "RUNTIME", "MEMORY", "TIMEOUT", "LAST MODIFIED");

    @Spec
    CommandSpec spec;

    @Mixin
    EndpointOption endpoint;

    @Option(names = "--json", description = "Print the functions' configurations as JSON instead of a table.")
    boolean json;

    @Option(names = "--page-size", hidden = true, description = "Functions per ListFunctions request.")
    Integer pageSize;

    /** Reads only. Functions created or deleted while paging may be missed or listed. */
    @Override
    public Integer call() {
        SpurClient client = endpoint.client();
        List<Map<String, Object>> functions = new ArrayList<>();
        Optional<String> marker = Optional.empty();
        do {
            SpurClient.FunctionPage page = client.listFunctions(marker, Optional.ofNullable(pageSize));
            functions.addAll(page.functions());
            marker = page.nextMarker().filter(m -> !m.isEmpty());
        } while (marker.isPresent());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Output.json(Map.of("Functions", functions)));
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(HEADER);
            for (Map<String, Object> fn : functions) {
                rows.add(List.of(
                        Output.text(fn.get("FunctionName")),
                        Output.text(fn.get("Runtime")),
                        Output.text(fn.get("MemorySize")) + " MB",
                        Output.text(fn.get("Timeout")) + " s",
                        Output.time(fn.get("LastModified"))));
            }
            Output.table(out, rows);
        }
        out.flush();
        return 0;
    }
}
