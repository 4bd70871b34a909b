package dev.spur.cli;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spur mapping}: event-source mappings from a Spur queue to a function, through Lambda's
 * {@code /2015-03-31/event-source-mappings} API (as {@code aws lambda create-event-source-mapping}).
 */
@Command(
        name = "mapping",
        mixinStandardHelpOptions = true,
        description = "Create, list and delete event-source mappings (a queue feeding a function).",
        subcommands = {MappingCommand.Create.class, MappingCommand.ListMappings.class, MappingCommand.Delete.class})
final class MappingCommand {

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
            name = "create",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = "Feed a queue's messages to a function in batches; prints the mapping's UUID.")
    static final class Create extends OnSpur {
        @Option(names = "--queue", required = true, paramLabel = "NAME", description = "The queue (its name).")
        String queue;

        @Option(names = "--function", required = true, paramLabel = "NAME", description = "The function: name or ARN.")
        String function;

        @Option(names = "--batch-size", paramLabel = "N", description = "1 to 10,000 (above 10 needs --window).")
        Integer batchSize;

        @Option(names = "--window", paramLabel = "SECONDS", description = "MaximumBatchingWindowInSeconds, 0 to 300.")
        Integer window;

        @Option(
                names = "--max-concurrency",
                paramLabel = "N",
                description = "ScalingConfig.MaximumConcurrency, 2 to 1000.")
        Integer maxConcurrency;

        @Option(names = "--report-failures", description = "FunctionResponseTypes ReportBatchItemFailures.")
        boolean reportFailures;

        @Option(names = "--filter", paramLabel = "PATTERN", description = "A filter pattern (JSON); repeatable.")
        List<String> filters = new ArrayList<>();

        @Option(names = "--disabled", description = "Create the mapping switched off.")
        boolean disabled;

        @Override
        public Integer call() {
            SpurClient client = endpoint.client();
            Map<String, Object> attributes = client.sqs(
                    "GetQueueAttributes",
                    Map.of(
                            "QueueUrl",
                            client.sqs("GetQueueUrl", Map.of("QueueName", queue))
                                    .get("QueueUrl"),
                            "AttributeNames",
                            List.of("QueueArn")));
            Object arn = attributes.get("Attributes") instanceof Map<?, ?> a ? a.get("QueueArn") : null;
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("EventSourceArn", arn);
            request.put("FunctionName", function);
            request.put("Enabled", !disabled);
            if (batchSize != null) {
                request.put("BatchSize", batchSize);
            }
            if (window != null) {
                request.put("MaximumBatchingWindowInSeconds", window);
            }
            if (maxConcurrency != null) {
                request.put("ScalingConfig", Map.of("MaximumConcurrency", maxConcurrency));
            }
            if (reportFailures) {
                request.put("FunctionResponseTypes", List.of("ReportBatchItemFailures"));
            }
            if (!filters.isEmpty()) {
                request.put(
                        "FilterCriteria",
                        Map.of(
                                "Filters",
                                filters.stream().map(f -> Map.of("Pattern", f)).toList()));
            }
            out().println(client.mappings("POST", null, "", request).get("UUID"));
            out().flush();
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List event-source mappings.")
    static final class ListMappings extends OnSpur {
        @Option(names = "--function", paramLabel = "NAME", description = "Only this function's mappings.")
        String function;

        @Override
        public Integer call() {
            String query =
                    function == null ? "" : "?FunctionName=" + URLEncoder.encode(function, StandardCharsets.UTF_8);
            Object all = endpoint.client().mappings("GET", null, query, null).get("EventSourceMappings");
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("UUID", "STATE", "SOURCE", "FUNCTION", "BATCH"));
            if (all instanceof List<?> list) {
                for (Object o : list) {
                    if (o instanceof Map<?, ?> m) {
                        rows.add(List.of(
                                Output.text(m.get("UUID")),
                                Output.text(m.get("State")),
                                source(m),
                                Output.function(m.get("FunctionArn")),
                                Output.text(m.get("BatchSize"))));
                    }
                }
            }
            Output.table(out(), rows);
            out().flush();
            return 0;
        }

        /** The queue's ARN, or {@code kafka:<topic>} for a self-managed Kafka source (which has no ARN). */
        private static String source(Map<?, ?> m) {
            if (m.get("EventSourceArn") == null && m.get("Topics") instanceof List<?> topics && !topics.isEmpty()) {
                return "kafka:" + topics.getFirst();
            }
            return Output.text(m.get("EventSourceArn"));
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete an event-source mapping.")
    static final class Delete extends OnSpur {
        @Parameters(index = "0", paramLabel = "UUID")
        String uuid;

        @Override
        public Integer call() {
            endpoint.client().mappings("DELETE", uuid, "", null);
            out().println("deleted " + uuid);
            out().flush();
            return 0;
        }
    }
}
