package dev.spur.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spur deploy}: creates a function from a directory or zip, or updates the one of that name. */
@Command(
        name = "deploy",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Create a function from DIR, or update its code and configuration if it exists.",
            "DIR is zipped keeping each file's permissions (so `bootstrap` stays executable); "
                    + "symbolic links are refused. DIR may also be a .zip or .jar, uploaded as is."
        })
final class DeployCommand implements Callable<Integer> {
    static final String DEFAULT_ROLE = "arn:aws:iam::000000000000:role/spur";

    @Spec
    CommandSpec spec;

    @Mixin
    EndpointOption endpoint;

    @Parameters(index = "0", paramLabel = "DIR", description = "The code: a directory, a .zip or a .jar.")
    Path code;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "The function's name.")
    String name;

    @Option(
            names = "--runtime",
            required = true,
            paramLabel = "RUNTIME",
            description = "e.g. provided.al2023, python3.12, nodejs22.x, java21.")
    String runtime;

    @Option(
            names = "--handler",
            required = true,
            paramLabel = "HANDLER",
            description = "The entry point, e.g. app.handler (any value for provided.* runtimes).")
    String handler;

    @Option(names = "--memory", paramLabel = "MB", description = "Memory in MB (new functions: 128).")
    Integer memory;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Timeout in seconds (new functions: 3).")
    Integer timeout;

    @Option(
            names = "--env",
            paramLabel = "KEY=VALUE",
            description = "An environment variable; repeat for more. "
                    + "When given, replaces all of the function's variables.")
    Map<String, String> environment;

    @Option(names = "--description", paramLabel = "TEXT", description = "A description of the function.")
    String description;

    @Option(
            names = "--network",
            paramLabel = "MODE",
            description = "default (reach the network as on Lambda) or none "
                    + "(a network namespace of its own with only the Runtime API bridged in; needs the linux sandbox and socat). "
                    + "Sent as Spur's SpurNetwork member.")
    String network;

    @Option(
            names = "--role",
            paramLabel = "ARN",
            description = "The execution role (new functions: " + DEFAULT_ROLE + ").")
    String role;

    /**
     * Create, or update code then configuration. If the configuration update fails, the new code is
     * already live with the old configuration; running deploy again converges.
     */
    @Override
    public Integer call() {
        byte[] zip = CodePackage.of(code);
        SpurClient client = endpoint.client();
        Map<String, Object> create = settings();
        create.put("FunctionName", name);
        create.put("Role", role != null ? role : DEFAULT_ROLE);
        create.put("Code", Map.of("ZipFile", Base64.getEncoder().encodeToString(zip)));
        Optional<Map<String, Object>> created = client.createFunction(create);
        Map<String, Object> result;
        String verb;
        if (created.isPresent()) {
            result = created.get();
            verb = "created";
        } else {
            client.updateFunctionCode(name, zip);
            Map<String, Object> update = settings();
            if (role != null) {
                update.put("Role", role);
            }
            result = client.updateFunctionConfiguration(name, update);
            verb = "updated";
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(result.get("FunctionArn"));
        out.printf(
                "  %s: %s, %s MB, %s code, CodeSha256 %s%n",
                verb,
                result.get("Runtime"),
                result.get("MemorySize"),
                size(result.get("CodeSize")),
                result.get("CodeSha256"));
        out.flush();
        return 0;
    }

    /** The settings both create and update send: only what was given, so an update keeps the rest. */
    private Map<String, Object> settings() {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("Runtime", runtime);
        request.put("Handler", handler);
        if (memory != null) {
            request.put("MemorySize", memory);
        }
        if (timeout != null) {
            request.put("Timeout", timeout);
        }
        if (description != null) {
            request.put("Description", description);
        }
        if (environment != null) {
            request.put("Environment", Map.of("Variables", environment));
        }
        if (network != null) {
            request.put("SpurNetwork", network);
        }
        return request;
    }

    static String size(Object codeSize) {
        long bytes = codeSize instanceof Number n ? n.longValue() : 0;
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
    }
}
