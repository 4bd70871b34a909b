package dev.spur.edge;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Alias;
import dev.spur.common.CorsConfig;
import dev.spur.common.EventInvokeConfig;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.FunctionUrlConfig;
import dev.spur.common.Json;
import dev.spur.control.ControlResult;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/** Renders control-plane results in Lambda's wire shapes ({@code FunctionConfiguration}, aliases, URLs, ...). */
final class FunctionJson {
    /** Lambda's {@code LastModified}: {@code 2019-10-10T18:22:33.139+0000}. */
    private static final DateTimeFormatter LAST_MODIFIED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);
    /** Provisioned concurrency's {@code LastModified}: {@code 2019-12-31T20:28:49+0000}. */
    private static final DateTimeFormatter ISO_SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ").withZone(ZoneOffset.UTC);

    private FunctionJson() {}

    static ObjectNode configuration(FunctionConfig fn) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("FunctionName", fn.key().name());
        node.put(
                "FunctionArn",
                fn.version().equals("$LATEST") ? fn.arn() : fn.key().qualifiedArn(fn.version()));
        node.put("Runtime", fn.runtime());
        node.put("Role", fn.role());
        node.put("Handler", fn.handler());
        node.put("CodeSize", fn.code().size());
        node.put("Description", fn.description());
        node.put("Timeout", fn.timeout());
        node.put("MemorySize", fn.memorySize());
        node.put("LastModified", LAST_MODIFIED.format(fn.lastModified()));
        node.put("CodeSha256", fn.code().sha256Base64());
        node.put("Version", fn.version());
        if (!fn.environment().isEmpty()) {
            ObjectNode variables = node.putObject("Environment").putObject("Variables");
            fn.environment().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> variables.put(e.getKey(), e.getValue()));
        }
        if (!fn.layers().isEmpty()) {
            ArrayNode layers = node.putArray("Layers");
            fn.layers().forEach(l -> layers.addObject().put("Arn", l.arn()).put("CodeSize", l.codeSize()));
        }
        node.putObject("TracingConfig").put("Mode", fn.options().tracingMode());
        if (!fn.options().kmsKeyArn().isEmpty()) {
            node.put("KMSKeyArn", fn.options().kmsKeyArn());
        }
        if (fn.options().hasVpc()) {
            ObjectNode vpc = node.putObject("VpcConfig");
            fn.options().subnetIds().forEach(vpc.putArray("SubnetIds")::add);
            ArrayNode groups = vpc.putArray("SecurityGroupIds");
            fn.options().securityGroupIds().forEach(groups::add);
            vpc.put("VpcId", "");
            vpc.put("Ipv6AllowedForDualStack", fn.options().ipv6DualStack());
        }
        node.put("RevisionId", fn.revisionId());
        node.put("State", fn.state().name());
        node.put("LastUpdateStatus", fn.lastUpdateStatus().name());
        node.put("PackageType", "Zip");
        ArrayNode architectures = node.putArray("Architectures");
        fn.architectures().forEach(architectures::add);
        node.putObject("EphemeralStorage").put("Size", fn.ephemeralStorage());
        if (fn.network() != FunctionConfig.Network.DEFAULT) { // Spur's own member, absent for the Lambda default
            node.put("SpurNetwork", fn.network().wire());
        }
        ObjectNode snapStart = node.putObject("SnapStart");
        snapStart.put("ApplyOn", fn.options().snapStartApplyOn());
        // On only for a published version of a function that applies it, as Lambda reports it.
        snapStart.put(
                "OptimizationStatus",
                fn.options().snapStartApplyOn().equals("PublishedVersions")
                                && !fn.version().equals("$LATEST")
                        ? "On"
                        : "Off");
        ObjectNode logging = node.putObject("LoggingConfig");
        logging.put("LogFormat", fn.logging().logFormat());
        if (!fn.logging().applicationLogLevel().isEmpty()) {
            logging.put("ApplicationLogLevel", fn.logging().applicationLogLevel());
        }
        if (!fn.logging().systemLogLevel().isEmpty()) {
            logging.put("SystemLogLevel", fn.logging().systemLogLevel());
        }
        logging.put("LogGroup", fn.logging().logGroup(fn.key()));
        return node;
    }

    static ObjectNode alias(FunctionKey function, Alias alias) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("AliasArn", alias.arn(function));
        node.put("Name", alias.name());
        node.put("FunctionVersion", alias.functionVersion());
        node.put("Description", alias.description());
        if (!alias.additionalVersionWeights().isEmpty()) {
            ObjectNode weights = node.putObject("RoutingConfig").putObject("AdditionalVersionWeights");
            alias.additionalVersionWeights().forEach(weights::put);
        }
        node.put("RevisionId", alias.revisionId());
        return node;
    }

    static ObjectNode accountSettings(ControlResult.AccountSettings a) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        ObjectNode limit = node.putObject("AccountLimit");
        limit.put("TotalCodeSize", a.totalCodeSizeLimit());
        limit.put("CodeSizeUnzipped", a.codeSizeUnzipped());
        limit.put("CodeSizeZipped", a.codeSizeZipped());
        limit.put("ConcurrentExecutions", a.concurrentExecutions());
        limit.put("UnreservedConcurrentExecutions", a.unreservedConcurrentExecutions());
        ObjectNode usage = node.putObject("AccountUsage");
        usage.put("TotalCodeSize", a.totalCodeSize());
        usage.put("FunctionCount", a.functionCount());
        return node;
    }

    /** A provisioned concurrency configuration; list entries also name the version or alias ARN. */
    static ObjectNode provisioned(ControlResult.ProvisionedView v, boolean withArn) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        if (withArn) {
            node.put("FunctionArn", v.functionArn());
        }
        node.put("RequestedProvisionedConcurrentExecutions", v.requested());
        node.put("AvailableProvisionedConcurrentExecutions", v.available());
        node.put("AllocatedProvisionedConcurrentExecutions", v.allocated());
        node.put("Status", v.status());
        v.statusReason().ifPresent(r -> node.put("StatusReason", r));
        node.put("LastModified", ISO_SECONDS.format(v.lastModified()));
        return node;
    }

    /** A function URL configuration; CreateFunctionUrlConfig's answer has no LastModifiedTime. */
    static ObjectNode url(FunctionKey function, FunctionUrlConfig config, Links.Bound links, boolean withLastModified) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("FunctionUrl", links.functionUrl(function.region(), config.urlId()));
        node.put(
                "FunctionArn",
                config.qualifier().isEmpty() ? function.arn() : function.qualifiedArn(config.qualifier()));
        node.put("AuthType", config.authType());
        if (config.cors() != null) {
            CorsConfig cors = config.cors();
            ObjectNode c = node.putObject("Cors");
            c.put("AllowCredentials", cors.allowCredentials());
            strings(c.putArray("AllowHeaders"), cors.allowHeaders());
            strings(c.putArray("AllowMethods"), cors.allowMethods());
            strings(c.putArray("AllowOrigins"), cors.allowOrigins());
            strings(c.putArray("ExposeHeaders"), cors.exposeHeaders());
            c.put("MaxAge", cors.maxAge());
        }
        node.put("CreationTime", config.creationTime().toString());
        if (withLastModified) {
            node.put("LastModifiedTime", config.lastModifiedTime().toString());
        }
        node.put("InvokeMode", config.invokeMode());
        return node;
    }

    /** {@code FunctionEventInvokeConfig}; {@code LastModified} is epoch seconds, as Lambda's timestamp type. */
    static ObjectNode eventInvokeConfig(ControlResult.EventInvokeConfigResult result) {
        EventInvokeConfig config = result.config();
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("LastModified", config.lastModified().toEpochMilli() / 1000.0);
        node.put("FunctionArn", result.functionArn());
        node.put("MaximumRetryAttempts", config.maximumRetryAttempts());
        node.put("MaximumEventAgeInSeconds", config.maximumEventAgeSeconds());
        ObjectNode destinations = node.putObject("DestinationConfig");
        ObjectNode onSuccess = destinations.putObject("OnSuccess");
        if (config.onSuccess() != null) {
            onSuccess.put("Destination", config.onSuccess());
        }
        ObjectNode onFailure = destinations.putObject("OnFailure");
        if (config.onFailure() != null) {
            onFailure.put("Destination", config.onFailure());
        }
        return node;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
