package dev.spur.edge;

import static dev.spur.edge.RequestParsing.base64;
import static dev.spur.edge.RequestParsing.bool;
import static dev.spur.edge.RequestParsing.environment;
import static dev.spur.edge.RequestParsing.integer;
import static dev.spur.edge.RequestParsing.nonEmpty;
import static dev.spur.edge.RequestParsing.object;
import static dev.spur.edge.RequestParsing.string;
import static dev.spur.edge.RequestParsing.strings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Caller;
import dev.spur.common.FunctionConfig;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.control.ControlResult;
import dev.spur.control.FunctionCommand;
import dev.spur.control.FunctionCommand.Unsupported;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The function resource of Lambda's REST API ({@code /2015-03-31/functions…}): parses each request
 * into a {@link FunctionCommand} and renders its {@link ControlResult}. No server state is touched
 * while parsing. (Invoke, on the same resource, is {@link InvokeApi}.)
 */
final class FunctionRoutes implements EdgeApi {
    /** Large enough for a 50 MB zip in base64 inside the JSON body. */
    static final int MAX_CONTROL_BODY = 70 * 1024 * 1024;
    /** Lambda's request limit for CreateFunction and UpdateFunctionCode (a 50 MB zip in base64, in JSON). */
    static final int MAX_CODE_REQUEST = 70_167_211;

    private static final String FUNCTIONS = "/2015-03-31/functions";

    private final ControlCalls calls;

    FunctionRoutes(ControlCalls calls) {
        this.calls = calls;
    }

    @Override
    public void register(Router router) {
        router.add("POST", FUNCTIONS, calls.answer(201, FunctionRoutes::create))
                .add("GET", FUNCTIONS, calls.answer(200, FunctionRoutes::list))
                .add(
                        "GET",
                        FUNCTIONS + "/{name}",
                        calls.answer(
                                200,
                                (x, c) -> new FunctionCommand.GetFunction(
                                        c, x.pathParameter("name"), x.query("Qualifier"))))
                .add(
                        "DELETE",
                        FUNCTIONS + "/{name}",
                        calls.answer(
                                204,
                                (x, c) -> new FunctionCommand.DeleteFunction(
                                        c, x.pathParameter("name"), x.query("Qualifier"))))
                .add(
                        "GET",
                        FUNCTIONS + "/{name}/configuration",
                        calls.answer(
                                200,
                                (x, c) -> new FunctionCommand.GetFunctionConfiguration(
                                        c, x.pathParameter("name"), x.query("Qualifier"))))
                .add(
                        "PUT",
                        FUNCTIONS + "/{name}/configuration",
                        calls.answer(200, (x, c) -> updateConfiguration(x, c, x.pathParameter("name"))))
                .add(
                        "PUT",
                        FUNCTIONS + "/{name}/code",
                        calls.answer(200, (x, c) -> updateCode(x, c, x.pathParameter("name"))));
    }

    static FunctionCommand create(Exchange req, Caller caller) throws IOException {
        JsonNode body = RequestParsing.jsonBody(req, MAX_CODE_REQUEST, "CreateFunction");
        JsonNode code = object(body, "Code").orElse(Json.MAPPER.createObjectNode());
        List<String> unsupported = new ArrayList<>(unsupportedCode(code));
        string(body, "PackageType").filter(t -> !t.equals("Zip")).ifPresent(t -> unsupported.add("PackageType " + t));
        for (String field : List.of("DeadLetterConfig", "FileSystemConfigs", "ImageConfig", "CodeSigningConfigArn")) {
            if (nonEmpty(body, field)) {
                unsupported.add(field);
            }
        }
        return new FunctionCommand.CreateFunction(
                caller,
                string(body, "FunctionName").orElse(""),
                string(body, "Runtime"),
                string(body, "Handler"),
                string(body, "Role"),
                string(body, "Description"),
                integer(body, "MemorySize"),
                integer(body, "Timeout"),
                environment(body),
                base64(code, "ZipFile"),
                new Unsupported(unsupported),
                strings(body, "Architectures"),
                ephemeralStorage(body),
                ReleaseRoutes.tags(body).orElse(Map.of()),
                bool(body, "Publish"),
                network(body),
                logging(body),
                strings(body, "Layers"),
                options(body));
    }

    static FunctionCommand updateCode(Exchange req, Caller caller, String name) throws IOException {
        JsonNode body = RequestParsing.jsonBody(req, MAX_CODE_REQUEST, "UpdateFunctionCode");
        List<String> unsupported = new ArrayList<>(unsupportedCode(body));
        return new FunctionCommand.UpdateFunctionCode(
                caller,
                name,
                base64(body, "ZipFile"),
                bool(body, "DryRun"),
                string(body, "RevisionId"),
                new Unsupported(unsupported),
                strings(body, "Architectures"),
                bool(body, "Publish"));
    }

    static FunctionCommand updateConfiguration(Exchange req, Caller caller, String name) throws IOException {
        JsonNode body = RequestParsing.jsonBody(req, MAX_CONTROL_BODY);
        List<String> unsupported = new ArrayList<>();
        for (String field : List.of("DeadLetterConfig", "FileSystemConfigs", "ImageConfig")) {
            if (nonEmpty(body, field)) {
                unsupported.add(field);
            }
        }
        return new FunctionCommand.UpdateFunctionConfiguration(
                caller,
                name,
                string(body, "Runtime"),
                string(body, "Handler"),
                string(body, "Role"),
                string(body, "Description"),
                integer(body, "MemorySize"),
                integer(body, "Timeout"),
                environment(body),
                string(body, "RevisionId"),
                new Unsupported(unsupported),
                ephemeralStorage(body),
                network(body),
                logging(body),
                strings(body, "Layers"),
                options(body));
    }

    static FunctionCommand list(Exchange req, Caller caller) {
        Optional<Integer> maxItems;
        try {
            maxItems = req.query("MaxItems").map(Integer::parseInt);
        } catch (NumberFormatException e) {
            throw LambdaException.invalid("MaxItems must be an integer.");
        }
        return new FunctionCommand.ListFunctions(caller, req.query("Marker"), maxItems, req.query("FunctionVersion"));
    }

    /** The body of a successful result, or null for none (204). */
    static byte[] render(ControlResult result, Links.Bound links) throws IOException {
        if (result instanceof ControlResult.Deleted) {
            return null;
        }
        return Json.MAPPER.writeValueAsBytes(
                switch (result) {
                    case ControlResult.Configuration c -> FunctionJson.configuration(c.config());
                    case ControlResult.FunctionWithCode c -> {
                        ObjectNode node = Json.MAPPER.createObjectNode();
                        node.set("Configuration", FunctionJson.configuration(c.config()));
                        ObjectNode code = node.putObject("Code");
                        code.put("RepositoryType", "S3");
                        code.put("Location", links.code(c.config().code().sha256Hex()));
                        if (!c.tags().isEmpty()) {
                            ObjectNode tags = node.putObject("Tags");
                            c.tags().forEach(tags::put);
                        }
                        c.reservedConcurrency()
                                .ifPresent(r -> node.putObject("Concurrency").put("ReservedConcurrentExecutions", r));
                        yield node;
                    }
                    case ControlResult.FunctionList l ->
                        list("Functions", l.functions(), FunctionJson::configuration, l.nextMarker());
                    case ControlResult.VersionList l ->
                        list("Versions", l.versions(), FunctionJson::configuration, l.nextMarker());
                    case ControlResult.AliasResult a -> FunctionJson.alias(a.function(), a.alias());
                    case ControlResult.AliasList l ->
                        list("Aliases", l.aliases(), a -> FunctionJson.alias(l.function(), a), l.nextMarker());
                    case ControlResult.Concurrency c -> {
                        ObjectNode node = Json.MAPPER.createObjectNode();
                        c.reserved().ifPresent(r -> node.put("ReservedConcurrentExecutions", r));
                        yield node;
                    }
                    case ControlResult.AccountSettings a -> FunctionJson.accountSettings(a);
                    case ControlResult.Provisioned p -> FunctionJson.provisioned(p.view(), false);
                    case ControlResult.ProvisionedList l ->
                        list(
                                "ProvisionedConcurrencyConfigs",
                                l.configs(),
                                v -> FunctionJson.provisioned(v, true),
                                l.nextMarker());
                    case ControlResult.Url u -> FunctionJson.url(u.function(), u.config(), links, !u.created());
                    case ControlResult.UrlList l ->
                        list(
                                "FunctionUrlConfigs",
                                l.urls(),
                                u -> FunctionJson.url(l.function(), u, links, true),
                                l.nextMarker());
                    case ControlResult.EventInvokeConfigResult e -> FunctionJson.eventInvokeConfig(e);
                    case ControlResult.EventInvokeConfigList l ->
                        list(
                                "FunctionEventInvokeConfigs",
                                l.configs(),
                                FunctionJson::eventInvokeConfig,
                                l.nextMarker());
                    case ControlResult.Tags t -> {
                        ObjectNode node = Json.MAPPER.createObjectNode();
                        ObjectNode tags = node.putObject("Tags");
                        t.tags().forEach(tags::put);
                        yield node;
                    }
                    case ControlResult.PermissionAdded p -> {
                        ObjectNode node = Json.MAPPER.createObjectNode();
                        node.put(
                                "Statement",
                                Json.MAPPER.writeValueAsString(PolicyRoutes.statement(p.resource(), p.statement())));
                        yield node;
                    }
                    case ControlResult.Policy p -> PolicyRoutes.policy(p);
                    case ControlResult.CodeSigning s -> {
                        ObjectNode node = Json.MAPPER.createObjectNode();
                        node.put("CodeSigningConfigArn", "");
                        node.put("FunctionName", s.functionName());
                        yield node;
                    }
                    case ControlResult.Recursion r ->
                        Json.MAPPER.createObjectNode().put("RecursiveLoop", r.recursiveLoop());
                    case ControlResult.RuntimeManagement r -> {
                        ObjectNode node = Json.MAPPER.createObjectNode();
                        node.put("UpdateRuntimeOn", r.setting().updateRuntimeOn());
                        node.put("FunctionArn", r.functionArn());
                        if (!r.setting().runtimeVersionArn().isEmpty()) {
                            node.put("RuntimeVersionArn", r.setting().runtimeVersionArn());
                        }
                        yield node;
                    }
                    case ControlResult.Deleted _ -> throw new IllegalStateException("answered above");
                });
    }

    private static <T> ObjectNode list(
            String field, List<T> items, Function<T, ObjectNode> render, Optional<String> nextMarker) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        ArrayNode array = node.putArray(field);
        items.forEach(i -> array.add(render.apply(i)));
        nextMarker.ifPresent(m -> node.put("NextMarker", m));
        return node;
    }

    private static List<String> unsupportedCode(JsonNode code) {
        List<String> out = new ArrayList<>();
        for (String field : List.of("S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri")) {
            if (nonEmpty(code, field)) {
                out.add("Code." + field);
            }
        }
        return out;
    }

    /** The members stored and echoed as sent (validated by the control plane). */
    private static FunctionCommand.OptionsChange options(JsonNode body) {
        Optional<JsonNode> vpc = object(body, "VpcConfig");
        return new FunctionCommand.OptionsChange(
                object(body, "TracingConfig").flatMap(t -> string(t, "Mode")),
                string(body, "KMSKeyArn"),
                vpc.map(v -> strings(v, "SubnetIds").orElse(List.of())),
                vpc.map(v -> strings(v, "SecurityGroupIds").orElse(List.of())),
                vpc.map(v -> v.path("Ipv6AllowedForDualStack").asBoolean(false)),
                object(body, "SnapStart").flatMap(s -> string(s, "ApplyOn")));
    }

    /** {@code LoggingConfig}: its members as sent (validated by the control plane). */
    private static Optional<FunctionCommand.LoggingChange> logging(JsonNode body) {
        return object(body, "LoggingConfig")
                .map(l -> new FunctionCommand.LoggingChange(
                        string(l, "LogFormat"),
                        string(l, "ApplicationLogLevel"),
                        string(l, "SystemLogLevel"),
                        string(l, "LogGroup")));
    }

    /** Spur's {@code SpurNetwork} member: {@code default} or {@code none}. */
    private static Optional<FunctionConfig.Network> network(JsonNode body) {
        return string(body, "SpurNetwork")
                .map(v -> FunctionConfig.Network.fromWire(v)
                        .orElseThrow(() -> LambdaException.invalid(
                                "1 validation error detected: Value '%s' at 'spurNetwork' failed to satisfy "
                                        + "constraint: Member must satisfy enum value set: [default, none]",
                                v)));
    }

    private static Optional<Integer> ephemeralStorage(JsonNode body) {
        return object(body, "EphemeralStorage").flatMap(e -> integer(e, "Size"));
    }
}
