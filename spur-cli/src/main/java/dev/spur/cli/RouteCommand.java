package dev.spur.cli;

import java.io.PrintWriter;
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
 * {@code spur route}: one route of an HTTP API at a time ({@code PUT} and {@code DELETE
 * /spur/v1/apis/{id}/routes}). Each change replaces the API's stored document atomically; requests
 * already routed finish on the routes they matched.
 */
@Command(
        name = "route",
        mixinStandardHelpOptions = true,
        description = "Add, list and remove the routes of an HTTP API (see `spur api`).",
        subcommands = {RouteCommand.Add.class, RouteCommand.ListRoutes.class, RouteCommand.Delete.class})
final class RouteCommand {

    abstract static class OnSpur implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        EndpointOption endpoint;

        @Parameters(index = "0", paramLabel = "API_ID")
        String apiId;
    }

    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Route requests to a function; replaces the API's route with the same key.",
                "ROUTE is 'METHOD /path' with {name} segments and a last {name+} (e.g. 'GET /pets/{id}', "
                        + "'ANY /files/{proxy+}'), or $default for whatever no other route matches."
            })
    static final class Add extends OnSpur {
        @Parameters(index = "1", paramLabel = "ROUTE")
        String routeKey;

        @Option(
                names = "--function",
                required = true,
                paramLabel = "NAME",
                description = "The function to invoke: name or ARN.")
        String function;

        @Option(names = "--qualifier", paramLabel = "Q", description = "The version or alias to invoke.")
        String qualifier;

        @Option(
                names = "--payload",
                paramLabel = "VERSION",
                description = "The event format: 2.0 (default) or 1.0, as API Gateway's PayloadFormatVersion.")
        String payload;

        @Option(
                names = "--authorizer",
                paramLabel = "NAME",
                description = "One of the API's authorizers (declared with `spur api apply`).")
        String authorizer;

        @Mixin
        ApiCommand.ThrottleOptions throttle;

        @Override
        public Integer call() {
            Map<String, Object> target = new LinkedHashMap<>();
            target.put("Function", function);
            if (qualifier != null) {
                target.put("Qualifier", qualifier);
            }
            Map<String, Object> route = new LinkedHashMap<>();
            route.put("RouteKey", routeKey);
            route.put("Target", target);
            if (payload != null) {
                route.put("PayloadFormatVersion", payload);
            }
            if (authorizer != null) {
                route.put("Authorizer", authorizer);
            }
            throttle.addTo(route);
            Map<String, Object> api = endpoint.client().putRoute(apiId, route);
            PrintWriter out = spec.commandLine().getOut();
            out.println("routed " + routeKey + " → " + function + (qualifier == null ? "" : ":" + qualifier));
            String path = routeKey.equals("$default") ? "/…" : routeKey.substring(routeKey.indexOf(' ') + 1);
            out.println("  " + api.get("ApiPathEndpoint") + path);
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = "List an API's routes: key, function, payload format, authorizer and throttle.")
    static final class ListRoutes extends OnSpur {
        private static final List<String> HEADER = List.of("ROUTE", "FUNCTION", "PAYLOAD", "AUTHORIZER", "THROTTLE");

        @Override
        public Integer call() {
            Map<String, Object> api = endpoint.client().getApi(apiId);
            List<List<String>> rows = new ArrayList<>();
            rows.add(HEADER);
            if (api.get("Routes") instanceof List<?> routes) {
                for (Object o : routes) {
                    if (o instanceof Map<?, ?> r) {
                        rows.add(List.of(
                                Output.text(r.get("RouteKey")),
                                target(r.get("Target")),
                                Output.text(r.get("PayloadFormatVersion")),
                                Output.text(r.get("Authorizer")),
                                throttle(r.get("Throttle"))));
                    }
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            Output.table(out, rows);
            out.flush();
            return 0;
        }

        private static String target(Object target) {
            if (!(target instanceof Map<?, ?> t)) {
                return "-";
            }
            Object qualifier = t.get("Qualifier");
            return Output.function(t.get("Function")) + (qualifier == null ? "" : ":" + qualifier);
        }

        private static String throttle(Object throttle) {
            if (!(throttle instanceof Map<?, ?> t)) {
                return "-";
            }
            Object rate = t.get("RateLimit") instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                    ? (Object) n.longValue()
                    : t.get("RateLimit");
            return rate + "/s burst " + t.get("BurstLimit");
        }
    }

    @Command(
            name = "rm",
            mixinStandardHelpOptions = true,
            description = {
                "Remove routes from an API (requests to them then get 404).",
                "Goes on past a route that cannot be removed, and exits 3 if any could not."
            })
    static final class Delete extends OnSpur {
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "ROUTE")
        List<String> routeKeys;

        @Override
        public Integer call() {
            SpurClient client = endpoint.client();
            return RemoveCommand.eachOf(spec, routeKeys, key -> {
                client.deleteRoute(apiId, key);
                return "removed " + key + " from " + apiId;
            });
        }
    }
}
