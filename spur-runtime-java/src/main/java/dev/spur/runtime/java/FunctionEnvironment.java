package dev.spur.runtime.java;

import java.nio.file.Path;
import java.util.Map;

/**
 * What the runtime reads from its environment once, at start: where the code is, which handler to
 * load, and the function identity every {@link InvocationContext} reports.
 */
record FunctionEnvironment(
        String runtimeApi,
        String handler,
        Path taskRoot,
        String functionName,
        String functionVersion,
        int memoryMb,
        String logGroupName,
        String logStreamName) {

    static FunctionEnvironment from(Map<String, String> env) {
        String memory = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
        return new FunctionEnvironment(
                env.get("AWS_LAMBDA_RUNTIME_API"),
                env.getOrDefault("_HANDLER", ""),
                Path.of(env.getOrDefault("LAMBDA_TASK_ROOT", ".")).toAbsolutePath(),
                env.get("AWS_LAMBDA_FUNCTION_NAME"),
                env.get("AWS_LAMBDA_FUNCTION_VERSION"),
                memory == null || memory.isEmpty() ? 128 : Integer.parseInt(memory.trim()),
                env.get("AWS_LAMBDA_LOG_GROUP_NAME"),
                env.get("AWS_LAMBDA_LOG_STREAM_NAME"));
    }
}
