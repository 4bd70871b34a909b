package dev.spur.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code spur usage}: requests, billed duration, GB-seconds and the estimated bill of the caller's
 * functions, grouped by function, version, day or hour ({@code GET /spur/v1/usage}).
 */
@Command(
        name = "usage",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Show usage and the estimated bill: requests, billed duration (as REPORT lines bill it), "
                    + "GB-seconds and cost at the server's price table (Lambda's us-east-1 list prices unless "
                    + "the server was given --prices).",
            "Times are whole hours, UTC."
        })
final class UsageCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EndpointOption endpoint;

    @Option(
            names = "--by",
            defaultValue = "function",
            description =
                    "Group by function, version, day or hour, or a comma-separated list (default: ${DEFAULT-VALUE}).")
    String by;

    @Option(names = "--function", description = "Only this function (name or ARN).")
    Optional<String> function;

    @Option(
            names = "--since",
            description = "From this time: an ISO instant, a date (2026-01-31) or an age (90m, 24h, 7d); default 30d.")
    Optional<String> since;

    @Option(names = "--until", description = "Up to this time, as --since; default now.")
    Optional<String> until;

    @Option(names = "--json", description = "Print the server's answer as JSON.")
    boolean json;

    /** Reads only. */
    @Override
    @SuppressWarnings("unchecked")
    public Integer call() {
        Map<String, Object> usage = endpoint.client().usage(function, since, until, by);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Output.json(usage));
            out.flush();
            return 0;
        }
        List<String> dims = (List<String>) usage.getOrDefault("By", List.of());
        List<List<String>> table = new ArrayList<>();
        List<String> header = new ArrayList<>();
        for (String d : dims) {
            header.add(d.toUpperCase(Locale.ROOT));
        }
        header.addAll(List.of("REQUESTS", "ERRORS", "BILLED MS", "GB-S", "PROV GB-S", "COST USD"));
        table.add(header);
        for (Map<String, Object> row : (List<Map<String, Object>>) usage.getOrDefault("Rows", List.of())) {
            table.add(line(row, dims));
        }
        Map<String, Object> total = (Map<String, Object>) usage.getOrDefault("Total", Map.of());
        List<String> totalLine = new ArrayList<>();
        for (int i = 0; i < dims.size(); i++) {
            totalLine.add(i == 0 ? "total" : "");
        }
        totalLine.addAll(line(total, List.of()));
        table.add(totalLine);
        Output.table(out, table);
        out.printf(
                "%nfrom %s to %s (UTC hours); estimated at the server's prices, no free tier%n",
                usage.get("Since"), usage.get("Until"));
        out.flush();
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static List<String> line(Map<String, Object> row, List<String> dims) {
        List<String> line = new ArrayList<>();
        for (String d : dims) {
            line.add(Output.text(row.get(Character.toUpperCase(d.charAt(0)) + d.substring(1))));
        }
        line.add(Output.text(row.get("Requests")));
        line.add(Output.text(row.get("Errors")));
        line.add(Output.text(row.get("BilledDurationMs")));
        line.add(decimal(row.get("GBSeconds"), 3));
        line.add(decimal(
                number(row.get("ProvisionedConcurrencyGBSeconds")) + number(row.get("ProvisionedDurationGBSeconds")),
                3));
        Map<String, Object> cost = (Map<String, Object>) row.getOrDefault("EstimatedCost", Map.of());
        line.add(decimal(cost.get("Total"), 6));
        return line;
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : 0;
    }

    private static String decimal(Object value, int places) {
        return String.format(Locale.ROOT, "%." + places + "f", number(value));
    }
}
