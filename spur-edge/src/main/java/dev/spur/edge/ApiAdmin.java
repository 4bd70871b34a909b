package dev.spur.edge;

import static dev.spur.edge.RequestParsing.bool;
import static dev.spur.edge.RequestParsing.integer;
import static dev.spur.edge.RequestParsing.object;
import static dev.spur.edge.RequestParsing.string;
import static dev.spur.edge.RequestParsing.strings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Caller;
import dev.spur.common.CorsConfig;
import dev.spur.common.HttpApi;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.gateway.Gateways;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP APIs under {@code /spur/v1/apis}: the whole API as one JSON document ({@code Name}, {@code Cors},
 * {@code Throttle}, {@code IntegrationTimeoutMillis}, {@code Authorizers}, {@code Routes}) created,
 * read, replaced and deleted, plus single-route changes under {@code …/routes}. API keys are accepted
 * in clear and never shown again.
 */
final class ApiAdmin implements EdgeApi {
    private static final int MAX_BODY = 1024 * 1024;

    private final Gateways gateways;
    private final Authentication auth;

    ApiAdmin(Gateways gateways, Authentication auth) {
        this.gateways = gateways;
        this.auth = auth;
    }

    @Override
    public void register(Router router) {
        router.add("POST", "/spur/v1/apis", this::create)
                .add("GET", "/spur/v1/apis", this::list)
                .add("GET", "/spur/v1/apis/{api}", this::get)
                .add("PUT", "/spur/v1/apis/{api}", this::replace)
                .add("DELETE", "/spur/v1/apis/{api}", this::delete)
                .add("PUT", "/spur/v1/apis/{api}/routes", this::putRoute)
                .add("DELETE", "/spur/v1/apis/{api}/routes", this::deleteRoute);
    }

    void create(Exchange x) {
        JsonAnswer.send(x, 201, () -> {
            Caller caller = auth.caller(x, x.body(MAX_BODY));
            return render(x, gateways.create(caller, draft(RequestParsing.jsonBody(x, MAX_BODY, false))));
        });
    }

    void replace(Exchange x) {
        JsonAnswer.send(x, 200, () -> {
            Caller caller = auth.caller(x, x.body(MAX_BODY));
            return render(
                    x,
                    gateways.replace(
                            caller, x.pathParameter("api"), draft(RequestParsing.jsonBody(x, MAX_BODY, false))));
        });
    }

    void get(Exchange x) {
        JsonAnswer.send(x, 200, () -> render(x, gateways.get(auth.caller(x, x.body(0)), x.pathParameter("api"))));
    }

    void list(Exchange x) {
        JsonAnswer.send(x, 200, () -> {
            Caller caller = auth.caller(x, x.body(0));
            ObjectNode node = Json.MAPPER.createObjectNode();
            ArrayNode items = node.putArray("Items");
            gateways.list(caller).forEach(a -> items.add(render(x, a)));
            return node;
        });
    }

    void delete(Exchange x) {
        JsonAnswer.send(x, 204, () -> {
            gateways.delete(auth.caller(x, x.body(0)), x.pathParameter("api"));
            return null;
        });
    }

    /** {@code PUT /spur/v1/apis/{api}/routes}: adds or replaces the route with the body's RouteKey. */
    void putRoute(Exchange x) {
        JsonAnswer.send(x, 200, () -> {
            Caller caller = auth.caller(x, x.body(MAX_BODY));
            return render(
                    x,
                    gateways.putRoute(
                            caller, x.pathParameter("api"), route(RequestParsing.jsonBody(x, MAX_BODY, false))));
        });
    }

    /** {@code DELETE /spur/v1/apis/{api}/routes?routeKey=GET%20/pets}. */
    void deleteRoute(Exchange x) {
        JsonAnswer.send(x, 200, () -> {
            Caller caller = auth.caller(x, x.body(0));
            String key = x.query("routeKey").orElseThrow(() -> LambdaException.invalid("routeKey is required."));
            return render(x, gateways.removeRoute(caller, x.pathParameter("api"), key));
        });
    }

    private static HttpApi draft(JsonNode body) {
        Map<String, HttpApi.Authorizer> authorizers = new LinkedHashMap<>();
        object(body, "Authorizers")
                .ifPresent(a -> a.properties().forEach(e -> {
                    if (!e.getValue().isObject()) {
                        throw LambdaException.invalid("Authorizer %s must be an object.", e.getKey());
                    }
                    authorizers.put(e.getKey(), authorizer(e.getValue()));
                }));
        List<HttpApi.Route> routes = new ArrayList<>();
        JsonNode list = body.get("Routes");
        if (list != null && !list.isNull()) {
            LambdaException.requireValid(list.isArray(), "Routes must be a list.");
            list.forEach(r -> {
                LambdaException.requireValid(r.isObject(), "Each route must be an object.");
                routes.add(route(r));
            });
        }
        Instant now = Instant.EPOCH;
        return new HttpApi(
                "-",
                "-",
                "-",
                string(body, "Name").orElse(""),
                object(body, "Cors").map(ApiAdmin::cors).orElse(null),
                object(body, "Throttle").map(ApiAdmin::throttle).orElse(null),
                authorizers,
                routes,
                integer(body, "IntegrationTimeoutMillis").orElse(HttpApi.DEFAULT_TIMEOUT_MILLIS),
                now,
                now);
    }

    private static HttpApi.Route route(JsonNode r) {
        JsonNode target = object(r, "Target").orElseThrow(() -> LambdaException.invalid("Route needs a Target."));
        return new HttpApi.Route(
                string(r, "RouteKey").orElseThrow(() -> LambdaException.invalid("Route needs a RouteKey.")),
                string(target, "Function").orElseThrow(() -> LambdaException.invalid("Route target needs a Function.")),
                string(target, "Qualifier").orElse(""),
                string(r, "PayloadFormatVersion").orElse("2.0"),
                string(r, "Authorizer").orElse(null),
                object(r, "Throttle").map(ApiAdmin::throttle).orElse(null));
    }

    private static HttpApi.Authorizer authorizer(JsonNode a) {
        String type = string(a, "Type").orElseThrow(() -> LambdaException.invalid("Authorizer needs a Type."));
        String defaultSource = type.equals("API_KEY") ? "$request.header.x-api-key" : "$request.header.Authorization";
        Optional<String> jwks = Optional.ofNullable(a.get("Jwks"))
                .filter(j -> !j.isNull())
                .map(j -> j.isTextual() ? j.asText() : j.toString());
        return new HttpApi.Authorizer(
                type,
                string(a, "IdentitySource").orElse(defaultSource),
                string(a, "Issuer").orElse(null),
                strings(a, "Audience").orElse(List.of()),
                string(a, "JwksUri").orElse(null),
                jwks.orElse(null),
                string(a, "FunctionName").orElse(null),
                string(a, "Qualifier").orElse(""),
                integer(a, "AuthorizerResultTtlInSeconds").orElse(0),
                strings(a, "ApiKeys").orElse(List.of()));
    }

    private static HttpApi.Throttle throttle(JsonNode t) {
        JsonNode rate = t.get("RateLimit");
        LambdaException.requireValid(rate != null && rate.isNumber(), "Throttle.RateLimit must be a number.");
        return new HttpApi.Throttle(
                rate.doubleValue(), integer(t, "BurstLimit").orElse((int) Math.ceil(rate.doubleValue())));
    }

    private static CorsConfig cors(JsonNode node) {
        int maxAge = integer(node, "MaxAge").orElse(0);
        LambdaException.requireValid(maxAge >= 0 && maxAge <= 86_400, "Cors.MaxAge must be 0 to 86400.");
        return new CorsConfig(
                bool(node, "AllowCredentials"),
                strings(node, "AllowHeaders").orElse(List.of()),
                strings(node, "AllowMethods").orElse(List.of()),
                strings(node, "AllowOrigins").orElse(List.of()),
                strings(node, "ExposeHeaders").orElse(List.of()),
                maxAge);
    }

    private static ObjectNode render(Exchange x, HttpApi api) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("ApiId", api.apiId());
        node.put("Name", api.name());
        String authority = x.authority();
        int colon = authority.lastIndexOf(':');
        String port = colon > 0 && authority.indexOf(']', colon) < 0 ? authority.substring(colon) : "";
        node.put("ApiEndpoint", "http://" + api.apiId() + ".execute-api." + api.region() + ".localhost" + port);
        node.put("ApiPathEndpoint", "http://" + authority + GatewayHandler.PATH_PREFIX + api.apiId());
        node.put("CreatedDate", api.createdAt().toString());
        node.put("LastModifiedDate", api.lastModified().toString());
        node.put("IntegrationTimeoutMillis", api.integrationTimeoutMillis());
        if (api.cors() != null) {
            CorsConfig c = api.cors();
            ObjectNode cors = node.putObject("Cors");
            cors.put("AllowCredentials", c.allowCredentials());
            c.allowHeaders().forEach(cors.putArray("AllowHeaders")::add);
            c.allowMethods().forEach(cors.putArray("AllowMethods")::add);
            c.allowOrigins().forEach(cors.putArray("AllowOrigins")::add);
            c.exposeHeaders().forEach(cors.putArray("ExposeHeaders")::add);
            cors.put("MaxAge", c.maxAge());
        }
        if (api.throttle() != null) {
            throttle(node.putObject("Throttle"), api.throttle());
        }
        ObjectNode authorizers = node.putObject("Authorizers");
        api.authorizers().forEach((name, a) -> {
            ObjectNode n = authorizers.putObject(name);
            n.put("Type", a.type());
            n.put("IdentitySource", a.identitySource());
            switch (a.type()) {
                case "JWT" -> {
                    n.put("Issuer", a.issuer());
                    a.audiences().forEach(n.putArray("Audience")::add);
                    if (a.jwksUri() != null) {
                        n.put("JwksUri", a.jwksUri());
                    }
                    if (a.jwks() != null) {
                        n.put("Jwks", a.jwks());
                    }
                }
                case "REQUEST" -> {
                    n.put("FunctionName", a.functionName());
                    if (!a.qualifier().isEmpty()) {
                        n.put("Qualifier", a.qualifier());
                    }
                    n.put("AuthorizerResultTtlInSeconds", a.resultTtlSeconds());
                }
                default -> n.put("ApiKeyCount", a.apiKeys().size());
            }
        });
        ArrayNode routes = node.putArray("Routes");
        for (HttpApi.Route r : api.routes()) {
            ObjectNode n = routes.addObject();
            n.put("RouteKey", r.routeKey());
            ObjectNode target = n.putObject("Target");
            target.put("Function", r.functionName());
            if (!r.qualifier().isEmpty()) {
                target.put("Qualifier", r.qualifier());
            }
            n.put("PayloadFormatVersion", r.payloadFormat());
            if (r.authorizer() != null) {
                n.put("Authorizer", r.authorizer());
            }
            if (r.throttle() != null) {
                throttle(n.putObject("Throttle"), r.throttle());
            }
        }
        return node;
    }

    private static void throttle(ObjectNode node, HttpApi.Throttle t) {
        node.put("RateLimit", t.rateLimit());
        node.put("BurstLimit", t.burstLimit());
    }
}
