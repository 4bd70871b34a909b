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
 * {@code spur schedule}: schedules that invoke a function asynchronously ({@code rate(…)},
 * {@code cron(…)}, {@code at(…)}, as EventBridge Scheduler writes them). Each fire is an Event invoke
 * through the durable queue, so it runs at least once.
 */
@Command(
        name = "schedule",
        mixinStandardHelpOptions = true,
        description = "Create, list, show, change, enable, disable and delete schedules that invoke functions.",
        subcommands = {
            ScheduleCommand.Create.class,
            ScheduleCommand.ListSchedules.class,
            ScheduleCommand.Show.class,
            ScheduleCommand.Update.class,
            ScheduleCommand.Enable.class,
            ScheduleCommand.Disable.class,
            ScheduleCommand.Delete.class
        })
final class ScheduleCommand {

    abstract static class OnSpur implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        EndpointOption endpoint;

        /** Prints {@code <verb> NAME} and when the schedule fires next, or that it is disabled. */
        int done(String verb, Map<String, Object> schedule) {
            PrintWriter out = spec.commandLine().getOut();
            String state = !"ENABLED".equals(schedule.get("State"))
                    ? "; disabled"
                    : schedule.get("NextFireTime") == null
                            ? "; no more fires"
                            : "; next fire " + Output.time(schedule.get("NextFireTime"));
            out.println(verb + " " + schedule.get("Name") + (verb.equals("disabled") ? "" : state));
            out.flush();
            return 0;
        }
    }

    /** The fields create and update share; on update only those given change. */
    static final class Fields {
        @Option(
                names = "--expression",
                paramLabel = "EXPR",
                description = "rate(5 minutes), cron(0 12 * * ? *) or at(2030-01-01T09:00:00).")
        String expression;

        @Option(names = "--function", paramLabel = "NAME", description = "The function to invoke: name or ARN.")
        String function;

        @Option(names = "--qualifier", paramLabel = "Q", description = "The version or alias to invoke.")
        String qualifier;

        @Option(
                names = "--timezone",
                paramLabel = "TZ",
                description = "The IANA time zone cron(…) and at(…) are read in (Spur's default: UTC).")
        String timezone;

        @Option(
                names = "--input",
                paramLabel = "JSON",
                description = "The event each fire sends: JSON text, @FILE or - for stdin (default: {}).")
        String input;

        @Option(names = "--disabled", description = "Store the schedule switched off (see `schedule enable`).")
        boolean disabled;

        @Option(
                names = "--skip-missed",
                negatable = true,
                description = "Fires missed while Spur was down are skipped, not run once at start.")
        Boolean skipMissed;

        @Option(names = "--description", paramLabel = "TEXT")
        String description;

        /** The wire fields for what was given. */
        Map<String, Object> request() {
            Map<String, Object> body = new LinkedHashMap<>();
            put(body, "ScheduleExpression", expression);
            put(body, "ScheduleExpressionTimezone", timezone);
            if (disabled) {
                body.put("State", "DISABLED");
            }
            if (skipMissed != null) {
                body.put("MissedFires", skipMissed ? "SKIP" : "RUN_ONCE");
            }
            put(body, "Description", description);
            Map<String, Object> target = new LinkedHashMap<>();
            put(target, "Arn", function);
            put(target, "Qualifier", qualifier);
            if (input != null) {
                target.put("Input", new String(InvokeCommand.readPayload(input), StandardCharsets.UTF_8));
            }
            if (!target.isEmpty()) {
                body.put("Target", target);
            }
            return body;
        }

        private static void put(Map<String, Object> map, String key, String value) {
            if (value != null) {
                map.put(key, value);
            }
        }
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = "Create a schedule; it is enabled unless --disabled.")
    static final class Create extends OnSpur {
        @Parameters(index = "0", paramLabel = "NAME", description = "Letters, digits, - _ and . (up to 64).")
        String name;

        @Mixin
        Fields fields;

        @Override
        public Integer call() {
            if (fields.expression == null || fields.function == null) {
                throw CliException.usage("schedule create needs --expression and --function");
            }
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("Name", name);
            request.putAll(fields.request());
            return done("created", endpoint.client().createSchedule(request));
        }
    }

    @Command(
            name = "update",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Change a schedule: only the options given change.",
                "A new expression or time zone counts from now: nothing \"missed\" before fires."
            })
    static final class Update extends OnSpur {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Mixin
        Fields fields;

        @Override
        public Integer call() {
            Map<String, Object> request = fields.request();
            if (request.isEmpty()) {
                throw CliException.usage("nothing to change: give at least one option (see `spur schedule update -h`)");
            }
            return done("updated", endpoint.client().updateSchedule(name, request));
        }
    }

    @Command(
            name = "enable",
            mixinStandardHelpOptions = true,
            description = "Switch a schedule on; it counts from now, so fires missed while off do not run.")
    static final class Enable extends OnSpur {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return done("enabled", endpoint.client().updateSchedule(name, Map.of("State", "ENABLED")));
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Switch a schedule off.")
    static final class Disable extends OnSpur {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return done("disabled", endpoint.client().updateSchedule(name, Map.of("State", "DISABLED")));
        }
    }

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = "List schedules: name, state, expression, time zone, target and next fire.")
    static final class ListSchedules extends OnSpur {
        private static final List<String> HEADER =
                List.of("NAME", "STATE", "EXPRESSION", "TIMEZONE", "FUNCTION", "NEXT FIRE");

        @Option(names = "--json", description = "Print the schedules as JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            List<Map<String, Object>> schedules = endpoint.client().listSchedules();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Output.json(Map.of("Schedules", schedules)));
            } else {
                List<List<String>> rows = new ArrayList<>();
                rows.add(HEADER);
                for (Map<String, Object> s : schedules) {
                    Object target = s.get("Target") instanceof Map<?, ?> t ? t.get("Arn") : null;
                    rows.add(List.of(
                            Output.text(s.get("Name")),
                            Output.text(s.get("State")),
                            Output.text(s.get("ScheduleExpression")),
                            Output.text(s.get("ScheduleExpressionTimezone")),
                            Output.function(target),
                            Output.time(s.get("NextFireTime"))));
                }
                Output.table(out, rows);
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print a schedule as JSON.")
    static final class Show extends OnSpur {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.println(Output.json(endpoint.client().getSchedule(name)));
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "rm",
            mixinStandardHelpOptions = true,
            description = {
                "Delete schedules (fires already queued still run).",
                "Goes on past a name that cannot be deleted, and exits 3 if any could not."
            })
    static final class Delete extends OnSpur {
        @Parameters(arity = "1..*", paramLabel = "NAME")
        List<String> names;

        @Override
        public Integer call() {
            SpurClient client = endpoint.client();
            return RemoveCommand.eachOf(spec, names, name -> {
                client.deleteSchedule(name);
                return "deleted " + name;
            });
        }
    }
}
