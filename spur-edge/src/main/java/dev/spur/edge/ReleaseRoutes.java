package dev.spur.edge;

import static dev.spur.edge.RequestParsing.bool;
import static dev.spur.edge.RequestParsing.integer;
import static dev.spur.edge.RequestParsing.object;
import static dev.spur.edge.RequestParsing.string;
import static dev.spur.edge.RequestParsing.strings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Caller;
import dev.spur.common.CorsConfig;
import dev.spur.common.LambdaException;
import dev.spur.control.FunctionCommand;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Lambda's REST API for releasing and operating functions: versions, aliases, reserved and
 * provisioned concurrency, function URL configurations and tags. Parses each request into a
 * {@link FunctionCommand}; {@link FunctionRoutes#render} renders the results.
 */
final class ReleaseRoutes implements EdgeApi {
    /** Bodies of these operations are small JSON documents. */
    private static final int MAX_BODY = 256 * 1024;

    private static final String VERSIONS = "/2015-03-31/functions/{name}/versions";
    private static final String ALIASES = "/2015-03-31/functions/{name}/aliases";
    private static final String URL = "/2021-10-31/functions/{name}/url";
    private static final String EVENT_INVOKE_CONFIG = "/2019-09-25/functions/{name}/event-invoke-config";
    private static final String PROVISIONED = "/2019-09-30/functions/{name}/provisioned-concurrency";
    private static final String CONCURRENCY = "/2017-10-31/functions/{name}/concurrency";
    private static final String TAGS = "/2017-03-31/tags/{arn}";

    private final ControlCalls calls;

    ReleaseRoutes(ControlCalls calls) {
        this.calls = calls;
    }

    @Override
    public void register(Router router) {
        router.add("POST", VERSIONS, calls.answer(201, ReleaseRoutes::publishVersion))
                .add("GET", VERSIONS, calls.answer(200, ReleaseRoutes::listVersions))
                .add("POST", ALIASES, calls.answer(201, ReleaseRoutes::createAlias))
                .add("GET", ALIASES, calls.answer(200, ReleaseRoutes::listAliases))
                .add(
                        "GET",
                        ALIASES + "/{alias}",
                        calls.answer(
                                200,
                                (x, c) -> new FunctionCommand.GetAlias(
                                        c, x.pathParameter("name"), x.pathParameter("alias"))))
                .add("PUT", ALIASES + "/{alias}", calls.answer(200, ReleaseRoutes::updateAlias))
                .add(
                        "DELETE",
                        ALIASES + "/{alias}",
                        calls.answer(
                                204,
                                (x, c) -> new FunctionCommand.DeleteAlias(
                                        c, x.pathParameter("name"), x.pathParameter("alias"))))
                .add("PUT", CONCURRENCY, calls.answer(200, ReleaseRoutes::putConcurrency))
                .add(
                        "DELETE",
                        CONCURRENCY,
                        calls.answer(
                                204,
                                (x, c) -> new FunctionCommand.DeleteFunctionConcurrency(c, x.pathParameter("name"))))
                .add(
                        "GET",
                        "/2019-09-30/functions/{name}/concurrency",
                        calls.answer(
                                200, (x, c) -> new FunctionCommand.GetFunctionConcurrency(c, x.pathParameter("name"))))
                .add(
                        "GET",
                        "/2016-08-19/account-settings",
                        calls.answer(200, (x, c) -> new FunctionCommand.GetAccountSettings(c)))
                .add("PUT", PROVISIONED, calls.answer(202, ReleaseRoutes::putProvisioned))
                .add("GET", PROVISIONED, calls.answer(200, ReleaseRoutes::getOrListProvisioned))
                .add(
                        "DELETE",
                        PROVISIONED,
                        calls.answer(
                                204,
                                (x, c) -> new FunctionCommand.DeleteProvisionedConcurrency(
                                        c, x.pathParameter("name"), x.query("Qualifier"))))
                .add("POST", URL, calls.answer(201, (x, c) -> putUrl(x, c, true)))
                .add("PUT", URL, calls.answer(200, (x, c) -> putUrl(x, c, false)))
                .add(
                        "GET",
                        URL,
                        calls.answer(
                                200,
                                (x, c) -> new FunctionCommand.GetFunctionUrl(
                                        c, x.pathParameter("name"), x.query("Qualifier"))))
                .add(
                        "DELETE",
                        URL,
                        calls.answer(
                                204,
                                (x, c) -> new FunctionCommand.DeleteFunctionUrl(
                                        c, x.pathParameter("name"), x.query("Qualifier"))))
                .add("GET", "/2021-10-31/functions/{name}/urls", calls.answer(200, ReleaseRoutes::listUrls))
                .add("PUT", EVENT_INVOKE_CONFIG, calls.answer(200, (x, c) -> putEventInvokeConfig(x, c, false)))
                .add("POST", EVENT_INVOKE_CONFIG, calls.answer(200, (x, c) -> putEventInvokeConfig(x, c, true)))
                .add(
                        "GET",
                        EVENT_INVOKE_CONFIG,
                        calls.answer(
                                200,
                                (x, c) -> new FunctionCommand.GetEventInvokeConfig(
                                        c, x.pathParameter("name"), x.query("Qualifier"))))
                .add(
                        "DELETE",
                        EVENT_INVOKE_CONFIG,
                        calls.answer(
                                204,
                                (x, c) -> new FunctionCommand.DeleteEventInvokeConfig(
                                        c, x.pathParameter("name"), x.query("Qualifier"))))
                .add("GET", EVENT_INVOKE_CONFIG + "/list", calls.answer(200, ReleaseRoutes::listEventInvokeConfigs))
                .add("POST", TAGS, calls.answer(204, ReleaseRoutes::tag))
                .add("DELETE", TAGS, calls.answer(204, ReleaseRoutes::untag))
                .add("GET", TAGS, calls.answer(200, (x, c) -> new FunctionCommand.ListTags(c, x.pathParameter("arn"))));
    }

    static FunctionCommand publishVersion(Exchange x, Caller caller) throws IOException {
        JsonNode body = RequestParsing.jsonBody(x, MAX_BODY);
        return new FunctionCommand.PublishVersion(
                caller,
                x.pathParameter("name"),
                string(body, "CodeSha256"),
                string(body, "Description"),
                string(body, "RevisionId"));
    }

    static FunctionCommand listVersions(Exchange x, Caller caller) {
        return new FunctionCommand.ListVersions(caller, x.pathParameter("name"), x.query("Marker"), maxItems(x));
    }

    static FunctionCommand createAlias(Exchange x, Caller caller) throws IOException {
        JsonNode body = RequestParsing.jsonBody(x, MAX_BODY);
        return new FunctionCommand.CreateAlias(
                caller,
                x.pathParameter("name"),
                string(body, "Name").orElse(""),
                string(body, "FunctionVersion"),
                string(body, "Description"),
                routing(body));
    }

    static FunctionCommand updateAlias(Exchange x, Caller caller) throws IOException {
        JsonNode body = RequestParsing.jsonBody(x, MAX_BODY);
        return new FunctionCommand.UpdateAlias(
                caller,
                x.pathParameter("name"),
                x.pathParameter("alias"),
                string(body, "FunctionVersion"),
                string(body, "Description"),
                routing(body),
                string(body, "RevisionId"));
    }

    static FunctionCommand listAliases(Exchange x, Caller caller) {
        return new FunctionCommand.ListAliases(
                caller, x.pathParameter("name"), x.query("FunctionVersion"), x.query("Marker"), maxItems(x));
    }

    static FunctionCommand putConcurrency(Exchange x, Caller caller) throws IOException {
        JsonNode body = RequestParsing.jsonBody(x, MAX_BODY);
        return new FunctionCommand.PutFunctionConcurrency(
                caller, x.pathParameter("name"), integer(body, "ReservedConcurrentExecutions"));
    }

    static FunctionCommand putProvisioned(Exchange x, Caller caller) throws IOException {
        JsonNode body = RequestParsing.jsonBody(x, MAX_BODY);
        return new FunctionCommand.PutProvisionedConcurrency(
                caller,
                x.pathParameter("name"),
                x.query("Qualifier"),
                integer(body, "ProvisionedConcurrentExecutions"));
    }

    /** GET …/provisioned-concurrency is Get with {@code Qualifier} and List with {@code List=ALL}. */
    static FunctionCommand getOrListProvisioned(Exchange x, Caller caller) {
        if (x.query("List").isPresent()) {
            return new FunctionCommand.ListProvisionedConcurrency(
                    caller, x.pathParameter("name"), x.query("Marker"), maxItems(x));
        }
        return new FunctionCommand.GetProvisionedConcurrency(caller, x.pathParameter("name"), x.query("Qualifier"));
    }

    static FunctionCommand putUrl(Exchange x, Caller caller, boolean create) throws IOException {
        JsonNode body = RequestParsing.jsonBody(x, MAX_BODY);
        Optional<Optional<CorsConfig>> cors =
                body.has("Cors") ? Optional.of(object(body, "Cors").map(ReleaseRoutes::cors)) : Optional.empty();
        return new FunctionCommand.PutFunctionUrl(
                caller,
                x.pathParameter("name"),
                x.query("Qualifier"),
                create,
                string(body, "AuthType"),
                cors,
                string(body, "InvokeMode"));
    }

    static FunctionCommand listUrls(Exchange x, Caller caller) {
        return new FunctionCommand.ListFunctionUrls(caller, x.pathParameter("name"), x.query("Marker"), maxItems(x));
    }

    /** PutFunctionEventInvokeConfig (replace) and UpdateFunctionEventInvokeConfig (merge). */
    static FunctionCommand putEventInvokeConfig(Exchange x, Caller caller, boolean merge) throws IOException {
        JsonNode body = RequestParsing.jsonBody(x, MAX_BODY);
        Optional<JsonNode> destinations = object(body, "DestinationConfig");
        return new FunctionCommand.PutEventInvokeConfig(
                caller,
                x.pathParameter("name"),
                x.query("Qualifier"),
                merge,
                integer(body, "MaximumRetryAttempts"),
                integer(body, "MaximumEventAgeInSeconds"),
                destination(destinations, "OnSuccess"),
                destination(destinations, "OnFailure"));
    }

    /** A destination: absent (outer empty: unchanged on update), or set/cleared (inner value). */
    private static Optional<Optional<String>> destination(Optional<JsonNode> destinations, String field) {
        if (destinations.isEmpty() || !destinations.get().has(field)) {
            return Optional.empty();
        }
        return Optional.of(object(destinations.get(), field)
                .flatMap(d -> string(d, "Destination"))
                .filter(d -> !d.isEmpty()));
    }

    static FunctionCommand listEventInvokeConfigs(Exchange x, Caller caller) {
        return new FunctionCommand.ListEventInvokeConfigs(
                caller, x.pathParameter("name"), x.query("Marker"), maxItems(x));
    }

    static FunctionCommand tag(Exchange x, Caller caller) throws IOException {
        JsonNode body = RequestParsing.jsonBody(x, MAX_BODY);
        return new FunctionCommand.TagResource(
                caller,
                x.pathParameter("arn"),
                tags(body)
                        .orElseThrow(() -> LambdaException.invalid(
                                "1 validation error detected: Value null at 'tags' failed to satisfy "
                                        + "constraint: Member must not be null")));
    }

    static FunctionCommand untag(Exchange x, Caller caller) {
        return new FunctionCommand.UntagResource(caller, x.pathParameter("arn"), x.queryValues("tagKeys"));
    }

    /** {@code Tags} of CreateFunction and TagResource: a map of strings. */
    static Optional<Map<String, String>> tags(JsonNode body) {
        Optional<JsonNode> tags = object(body, "Tags");
        if (tags.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> out = new LinkedHashMap<>();
        tags.get().properties().forEach(e -> {
            if (!e.getValue().isTextual()) {
                throw LambdaException.invalid("Tag %s must have a string value.", e.getKey());
            }
            out.put(e.getKey(), e.getValue().asText());
        });
        return Optional.of(out);
    }

    private static Optional<Map<String, Double>> routing(JsonNode body) {
        Optional<JsonNode> weights = object(body, "RoutingConfig").flatMap(r -> object(r, "AdditionalVersionWeights"));
        if (weights.isEmpty()) {
            return object(body, "RoutingConfig").map(r -> Map.of());
        }
        Map<String, Double> out = new LinkedHashMap<>();
        weights.get().properties().forEach(e -> {
            if (!e.getValue().isNumber()) {
                throw LambdaException.invalid("Weight of version %s must be a number.", e.getKey());
            }
            out.put(e.getKey(), e.getValue().doubleValue());
        });
        return Optional.of(out);
    }

    private static CorsConfig cors(JsonNode node) {
        int maxAge = integer(node, "MaxAge").orElse(0);
        LambdaException.requireValid(
                maxAge >= 0 && maxAge <= 86_400,
                "1 validation error detected: Value '%d' at "
                        + "'cors.maxAge' failed to satisfy constraint: Member must have value less than or equal to 86400",
                maxAge);
        return new CorsConfig(
                bool(node, "AllowCredentials"),
                strings(node, "AllowHeaders").orElse(List.of()),
                strings(node, "AllowMethods").orElse(List.of()),
                strings(node, "AllowOrigins").orElse(List.of()),
                strings(node, "ExposeHeaders").orElse(List.of()),
                maxAge);
    }

    static Optional<Integer> maxItems(Exchange x) {
        try {
            return x.query("MaxItems").map(Integer::parseInt);
        } catch (NumberFormatException e) {
            throw LambdaException.invalid("MaxItems must be an integer.");
        }
    }
}
