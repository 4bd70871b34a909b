package dev.spur.runtimes;

import dev.spur.common.FunctionConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code provided}, {@code provided.al2}, {@code provided.al2023}: the function brings its own runtime
 * as an executable {@code bootstrap} at the root of its code, which Spur execs with no interpreter.
 * Lambda sets no {@code AWS_EXECUTION_ENV} for these, and neither does Spur.
 */
record CustomRuntime(String id) implements LambdaRuntime {

    @Override
    public LaunchPlan plan(FunctionConfig function, Path taskRoot) {
        return new LaunchPlan(
                List.of(taskRoot.toAbsolutePath().resolve("bootstrap").toString()), Map.of());
    }
}
