package dev.spur.control;

import dev.spur.common.Alias;
import dev.spur.common.EventInvokeConfig;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.FunctionSettings;
import dev.spur.common.FunctionUrlConfig;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a {@link FunctionCommand} produced; the edge renders each in Lambda's wire shape. */
public sealed interface ControlResult {

    /** A function's configuration (create, get configuration, updates, publish). */
    record Configuration(FunctionConfig config) implements ControlResult {}

    /** GetFunction: the configuration, where its code package can be downloaded, tags and concurrency. */
    record FunctionWithCode(FunctionConfig config, Map<String, String> tags, Optional<Integer> reservedConcurrency)
            implements ControlResult {}

    record FunctionList(List<FunctionConfig> functions, Optional<String> nextMarker) implements ControlResult {}

    record VersionList(List<FunctionConfig> versions, Optional<String> nextMarker) implements ControlResult {}

    record AliasResult(FunctionKey function, Alias alias) implements ControlResult {}

    record AliasList(FunctionKey function, List<Alias> aliases, Optional<String> nextMarker) implements ControlResult {}

    /** Reserved concurrency; empty renders as an empty object, as Lambda answers for none. */
    record Concurrency(Optional<Integer> reserved) implements ControlResult {}

    /** GetAccountSettings, with Lambda's limits and this account's true usage. */
    record AccountSettings(
            long totalCodeSizeLimit,
            long codeSizeUnzipped,
            long codeSizeZipped,
            int concurrentExecutions,
            int unreservedConcurrentExecutions,
            long totalCodeSize,
            long functionCount)
            implements ControlResult {}

    record Provisioned(ProvisionedView view) implements ControlResult {}

    record ProvisionedList(List<ProvisionedView> configs, Optional<String> nextMarker) implements ControlResult {}

    /** A provisioned concurrency configuration with its live progress. */
    record ProvisionedView(
            String functionArn,
            int requested,
            int available,
            int allocated,
            String status,
            Optional<String> statusReason,
            Instant lastModified) {}

    /** A function URL; {@code created} answers 201 without LastModifiedTime, as CreateFunctionUrlConfig does. */
    record Url(FunctionKey function, FunctionUrlConfig config, boolean created) implements ControlResult {}

    record UrlList(FunctionKey function, List<FunctionUrlConfig> urls, Optional<String> nextMarker)
            implements ControlResult {}

    /** A qualifier's asynchronous invocation settings. */
    record EventInvokeConfigResult(String functionArn, EventInvokeConfig config) implements ControlResult {}

    record EventInvokeConfigList(List<EventInvokeConfigResult> configs, Optional<String> nextMarker)
            implements ControlResult {}

    record Tags(Map<String, String> tags) implements ControlResult {}

    /** AddPermission's answer: the statement added, on the resource (function or qualified ARN). */
    record PermissionAdded(String resource, FunctionSettings.PolicyStatement statement) implements ControlResult {}

    /** GetPolicy's answer. */
    record Policy(String resource, FunctionSettings.ResourcePolicy policy) implements ControlResult {}

    /** GetFunctionCodeSigningConfig's answer: a function without a code-signing configuration. */
    record CodeSigning(String functionName) implements ControlResult {}

    record Recursion(String recursiveLoop) implements ControlResult {}

    /** Get/PutRuntimeManagementConfig's answer; {@code functionArn} is what Put returns. */
    record RuntimeManagement(String functionArn, FunctionSettings.RuntimeManagement setting) implements ControlResult {}

    /** Deletions and other operations that answer with no body (204). */
    record Deleted() implements ControlResult {}
}
