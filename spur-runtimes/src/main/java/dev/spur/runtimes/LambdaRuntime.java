package dev.spur.runtimes;

import dev.spur.common.FunctionConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A runtime a function can name ({@code python3.12}, {@code nodejs20.x}, {@code java21}, {@code provided.al2023}). */
public interface LambdaRuntime {

    /** The Lambda identifier. */
    String id();

    /**
     * How to start this runtime for a function whose code is unpacked at {@code taskRoot}.
     * The pools add Lambda's reserved variables and the function's own on top of
     * {@link LaunchPlan#environment()}.
     */
    LaunchPlan plan(FunctionConfig function, Path taskRoot);

    /**
     * As {@link #plan(FunctionConfig, Path)}, naming every path as the process will see it: the code
     * at {@code taskRoot} and this runtime's {@link #clientDirectory()} at {@code clientDir}
     * ({@code /var/task} and {@code /var/runtime} in a sandbox). Runtimes with a client override it.
     */
    default LaunchPlan plan(FunctionConfig function, Path taskRoot, Path clientDir) {
        return plan(function, taskRoot);
    }

    /**
     * The variables that make this runtime find libraries in a function's layers, merged at {@code opt}
     * (Lambda's search paths: {@code /opt/python}, {@code /opt/nodejs/node_modules}, …); {@code taskRoot}
     * and {@code opt} as the process sees them. They replace the plan's variables of the same name.
     */
    default Map<String, String> layerVariables(Path opt, Path taskRoot) {
        return Map.of();
    }

    /** The host directory holding Spur's client for this runtime; empty when it has none (custom runtimes). */
    default Optional<Path> clientDirectory() {
        return Optional.empty();
    }

    /**
     * Host directories the command needs besides {@code /usr} and the client, seen at their host
     * paths inside a sandbox (a JDK installed outside {@code /usr}).
     */
    default List<Path> interpreterDirectories() {
        return List.of();
    }

    /**
     * @param command     the argv to exec, first element an absolute path
     * @param environment runtime-specific variables ({@code AWS_EXECUTION_ENV}, {@code LAMBDA_RUNTIME_DIR}, ...)
     */
    record LaunchPlan(List<String> command, Map<String, String> environment) {
        public LaunchPlan {
            command = List.copyOf(command);
            environment = Map.copyOf(environment);
        }
    }
}
