package dev.spur.pools;

import dev.spur.common.FunctionConfig;
import dev.spur.runtimes.LambdaRuntime;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Everything needed to start environments for one function version: its configuration, runtime and code.
 *
 * @param layers the function's layers merged into one read-only tree (what Lambda shows at {@code /opt});
 *               empty when it has none
 */
public record Deployment(FunctionConfig config, LambdaRuntime runtime, Path taskRoot, Optional<Path> layers) {

    /** Without layers. */
    public Deployment(FunctionConfig config, LambdaRuntime runtime, Path taskRoot) {
        this(config, runtime, taskRoot, Optional.empty());
    }
}
