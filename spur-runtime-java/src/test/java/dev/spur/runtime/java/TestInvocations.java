package dev.spur.runtime.java;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Contexts and events for tests, as a {@code next} response would produce them. */
final class TestInvocations {
    static final FunctionEnvironment FUNCTION = FunctionEnvironment.from(Map.of(
            "AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001",
            "_HANDLER", "fixtures.Echo",
            "LAMBDA_TASK_ROOT", Path.of(".").toAbsolutePath().toString(),
            "AWS_LAMBDA_FUNCTION_NAME", "my-function",
            "AWS_LAMBDA_FUNCTION_VERSION", "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512",
            "AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/my-function",
            "AWS_LAMBDA_LOG_STREAM_NAME", "2024/01/01/[$LATEST]0123"));

    private TestInvocations() {}

    static Invocation invocation(String event) {
        return new Invocation(
                "req-1",
                System.currentTimeMillis() + 3_000,
                "arn:aws:lambda:us-east-1:123456789012:function:my-function",
                null,
                null,
                null,
                bytes(event));
    }

    static InvocationContext context() {
        return new InvocationContext(FUNCTION, invocation("{}"));
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
