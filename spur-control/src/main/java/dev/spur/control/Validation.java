package dev.spur.control;

import static dev.spur.common.LambdaException.requireValid;

import dev.spur.common.FunctionOptions;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.common.LoggingConfig;
import dev.spur.runtimes.Runtimes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Lambda's limits on function parameters, with AWS's wording where it has one. */
public final class Validation {
    static final int MIN_MEMORY = 128;
    static final int MAX_MEMORY = 10_240;
    static final int MIN_TIMEOUT = 1;
    static final int MAX_TIMEOUT = 900;
    static final int MIN_EPHEMERAL = 512;
    static final int MAX_EPHEMERAL = 10_240;
    static final int MAX_ENVIRONMENT_BYTES = 4096;
    static final int MAX_DESCRIPTION = 256;

    private static final Pattern ROLE =
            Pattern.compile("arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+");
    private static final Pattern HANDLER = Pattern.compile("[^\\s]{1,128}");
    private static final Pattern ENV_KEY = Pattern.compile("[a-zA-Z]([a-zA-Z0-9_])+");
    /** Variables Lambda sets itself and refuses to let a function override. */
    static final Set<String> RESERVED_KEYS = Set.of(
            "_HANDLER",
            "_X_AMZN_TRACE_ID",
            "AWS_DEFAULT_REGION",
            "AWS_REGION",
            "AWS_EXECUTION_ENV",
            "AWS_LAMBDA_FUNCTION_NAME",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            "AWS_LAMBDA_FUNCTION_VERSION",
            "AWS_LAMBDA_INITIALIZATION_TYPE",
            "AWS_LAMBDA_LOG_GROUP_NAME",
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "AWS_ACCESS_KEY",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_LAMBDA_RUNTIME_API",
            "LAMBDA_TASK_ROOT",
            "LAMBDA_RUNTIME_DIR");

    private Validation() {}

    static void memorySize(int mb) {
        requireValid(
                mb >= MIN_MEMORY && mb <= MAX_MEMORY,
                "1 validation error detected: Value '%d' at 'memorySize' "
                        + "failed to satisfy constraint: Member must have value between %d and %d",
                mb,
                MIN_MEMORY,
                MAX_MEMORY);
    }

    static void timeout(int seconds) {
        requireValid(
                seconds >= MIN_TIMEOUT && seconds <= MAX_TIMEOUT,
                "1 validation error detected: Value '%d' at "
                        + "'timeout' failed to satisfy constraint: Member must have value between %d and %d",
                seconds,
                MIN_TIMEOUT,
                MAX_TIMEOUT);
    }

    private static final Pattern LOG_GROUP = Pattern.compile("[.\\-_/#A-Za-z0-9]{1,512}");

    /**
     * A function's logging configuration after a request's {@code LoggingConfig}: members it omits keep
     * their values; JSON without levels gets {@code INFO} for both; a level with {@code Text} is
     * refused with Lambda's words, and a change to {@code Text} drops the levels.
     */
    static LoggingConfig logging(LoggingConfig current, Optional<FunctionCommand.LoggingChange> request) {
        if (request.isEmpty()) {
            return current;
        }
        FunctionCommand.LoggingChange c = request.get();
        c.logFormat().ifPresent(f -> oneOf("loggingConfig.logFormat", f, LoggingConfig.FORMATS));
        c.applicationLogLevel()
                .ifPresent(l -> oneOf("loggingConfig.applicationLogLevel", l, LoggingConfig.APPLICATION_LEVELS));
        c.systemLogLevel().ifPresent(l -> oneOf("loggingConfig.systemLogLevel", l, LoggingConfig.SYSTEM_LEVELS));
        c.logGroup()
                .ifPresent(g -> requireValid(
                        LOG_GROUP.matcher(g).matches(),
                        "1 validation error detected: Value '%s' at 'loggingConfig.logGroup' failed to satisfy "
                                + "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
                        g));
        String format = c.logFormat().orElse(current.logFormat());
        String group = c.logGroup().orElse(current.logGroup());
        if (!format.equals(LoggingConfig.JSON)) {
            requireValid(
                    c.applicationLogLevel().isEmpty() && c.systemLogLevel().isEmpty(),
                    "LogLevel is not supported when LogFormat is set to \"Text\". Remove LogLevel from your "
                            + "request or change the LogFormat to \"Json\" and try again.");
            return new LoggingConfig(format, "", "", group);
        }
        return new LoggingConfig(
                format,
                c.applicationLogLevel()
                        .orElse(current.applicationLogLevel().isEmpty() ? "INFO" : current.applicationLogLevel()),
                c.systemLogLevel().orElse(current.systemLogLevel().isEmpty() ? "INFO" : current.systemLogLevel()),
                group);
    }

    private static void oneOf(String member, String value, List<String> values) {
        requireValid(
                values.contains(value),
                "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy "
                        + "enum value set: %s",
                value,
                member,
                values);
    }

    static void ephemeralStorage(int mb) {
        requireValid(
                mb >= MIN_EPHEMERAL && mb <= MAX_EPHEMERAL,
                "1 validation error detected: Value '%d' at "
                        + "'ephemeralStorage.size' failed to satisfy constraint: Member must have value between %d and %d",
                mb,
                MIN_EPHEMERAL,
                MAX_EPHEMERAL);
    }

    public static void description(String text) {
        requireValid(
                text.length() <= MAX_DESCRIPTION,
                "1 validation error detected: Value at 'description' failed "
                        + "to satisfy constraint: Member must have length less than or equal to %d",
                MAX_DESCRIPTION);
    }

    static void role(String role) {
        requireValid(
                ROLE.matcher(role).matches(),
                "1 validation error detected: Value '%s' at 'role' failed to "
                        + "satisfy constraint: Member must satisfy regular expression pattern: %s",
                role,
                ROLE.pattern());
    }

    static void handler(String handler) {
        requireValid(
                HANDLER.matcher(handler).matches(),
                "1 validation error detected: Value '%s' at 'handler' failed "
                        + "to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+ and have length "
                        + "at most 128",
                handler);
    }

    static void runtime(String runtime, Runtimes runtimes) {
        if (runtimes.find(runtime).isEmpty()) {
            throw LambdaException.invalid(
                    "Value %s at 'runtime' is not a runtime this Spur server can run. " + "Supported runtimes: %s",
                    runtime, String.join(", ", runtimes.ids()));
        }
    }

    static void handlerRequired(String runtime, String handler) {
        if (!runtime.startsWith("provided")) {
            requireValid(!handler.isEmpty(), "The Handler parameter is required for runtime %s.", runtime);
        }
    }

    static void architectures(List<String> architectures) {
        requireValid(
                architectures.size() == 1,
                "1 validation error detected: Value '%s' at 'architectures' failed "
                        + "to satisfy constraint: Member must have length 1",
                architectures);
        requireValid(
                architectures.getFirst().equals("x86_64"),
                "Architecture %s is not supported by this Spur " + "server; it runs x86_64 functions.",
                architectures.getFirst());
    }

    static void environment(Map<String, String> variables) {
        Set<String> reserved = new TreeSet<>();
        for (var entry : variables.entrySet()) {
            requireValid(
                    ENV_KEY.matcher(entry.getKey()).matches(),
                    "Environment variable name %s is invalid: names "
                            + "must start with a letter and contain only letters, numbers and underscores.",
                    entry.getKey());
            requireValid(entry.getValue() != null, "Environment variable %s has no value.", entry.getKey());
            if (RESERVED_KEYS.contains(entry.getKey())) {
                reserved.add(entry.getKey());
            }
        }
        requireValid(
                reserved.isEmpty(),
                "Lambda was unable to configure your environment variables because the "
                        + "environment variables you have provided contains reserved keys that are currently not supported "
                        + "for modification. Reserved keys used in this request: %s",
                String.join(", ", reserved));
        int size;
        try {
            size = Json.MAPPER.writeValueAsBytes(variables).length;
        } catch (Exception e) {
            throw LambdaException.invalid("Environment variables cannot be encoded.");
        }
        requireValid(
                size <= MAX_ENVIRONMENT_BYTES,
                "Lambda was unable to configure your environment variables "
                        + "because the environment variables you have provided exceeded the 4KB limit. String measured: %d "
                        + "bytes",
                size);
    }

    private static final Pattern KMS_KEY = Pattern.compile("(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()");

    /** The options after {@code change}: validated as Lambda validates them, absent members kept. */
    static FunctionOptions options(FunctionOptions current, FunctionCommand.OptionsChange change) {
        change.tracingMode().ifPresent(m -> oneOf("tracingConfig.mode", m, List.of("Active", "PassThrough")));
        change.snapStartApplyOn().ifPresent(a -> oneOf("snapStart.applyOn", a, List.of("PublishedVersions", "None")));
        change.kmsKeyArn()
                .ifPresent(k -> requireValid(
                        KMS_KEY.matcher(k).matches(),
                        "1 validation error detected: Value '%s' at 'kMSKeyArn' failed to satisfy constraint: Member "
                                + "must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()",
                        k));
        change.subnetIds()
                .ifPresent(s -> requireValid(
                        s.size() <= 16,
                        "1 validation error detected: Value '%s' at 'vpcConfig.subnetIds' failed to satisfy "
                                + "constraint: Member must have length less than or equal to 16",
                        s));
        change.securityGroupIds()
                .ifPresent(s -> requireValid(
                        s.size() <= 5,
                        "1 validation error detected: Value '%s' at 'vpcConfig.securityGroupIds' failed to satisfy "
                                + "constraint: Member must have length less than or equal to 5",
                        s));
        boolean vpc = change.subnetIds().isPresent()
                || change.securityGroupIds().isPresent()
                || change.ipv6DualStack().isPresent();
        return new FunctionOptions(
                change.tracingMode().orElse(current.tracingMode()),
                change.kmsKeyArn().orElse(current.kmsKeyArn()),
                vpc ? change.subnetIds().orElse(List.of()) : current.subnetIds(),
                vpc ? change.securityGroupIds().orElse(List.of()) : current.securityGroupIds(),
                vpc ? change.ipv6DualStack().orElse(false) : current.ipv6DualStack(),
                change.snapStartApplyOn().orElse(current.snapStartApplyOn()));
    }

    static void supported(FunctionCommand.Unsupported unsupported) {
        requireValid(
                unsupported.names().isEmpty(),
                "This Spur server does not support %s yet.",
                String.join(", ", unsupported.names()));
    }
}
