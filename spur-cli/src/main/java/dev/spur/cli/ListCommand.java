package dev.spur.cli;

import dev.spur.common.Json;
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
@Command(name = "ls", mixinStandardHelpOptions = true, sortOptions = false,
        description = "List functions: name, runtime, memory, timeout and when they last changed.")
final class ListCommand implements Callable<Integer> {
    /** Indented like the AWS CLI's JSON output: {@code "Key": value}. */
    private static final com.fasterxml.jackson.core.PrettyPrinter PRETTY =
            new com.fasterxml.jackson.core.util.DefaultPrettyPrinter().withSeparators(
                    com.fasterxml.jackson.core.util.Separators.createDefaultInstance()
                            .withObjectFieldValueSpacing(com.fasterxml.jackson.core.util.Separators.Spacing.AFTER));

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
    public Integer call() throws java.io.IOException {
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
            out.println(Json.MAPPER.writer(PRETTY).writeValueAsString(Map.of("Functions", functions)));
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(HEADER);
            for (Map<String, Object> fn : functions) {
                rows.add(List.of(text(fn.get("FunctionName")), text(fn.get("Runtime")),
                        text(fn.get("MemorySize")) + " MB", text(fn.get("Timeout")) + " s",
                        lastModified(text(fn.get("LastModified")))));
            }
            printTable(out, rows);
        }
        out.flush();
        return 0;
    }

    private static void printTable(PrintWriter out, List<List<String>> rows) {
        int[] widths = new int[HEADER.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i + 1 < row.size() ? String.format("%-" + (widths[i] + 2) + "s", row.get(i)) : row.get(i));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    /** {@code 2019-10-10T18:22:33.139+0000} → {@code 2019-10-10 18:22:33 UTC}; anything else as is. */
    static String lastModified(String wire) {
        if (wire.length() >= 19 && wire.charAt(10) == 'T' && wire.endsWith("+0000")) {
            return wire.substring(0, 10) + " " + wire.substring(11, 19) + " UTC";
        }
        return wire;
    }

    private static String text(Object value) {
        return value == null ? "-" : value.toString();
    }
}
