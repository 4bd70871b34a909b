package dev.spur.edge;

import static dev.spur.edge.RequestParsing.base64;
import static dev.spur.edge.RequestParsing.nonEmpty;
import static dev.spur.edge.RequestParsing.object;
import static dev.spur.edge.RequestParsing.string;
import static dev.spur.edge.RequestParsing.strings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Caller;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.common.LayerVersion;
import dev.spur.control.LayerCommand;
import dev.spur.control.LayerResult;
import java.io.IOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The layer resource of Lambda's REST API ({@code /2018-10-31/layers…}): parses each request into a
 * {@link LayerCommand} and renders its {@link LayerResult} in the shapes of Lambda's service model
 * ({@code PublishLayerVersionResponse}, {@code LayersListItem}, policies as JSON strings). No server
 * state is touched while parsing.
 */
final class LayerRoutes implements EdgeApi {
    private static final String LAYERS = "/2018-10-31/layers";
    private static final String VERSION = LAYERS + "/{name}/versions/{version}";
    /** {@code CreatedDate}: {@code 2018-11-14T23:03:52.894+0000}, as a function's {@code LastModified}. */
    private static final DateTimeFormatter CREATED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);

    private final ControlCalls calls;

    LayerRoutes(ControlCalls calls) {
        this.calls = calls;
    }

    @Override
    public void register(Router router) {
        router.add("GET", LAYERS, calls.answerLayer(200, LayerRoutes::listOrFind))
                .add("POST", LAYERS + "/{name}/versions", calls.answerLayer(201, LayerRoutes::publish))
                .add(
                        "GET",
                        LAYERS + "/{name}/versions",
                        calls.answerLayer(
                                200,
                                (x, c) -> new LayerCommand.ListVersions(
                                        c,
                                        x.pathParameter("name"),
                                        x.query("CompatibleRuntime"),
                                        x.query("CompatibleArchitecture"),
                                        x.query("Marker"),
                                        maxItems(x))))
                .add(
                        "GET",
                        VERSION,
                        calls.answerLayer(200, (x, c) -> new LayerCommand.Get(c, x.pathParameter("name"), version(x))))
                .add(
                        "DELETE",
                        VERSION,
                        calls.answerLayer(
                                204, (x, c) -> new LayerCommand.Delete(c, x.pathParameter("name"), version(x))))
                .add("POST", VERSION + "/policy", calls.answerLayer(201, LayerRoutes::addPermission))
                .add(
                        "GET",
                        VERSION + "/policy",
                        calls.answerLayer(
                                200, (x, c) -> new LayerCommand.GetPolicy(c, x.pathParameter("name"), version(x))))
                .add(
                        "DELETE",
                        VERSION + "/policy/{sid}",
                        calls.answerLayer(
                                204,
                                (x, c) -> new LayerCommand.RemovePermission(
                                        c,
                                        x.pathParameter("name"),
                                        version(x),
                                        x.pathParameter("sid"),
                                        x.query("RevisionId"))));
    }

    /** {@code GET /2018-10-31/layers}: ListLayers, or GetLayerVersionByArn with {@code ?find=LayerVersion&Arn=…}. */
    static LayerCommand listOrFind(Exchange x, Caller caller) {
        if (x.query("find").isPresent()) {
            LambdaException.requireValid(
                    x.query("find").get().equals("LayerVersion"),
                    "Unsupported find: %s",
                    x.query("find").get());
            String arn = x.query("Arn")
                    .orElseThrow(() -> LambdaException.invalid(
                            "1 validation error detected: Value null at 'arn' failed to satisfy constraint: Member "
                                    + "must not be null"));
            return new LayerCommand.GetByArn(caller, arn);
        }
        return new LayerCommand.ListLayers(
                caller,
                x.query("CompatibleRuntime"),
                x.query("CompatibleArchitecture"),
                x.query("Marker"),
                maxItems(x));
    }

    static LayerCommand publish(Exchange x, Caller caller) throws IOException {
        JsonNode body = RequestParsing.jsonBody(x, FunctionRoutes.MAX_CONTROL_BODY);
        JsonNode content = object(body, "Content").orElse(Json.MAPPER.createObjectNode());
        List<String> unsupported = new ArrayList<>();
        for (String field : List.of("S3Bucket", "S3Key", "S3ObjectVersion")) {
            if (nonEmpty(content, field)) {
                unsupported.add("Content." + field);
            }
        }
        return new LayerCommand.Publish(
                caller,
                x.pathParameter("name"),
                base64(content, "ZipFile"),
                unsupported,
                string(body, "Description"),
                string(body, "LicenseInfo"),
                strings(body, "CompatibleRuntimes"),
                strings(body, "CompatibleArchitectures"));
    }

    static LayerCommand addPermission(Exchange x, Caller caller) throws IOException {
        JsonNode body = RequestParsing.jsonBody(x, FunctionRoutes.MAX_CONTROL_BODY);
        return new LayerCommand.AddPermission(
                caller,
                x.pathParameter("name"),
                version(x),
                required(body, "StatementId", "statementId"),
                required(body, "Action", "action"),
                required(body, "Principal", "principal"),
                string(body, "OrganizationId"),
                x.query("RevisionId"));
    }

    private static String required(JsonNode body, String field, String member) {
        return string(body, field)
                .orElseThrow(() -> LambdaException.invalid(
                        "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must "
                                + "not be null",
                        member));
    }

    private static long version(Exchange x) {
        String text = x.pathParameter("version");
        try {
            long version = Long.parseLong(text);
            if (version >= 1) {
                return version;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw LambdaException.invalid(
                "1 validation error detected: Value '%s' at 'versionNumber' failed to satisfy constraint: Member must "
                        + "be a positive number",
                text);
    }

    private static Optional<Integer> maxItems(Exchange x) {
        try {
            return x.query("MaxItems").map(Integer::parseInt);
        } catch (NumberFormatException e) {
            throw LambdaException.invalid("MaxItems must be an integer.");
        }
    }

    /** The body of a result, or null for none (204). */
    static byte[] render(LayerResult result, Links.Bound links) throws IOException {
        ObjectNode node = switch (result) {
            case LayerResult.Version v -> version(v.version(), links);
            case LayerResult.Versions l -> {
                ObjectNode out = Json.MAPPER.createObjectNode();
                l.nextMarker().ifPresent(m -> out.put("NextMarker", m));
                ArrayNode items = out.putArray("LayerVersions");
                l.versions().forEach(v -> items.add(listItem(v)));
                yield out;
            }
            case LayerResult.Latest l -> {
                ObjectNode out = Json.MAPPER.createObjectNode();
                l.nextMarker().ifPresent(m -> out.put("NextMarker", m));
                ArrayNode items = out.putArray("Layers");
                for (LayerVersion v : l.layers()) {
                    ObjectNode item = items.addObject();
                    item.put("LayerName", v.name());
                    item.put("LayerArn", v.layerArn());
                    item.set("LatestMatchingVersion", listItem(v));
                }
                yield out;
            }
            case LayerResult.Policy p -> {
                ObjectNode out = Json.MAPPER.createObjectNode();
                out.put("Policy", Json.MAPPER.writeValueAsString(policy(p.version())));
                out.put("RevisionId", p.version().policyRevisionId());
                yield out;
            }
            case LayerResult.Added a -> {
                ObjectNode out = Json.MAPPER.createObjectNode();
                out.put("Statement", Json.MAPPER.writeValueAsString(statement(a.version(), a.statement())));
                out.put("RevisionId", a.version().policyRevisionId());
                yield out;
            }
            case LayerResult.Deleted _ -> null;
        };
        return node == null ? null : Json.MAPPER.writeValueAsBytes(node);
    }

    private static ObjectNode version(LayerVersion v, Links.Bound links) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        ObjectNode content = node.putObject("Content");
        content.put("Location", links.code(v.code().sha256Hex()));
        content.put("CodeSha256", v.code().sha256Base64());
        content.put("CodeSize", v.code().size());
        node.put("LayerArn", v.layerArn());
        node.put("LayerVersionArn", v.versionArn());
        common(node, v);
        return node;
    }

    private static ObjectNode listItem(LayerVersion v) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("LayerVersionArn", v.versionArn());
        common(node, v);
        return node;
    }

    /** The members a version and a list item share; absent ones are left out, as Lambda does. */
    private static void common(ObjectNode node, LayerVersion v) {
        if (!v.description().isEmpty()) {
            node.put("Description", v.description());
        }
        node.put("CreatedDate", CREATED.format(v.createdDate()));
        node.put("Version", v.version());
        if (!v.compatibleRuntimes().isEmpty()) {
            ArrayNode runtimes = node.putArray("CompatibleRuntimes");
            v.compatibleRuntimes().forEach(runtimes::add);
        }
        if (!v.licenseInfo().isEmpty()) {
            node.put("LicenseInfo", v.licenseInfo());
        }
        if (!v.compatibleArchitectures().isEmpty()) {
            ArrayNode architectures = node.putArray("CompatibleArchitectures");
            v.compatibleArchitectures().forEach(architectures::add);
        }
    }

    private static ObjectNode policy(LayerVersion v) {
        ObjectNode policy = Json.MAPPER.createObjectNode();
        policy.put("Version", "2012-10-17");
        policy.put("Id", "default");
        ArrayNode statements = policy.putArray("Statement");
        v.statements().forEach(s -> statements.add(statement(v, s)));
        return policy;
    }

    /** An IAM statement: {@code Principal} {@code *} or {@code {"AWS": "arn:aws:iam::<account>:root"}}. */
    private static ObjectNode statement(LayerVersion v, LayerVersion.Statement s) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("Sid", s.sid());
        node.put("Effect", "Allow");
        if (s.principal().equals("*")) {
            node.put("Principal", "*");
        } else {
            node.putObject("Principal").put("AWS", "arn:aws:iam::" + s.principal() + ":root");
        }
        node.put("Action", s.action());
        node.put("Resource", v.versionArn());
        if (!s.organizationId().isEmpty()) {
            node.putObject("Condition").putObject("StringEquals").put("aws:PrincipalOrgID", s.organizationId());
        }
        return node;
    }
}
