package dev.spur.cli;

import java.io.PrintWriter;
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
 * {@code spur queue}: SQS-compatible queues on a running Spur, over SQS's JSON protocol (the same
 * operations {@code aws sqs} and the SDKs use). Queues are named, not addressed by URL.
 */
@Command(
        name = "queue",
        mixinStandardHelpOptions = true,
        description = "Create, list, send to, receive from and delete SQS-compatible queues.",
        subcommands = {
            QueueCommand.Create.class,
            QueueCommand.ListQueues.class,
            QueueCommand.Send.class,
            QueueCommand.Receive.class,
            QueueCommand.Delete.class
        })
final class QueueCommand {

    abstract static class OnSpur implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        EndpointOption endpoint;

        String url(String name) {
            return String.valueOf(endpoint.client()
                    .sqs("GetQueueUrl", Map.of("QueueName", name))
                    .get("QueueUrl"));
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Create a queue (FIFO if NAME ends in .fifo).")
    static final class Create extends OnSpur {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(
                names = "--attribute",
                paramLabel = "NAME=VALUE",
                description = "A queue attribute, e.g. VisibilityTimeout=60 or RedrivePolicy=<json>; repeatable.")
        Map<String, String> attributes = new LinkedHashMap<>();

        @Override
        public Integer call() {
            Map<String, String> all = new LinkedHashMap<>(attributes);
            if (name.endsWith(".fifo")) {
                all.putIfAbsent("FifoQueue", "true");
            }
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("QueueName", name);
            if (!all.isEmpty()) {
                request.put("Attributes", all);
            }
            out().println(endpoint.client().sqs("CreateQueue", request).get("QueueUrl"));
            out().flush();
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List queues with their message counts.")
    static final class ListQueues extends OnSpur {
        @Option(names = "--prefix", paramLabel = "P", description = "Only queues whose names start with P.")
        String prefix;

        @Override
        public Integer call() {
            SpurClient client = endpoint.client();
            Map<String, Object> request = new LinkedHashMap<>();
            if (prefix != null) {
                request.put("QueueNamePrefix", prefix);
            }
            Object urls = client.sqs("ListQueues", request).get("QueueUrls");
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("NAME", "VISIBLE", "IN FLIGHT", "DELAYED", "URL"));
            if (urls instanceof List<?> list) {
                for (Object url : list) {
                    Map<String, Object> a = attributes(client.sqs(
                            "GetQueueAttributes", Map.of("QueueUrl", url, "AttributeNames", List.of("All"))));
                    String u = String.valueOf(url);
                    rows.add(List.of(
                            u.substring(u.lastIndexOf('/') + 1),
                            Output.text(a.get("ApproximateNumberOfMessages")),
                            Output.text(a.get("ApproximateNumberOfMessagesNotVisible")),
                            Output.text(a.get("ApproximateNumberOfMessagesDelayed")),
                            u));
                }
            }
            Output.table(out(), rows);
            out().flush();
            return 0;
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> attributes(Map<String, Object> answer) {
            return answer.get("Attributes") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        }
    }

    @Command(name = "send", mixinStandardHelpOptions = true, description = "Send a message; prints its id.")
    static final class Send extends OnSpur {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "BODY", description = "The message: text, @FILE or - for stdin.")
        String body;

        @Option(names = "--group", paramLabel = "ID", description = "MessageGroupId (FIFO queues).")
        String group;

        @Option(names = "--dedup", paramLabel = "ID", description = "MessageDeduplicationId (FIFO queues).")
        String dedup;

        @Option(names = "--delay", paramLabel = "SECONDS", description = "DelaySeconds (standard queues).")
        Integer delay;

        @Override
        public Integer call() {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("QueueUrl", url(name));
            request.put("MessageBody", new String(InvokeCommand.readPayload(body), StandardCharsets.UTF_8));
            if (group != null) {
                request.put("MessageGroupId", group);
            }
            if (dedup != null) {
                request.put("MessageDeduplicationId", dedup);
            }
            if (delay != null) {
                request.put("DelaySeconds", delay);
            }
            out().println(endpoint.client().sqs("SendMessage", request).get("MessageId"));
            out().flush();
            return 0;
        }
    }

    @Command(
            name = "receive",
            mixinStandardHelpOptions = true,
            description = "Receive messages and print them as JSON; they are deleted unless --keep.")
    static final class Receive extends OnSpur {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--max", paramLabel = "N", defaultValue = "1", description = "1 to 10 (default 1).")
        int max;

        @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "0", description = "Long poll, up to 20 s.")
        int wait;

        @Option(names = "--keep", description = "Leave the messages in the queue (visible again after the timeout).")
        boolean keep;

        @Override
        public Integer call() {
            SpurClient client = endpoint.client();
            String url = url(name);
            Map<String, Object> answer = client.sqs(
                    "ReceiveMessage",
                    Map.of(
                            "QueueUrl", url,
                            "MaxNumberOfMessages", max,
                            "WaitTimeSeconds", wait,
                            "AttributeNames", List.of("All"),
                            "MessageAttributeNames", List.of("All")));
            Object messages = answer.getOrDefault("Messages", List.of());
            if (!keep && messages instanceof List<?> list) {
                for (Object m : list) {
                    if (m instanceof Map<?, ?> message) {
                        client.sqs(
                                "DeleteMessage",
                                Map.of("QueueUrl", url, "ReceiptHandle", message.get("ReceiptHandle")));
                    }
                }
            }
            out().println(Output.json(Map.of("Messages", messages)));
            out().flush();
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a queue and its messages.")
    static final class Delete extends OnSpur {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            endpoint.client().sqs("DeleteQueue", Map.of("QueueUrl", url(name)));
            out().println("deleted " + name);
            out().flush();
            return 0;
        }
    }
}
