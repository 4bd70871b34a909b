package dev.spur.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code spur nodes}: the nodes of a fleet (one shared database), as the node asked sees them. */
@Command(
        name = "nodes",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "List the nodes of a fleet: name, address, state (ACTIVE, DEAD, LEFT), last heartbeat, "
                + "environments and invocations in flight.")
final class NodesCommand implements Callable<Integer> {
    private static final List<String> HEADER = List.of(
            "NAME",
            "ADVERTISE",
            "STATE",
            "HEARTBEAT",
            "IN FLIGHT",
            "ENVIRONMENTS",
            "PROVISIONED",
            "MAPPINGS",
            "MEMORY");

    @Spec
    CommandSpec spec;

    @Mixin
    EndpointOption endpoint;

    @Option(names = "--json", description = "Print the nodes as JSON instead of a table.")
    boolean json;

    /** Reads only. */
    @Override
    public Integer call() {
        List<Map<String, Object>> nodes = endpoint.client().nodes();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Output.json(Map.of("Nodes", nodes)));
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(HEADER);
            for (Map<String, Object> node : nodes) {
                Object r = node.get("Report");
                Map<?, ?> report = r instanceof Map<?, ?> m ? m : Map.of();
                rows.add(List.of(
                        Output.text(node.get("Name")) + (Boolean.TRUE.equals(node.get("Self")) ? " *" : ""),
                        Output.text(node.get("Advertise")),
                        Output.text(node.get("State")),
                        Output.text(node.get("SinceHeartbeatMillis")) + " ms ago",
                        Output.text(report.get("InFlight")),
                        Output.text(report.get("LiveEnvironments")) + " (" + Output.text(report.get("IdleEnvironments"))
                                + " idle)",
                        Output.text(report.get("ProvisionedEnvironments")),
                        report.get("PolledMappings") instanceof List<?> polled
                                ? Integer.toString(polled.size())
                                : Output.text(null),
                        Output.text(report.get("MemoryUsedMb")) + "/" + Output.text(report.get("MemoryCapacityMb"))
                                + " MB"));
            }
            Output.table(out, rows);
        }
        out.flush();
        return 0;
    }
}
