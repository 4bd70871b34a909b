package dev.spur.pools;

import dev.spur.common.FunctionConfig;
import dev.spur.runtimes.LambdaRuntime;
import java.nio.file.Path;

/** Everything needed to start environments for one function version: its configuration, runtime and code. */
public record Deployment(FunctionConfig config, LambdaRuntime runtime, Path taskRoot) {}
