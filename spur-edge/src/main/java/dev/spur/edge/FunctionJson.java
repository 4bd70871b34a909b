package dev.spur.edge;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.FunctionConfig;
import dev.spur.common.Json;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Renders a function's configuration in Lambda's {@code FunctionConfiguration} wire shape. */
final class FunctionJson {
    /** Lambda's {@code LastModified}: {@code 2019-10-10T18:22:33.139+0000}. */
    private static final DateTimeFormatter LAST_MODIFIED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);

    private FunctionJson() {
    }

    static ObjectNode configuration(FunctionConfig fn) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("FunctionName", fn.key().name());
        node.put("FunctionArn", fn.version().equals("$LATEST") ? fn.arn() : fn.key().qualifiedArn(fn.version()));
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
            fn.environment().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                    .forEach(e -> variables.put(e.getKey(), e.getValue()));
        }
        node.putObject("TracingConfig").put("Mode", "PassThrough");
        node.put("RevisionId", fn.revisionId());
        node.put("State", fn.state().name());
        node.put("LastUpdateStatus", fn.lastUpdateStatus().name());
        node.put("PackageType", "Zip");
        ArrayNode architectures = node.putArray("Architectures");
        fn.architectures().forEach(architectures::add);
        node.putObject("EphemeralStorage").put("Size", fn.ephemeralStorage());
        ObjectNode snapStart = node.putObject("SnapStart");
        snapStart.put("ApplyOn", "None");
        snapStart.put("OptimizationStatus", "Off");
        ObjectNode logging = node.putObject("LoggingConfig");
        logging.put("LogFormat", "Text");
        logging.put("LogGroup", "/aws/lambda/" + fn.key().name());
        return node;
    }
}
