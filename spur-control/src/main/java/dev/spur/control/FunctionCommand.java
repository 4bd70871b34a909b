package dev.spur.control;

import dev.spur.common.Caller;
import dev.spur.common.CorsConfig;
import dev.spur.common.FunctionConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The closed set of control-plane operations on functions. The edge parses a request into one of
 * these (no state touched while parsing); {@link ControlPlane#handle} executes it. Fields that a
 * request may omit are {@link Optional}; create and update are different types.
 */
public sealed interface FunctionCommand {

    Caller caller();

    record CreateFunction(
            Caller caller,
            String functionName,
            Optional<String> runtime,
            Optional<String> handler,
            Optional<String> role,
            Optional<String> description,
            Optional<Integer> memorySize,
            Optional<Integer> timeout,
            Optional<Map<String, String>> environment,
            Optional<byte[]> zipFile,
            Unsupported unsupported,
            Optional<List<String>> architectures,
            Optional<Integer> ephemeralStorage,
            Map<String, String> tags,
            boolean publish,
            Optional<FunctionConfig.Network> network,
            Optional<LoggingChange> logging,
            Optional<List<String>> layers,
            OptionsChange options)
            implements FunctionCommand {}

    record GetFunction(Caller caller, String functionName, Optional<String> qualifier) implements FunctionCommand {}

    record GetFunctionConfiguration(Caller caller, String functionName, Optional<String> qualifier)
            implements FunctionCommand {}

    record ListFunctions(
            Caller caller, Optional<String> marker, Optional<Integer> maxItems, Optional<String> functionVersion)
            implements FunctionCommand {}

    record UpdateFunctionCode(
            Caller caller,
            String functionName,
            Optional<byte[]> zipFile,
            boolean dryRun,
            Optional<String> revisionId,
            Unsupported unsupported,
            Optional<List<String>> architectures,
            boolean publish)
            implements FunctionCommand {}

    record UpdateFunctionConfiguration(
            Caller caller,
            String functionName,
            Optional<String> runtime,
            Optional<String> handler,
            Optional<String> role,
            Optional<String> description,
            Optional<Integer> memorySize,
            Optional<Integer> timeout,
            Optional<Map<String, String>> environment,
            Optional<String> revisionId,
            Unsupported unsupported,
            Optional<Integer> ephemeralStorage,
            Optional<FunctionConfig.Network> network,
            Optional<LoggingChange> logging,
            Optional<List<String>> layers,
            OptionsChange options)
            implements FunctionCommand {}

    /**
     * The members stored and echoed as sent ({@code TracingConfig.Mode}, {@code KMSKeyArn},
     * {@code VpcConfig}, {@code SnapStart.ApplyOn}); those absent keep their current values (a
     * {@code VpcConfig} replaces the whole attachment).
     */
    record OptionsChange(
            Optional<String> tracingMode,
            Optional<String> kmsKeyArn,
            Optional<List<String>> subnetIds,
            Optional<List<String>> securityGroupIds,
            Optional<Boolean> ipv6DualStack,
            Optional<String> snapStartApplyOn) {
        public static final OptionsChange NONE = new OptionsChange(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /** The members of a request's {@code LoggingConfig}; those absent keep their current values. */
    record LoggingChange(
            Optional<String> logFormat,
            Optional<String> applicationLogLevel,
            Optional<String> systemLogLevel,
            Optional<String> logGroup) {}

    record DeleteFunction(Caller caller, String functionName, Optional<String> qualifier) implements FunctionCommand {}

    record PublishVersion(
            Caller caller,
            String functionName,
            Optional<String> codeSha256,
            Optional<String> description,
            Optional<String> revisionId)
            implements FunctionCommand {}

    record ListVersions(Caller caller, String functionName, Optional<String> marker, Optional<Integer> maxItems)
            implements FunctionCommand {}

    record CreateAlias(
            Caller caller,
            String functionName,
            String name,
            Optional<String> functionVersion,
            Optional<String> description,
            Optional<Map<String, Double>> routing)
            implements FunctionCommand {}

    record GetAlias(Caller caller, String functionName, String name) implements FunctionCommand {}

    record UpdateAlias(
            Caller caller,
            String functionName,
            String name,
            Optional<String> functionVersion,
            Optional<String> description,
            Optional<Map<String, Double>> routing,
            Optional<String> revisionId)
            implements FunctionCommand {}

    record DeleteAlias(Caller caller, String functionName, String name) implements FunctionCommand {}

    record ListAliases(
            Caller caller,
            String functionName,
            Optional<String> functionVersion,
            Optional<String> marker,
            Optional<Integer> maxItems)
            implements FunctionCommand {}

    record PutFunctionConcurrency(Caller caller, String functionName, Optional<Integer> reserved)
            implements FunctionCommand {}

    record GetFunctionConcurrency(Caller caller, String functionName) implements FunctionCommand {}

    record DeleteFunctionConcurrency(Caller caller, String functionName) implements FunctionCommand {}

    record GetAccountSettings(Caller caller) implements FunctionCommand {}

    record PutProvisionedConcurrency(
            Caller caller, String functionName, Optional<String> qualifier, Optional<Integer> count)
            implements FunctionCommand {}

    record GetProvisionedConcurrency(Caller caller, String functionName, Optional<String> qualifier)
            implements FunctionCommand {}

    record DeleteProvisionedConcurrency(Caller caller, String functionName, Optional<String> qualifier)
            implements FunctionCommand {}

    record ListProvisionedConcurrency(
            Caller caller, String functionName, Optional<String> marker, Optional<Integer> maxItems)
            implements FunctionCommand {}

    /** Create (absent fields take defaults) or update (absent fields stay) a function URL. */
    record PutFunctionUrl(
            Caller caller,
            String functionName,
            Optional<String> qualifier,
            boolean create,
            Optional<String> authType,
            Optional<Optional<CorsConfig>> cors,
            Optional<String> invokeMode)
            implements FunctionCommand {}

    record GetFunctionUrl(Caller caller, String functionName, Optional<String> qualifier) implements FunctionCommand {}

    record DeleteFunctionUrl(Caller caller, String functionName, Optional<String> qualifier)
            implements FunctionCommand {}

    record ListFunctionUrls(Caller caller, String functionName, Optional<String> marker, Optional<Integer> maxItems)
            implements FunctionCommand {}

    /**
     * PutFunctionEventInvokeConfig ({@code merge} false: absent fields take defaults) or
     * UpdateFunctionEventInvokeConfig ({@code merge} true: absent fields stay). A destination given as
     * an empty {@code Optional} inside the outer one clears it.
     */
    record PutEventInvokeConfig(
            Caller caller,
            String functionName,
            Optional<String> qualifier,
            boolean merge,
            Optional<Integer> maximumRetryAttempts,
            Optional<Integer> maximumEventAgeSeconds,
            Optional<Optional<String>> onSuccess,
            Optional<Optional<String>> onFailure)
            implements FunctionCommand {}

    record GetEventInvokeConfig(Caller caller, String functionName, Optional<String> qualifier)
            implements FunctionCommand {}

    record DeleteEventInvokeConfig(Caller caller, String functionName, Optional<String> qualifier)
            implements FunctionCommand {}

    record ListEventInvokeConfigs(
            Caller caller, String functionName, Optional<String> marker, Optional<Integer> maxItems)
            implements FunctionCommand {}

    /** AddPermission: a statement of the function's (or a qualifier's) resource-based policy. */
    record AddPermission(
            Caller caller,
            String functionName,
            Optional<String> qualifier,
            String statementId,
            String action,
            String principal,
            Optional<String> sourceArn,
            Optional<String> sourceAccount,
            Optional<String> principalOrgId,
            Optional<String> functionUrlAuthType,
            Optional<String> eventSourceToken,
            Optional<String> revisionId)
            implements FunctionCommand {}

    record RemovePermission(
            Caller caller,
            String functionName,
            Optional<String> qualifier,
            String statementId,
            Optional<String> revisionId)
            implements FunctionCommand {}

    record GetPolicy(Caller caller, String functionName, Optional<String> qualifier) implements FunctionCommand {}

    record GetCodeSigningConfig(Caller caller, String functionName) implements FunctionCommand {}

    /** Get ({@code recursiveLoop} empty) or PutFunctionRecursionConfig. */
    record RecursionConfig(Caller caller, String functionName, Optional<String> recursiveLoop)
            implements FunctionCommand {}

    /** Get ({@code updateRuntimeOn} empty) or PutRuntimeManagementConfig. */
    record RuntimeManagementConfig(
            Caller caller,
            String functionName,
            Optional<String> qualifier,
            Optional<String> updateRuntimeOn,
            Optional<String> runtimeVersionArn)
            implements FunctionCommand {}

    record TagResource(Caller caller, String resource, Map<String, String> tags) implements FunctionCommand {}

    record UntagResource(Caller caller, String resource, List<String> tagKeys) implements FunctionCommand {}

    record ListTags(Caller caller, String resource) implements FunctionCommand {}

    /**
     * Parameters Lambda accepts that this server does not implement yet, by wire name. A command with
     * any of them set is refused with a message naming them, rather than silently ignored.
     */
    record Unsupported(List<String> names) {
        public static final Unsupported NONE = new Unsupported(List.of());

        public Unsupported {
            names = List.copyOf(names);
        }
    }
}
