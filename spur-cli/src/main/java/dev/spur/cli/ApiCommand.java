package dev.spur.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
 * {@code spur api}: HTTP APIs, which route {@code METHOD /path} requests to functions (as API Gateway
 * HTTP APIs do). An API is one JSON document on the server ({@code /spur/v1/apis}); {@code api apply}
 * deploys such a document from a file, the other commands build or read it a piece at a time.
 */
@Command(
        name = "api",
        mixinStandardHelpOptions = true,
        description = "Create, list, show, apply and delete HTTP APIs (routes to functions; see `spur route`).",
        subcommands = {
            ApiCommand.Create.class,
            ApiCommand.Apply.class,
            ApiCommand.ListApis.class,
            ApiCommand.Show.class,
            ApiCommand.Delete.class
        })
final class ApiCommand {

    abstract static class OnSpur implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        EndpointOption endpoint;

        /** Prints {@code <verb> API <id> (<name>)} and the two URLs the API is served at. */
        int done(String verb, Map<String, Object> api) {
            PrintWriter out = spec.commandLine().getOut();
            out.println(verb + " API " + api.get("ApiId") + " (" + api.get("Name") + ")");
            Output.table(
                    out,
                    List.of(
                            List.of("  ApiEndpoint", Output.text(api.get("ApiEndpoint"))),
                            List.of("  ApiPathEndpoint", Output.text(api.get("ApiPathEndpoint")))));
            out.flush();
            return 0;
        }
    }

    /** {@code --rate} and {@code --burst}: a token bucket, for an API or for one route. */
    static final class ThrottleOptions {
        @Option(names = "--rate", paramLabel = "R", description = "Throttle: requests per second sustained.")
        Double rate;

        @Option(
                names = "--burst",
                paramLabel = "B",
                description = "Throttle: requests at once (default: the rate, rounded up; needs --rate).")
        Integer burst;

        /** Puts {@code Throttle} into {@code document} when a rate was given. */
        void addTo(Map<String, Object> document) {
            if (rate == null) {
                if (burst != null) {
                    throw CliException.usage("--burst needs --rate");
                }
                return;
            }
            Map<String, Object> throttle = new LinkedHashMap<>();
            throttle.put("RateLimit", rate);
            if (burst != null) {
                throttle.put("BurstLimit", burst);
            }
            document.put("Throttle", throttle);
        }
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Create an HTTP API with no routes (add them with `spur route add`).",
                "Prints its id and the two URLs it is served at: by host name, and by path (/gw/<id>)."
            })
    static final class Create extends OnSpur {
        @Parameters(index = "0", paramLabel = "NAME", description = "Letters, digits, spaces, . _ and - (up to 128).")
        String name;

        @Option(
                names = "--cors-origin",
                paramLabel = "ORIGIN",
                split = ",",
                description = "CORS: an allowed origin (repeatable or comma-separated; * for any).")
        List<String> corsOrigins = List.of();

        @Option(names = "--cors-method", paramLabel = "METHOD", split = ",", description = "CORS: an allowed method.")
        List<String> corsMethods = List.of();

        @Option(
                names = "--cors-header",
                paramLabel = "HEADER",
                split = ",",
                description = "CORS: an allowed request header.")
        List<String> corsHeaders = List.of();

        @Option(
                names = "--cors-max-age",
                paramLabel = "SECONDS",
                description = "CORS: how long browsers may cache a preflight answer (0 to 86400).")
        Integer corsMaxAge;

        @Mixin
        ThrottleOptions throttle;

        @Option(
                names = "--timeout",
                paramLabel = "MS",
                description = "How long a route's function may take before the client gets 504 (50 to 30000; "
                        + "default 30000).")
        Integer timeoutMillis;

        @Override
        public Integer call() {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("Name", name);
            if (!corsOrigins.isEmpty() || !corsMethods.isEmpty() || !corsHeaders.isEmpty() || corsMaxAge != null) {
                Map<String, Object> cors = new LinkedHashMap<>();
                cors.put("AllowOrigins", corsOrigins);
                cors.put("AllowMethods", corsMethods);
                cors.put("AllowHeaders", corsHeaders);
                if (corsMaxAge != null) {
                    cors.put("MaxAge", corsMaxAge);
                }
                document.put("Cors", cors);
            }
            throttle.addTo(document);
            if (timeoutMillis != null) {
                document.put("IntegrationTimeoutMillis", timeoutMillis);
            }
            return done("created", endpoint.client().createApi(document));
        }
    }

    @Command(
            name = "apply",
            mixinStandardHelpOptions = true,
            description = {
                "Deploy an HTTP API declared in a JSON file, in the API's own format (as `spur api show` "
                        + "prints it).",
                "Without \"ApiId\" the file creates a new API; with it, it replaces that API "
                        + "whole: routes, authorizers, CORS and throttles the file leaves out are removed.",
                "API_KEY authorizers listed without ApiKeys keep the keys they have."
            })
    static final class Apply extends OnSpur {
        @Parameters(index = "0", paramLabel = "FILE", description = "The API as JSON; - for stdin.")
        String file;

        @Override
        public Integer call() {
            Map<String, Object> document = read(file);
            Object id = document.get("ApiId");
            if (id != null && !(id instanceof String s && !s.isBlank())) {
                throw CliException.usage("%s: ApiId must be a non-empty string", file);
            }
            SpurClient client = endpoint.client();
            if (id != null) {
                return done("replaced", client.replaceApi((String) id, document));
            }
            Map<String, Object> created = client.createApi(document);
            done("created", created);
            PrintWriter out = spec.commandLine().getOut();
            out.println("(add \"ApiId\": \"" + created.get("ApiId") + "\" to " + file
                    + " for the next apply to replace this API rather than create another)");
            out.flush();
            return 0;
        }

        private static Map<String, Object> read(String file) {
            byte[] bytes;
            try {
                bytes = file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
            } catch (IOException e) {
                throw CliException.usage(
                        "cannot read %s: %s",
                        file.equals("-") ? "stdin" : file,
                        e instanceof NoSuchFileException ? "no such file" : e.getMessage());
            }
            try {
                return SpurClient.parseObject(new String(bytes, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw CliException.usage("%s is not a JSON object (%s)", file, e.getMessage());
            }
        }
    }

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = "List HTTP APIs: id, name, number of routes, path endpoint and creation time.")
    static final class ListApis extends OnSpur {
        private static final List<String> HEADER = List.of("ID", "NAME", "ROUTES", "PATH ENDPOINT", "CREATED");

        @Option(names = "--json", description = "Print the APIs as JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            List<Map<String, Object>> apis = endpoint.client().listApis();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Output.json(Map.of("Items", apis)));
            } else {
                List<List<String>> rows = new ArrayList<>();
                rows.add(HEADER);
                for (Map<String, Object> a : apis) {
                    int routes = a.get("Routes") instanceof List<?> r ? r.size() : 0;
                    rows.add(List.of(
                            Output.text(a.get("ApiId")),
                            Output.text(a.get("Name")),
                            String.valueOf(routes),
                            Output.text(a.get("ApiPathEndpoint")),
                            Output.time(a.get("CreatedDate"))));
                }
                Output.table(out, rows);
            }
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Print an HTTP API as JSON (a file `spur api apply` takes back).")
    static final class Show extends OnSpur {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.println(Output.json(endpoint.client().getApi(id)));
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "rm",
            mixinStandardHelpOptions = true,
            description = {
                "Delete HTTP APIs (their functions stay).",
                "Goes on past an id that cannot be deleted, and exits 3 if any could not."
            })
    static final class Delete extends OnSpur {
        @Parameters(arity = "1..*", paramLabel = "ID")
        List<String> ids;

        @Override
        public Integer call() {
            SpurClient client = endpoint.client();
            return RemoveCommand.eachOf(spec, ids, id -> {
                client.deleteApi(id);
                return "deleted API " + id;
            });
        }
    }
}
