package dev.spur.runtimes;

import dev.spur.common.FunctionConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A runtime a function can name ({@code python3.12}, {@code nodejs20.x}, {@code java21}, {@code provided.al2023}). */
public interface LambdaRuntime {

    /** The Lambda identifier. */
    String id();

    /**
     * How to start this runtime for a function whose code is unpacked at {@code taskRoot}.
     * The scheduler adds Lambda's reserved variables and the function's own on top of
     * {@link LaunchPlan#environment()}.
     */
    LaunchPlan plan(FunctionConfig function, Path taskRoot);

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
