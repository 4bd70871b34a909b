package dev.spur.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.HttpApi;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import java.io.IOException;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeoutException;

/**
 * A Lambda authorizer with simple responses (payload format 2.0): the function gets the route's
 * event without its body, plus {@code type: "REQUEST"}, {@code routeArn} and the
 * {@code identitySource} values, and answers {@code {"isAuthorized": …, "context": {…}}}. Its
 * decision is cached per authorizer and identity for the authorizer's TTL (not at all with TTL 0),
 * at most {@link #MAX_CACHED_DECISIONS} per API: past that, expired decisions are dropped, and if
 * that is not enough the cache starts over rather than grow. A failed, late or malformed answer is a
 * 500 and is not cached; "no" is a 403.
 */
final class LambdaAuthorizer {
    /** Lambda-authorizer decisions cached per API at most (expired ones are dropped first). */
    static final int MAX_CACHED_DECISIONS = 10_000;

    /** One cached answer; {@code context} is what the function returned, or {@code {}}. */
    record Decision(boolean authorized, ObjectNode context, long expiresAtMillis) {}

    private final InstantSource clock;
    private final Integration integration;

    LambdaAuthorizer(InstantSource clock, Integration integration) {
        this.clock = clock;
        this.integration = integration;
    }

    Authorization authorize(
            CompiledApi api,
            HttpApi.Authorizer a,
            HttpApi.Route route,
            RouteTable.Match<HttpApi.Route> match,
            HttpRequestData request,
            String requestId,
            List<String> identity)
            throws InterruptedException {
        ConcurrentMap<String, Decision> decisions = api.decisions();
        String cacheKey = route.authorizer() + "\n" + String.join("\n", identity);
        long now = clock.millis();
        Decision cached = a.resultTtlSeconds() > 0 ? decisions.get(cacheKey) : null;
        if (cached == null || cached.expiresAtMillis() <= now) {
            HttpApiContext context = api.context(match, request, requestId, ApiAuthorizer.none());
            byte[] event = event(request, context, identity, api.api(), route);
            FunctionInvoker.Result result;
            try {
                result = integration.invoke(
                        api.api(), a.functionName(), a.qualifier(), event, request.header("X-Amzn-Trace-Id"));
            } catch (TimeoutException | LambdaException e) {
                return Authorization.refuse(
                        GatewayResponses.internalServerError(), "authorizer failed: " + e.getMessage());
            }
            JsonNode answer;
            try {
                answer = result.functionError().isPresent() ? null : Json.MAPPER.readTree(result.payload());
            } catch (IOException e) {
                answer = null;
            }
            if (answer == null || !answer.path("isAuthorized").isBoolean()) {
                return Authorization.refuse(GatewayResponses.internalServerError(), "authorizer gave no isAuthorized");
            }
            ObjectNode ctx = answer.path("context").isObject()
                    ? (ObjectNode) answer.path("context")
                    : Json.MAPPER.createObjectNode();
            cached = new Decision(answer.path("isAuthorized").booleanValue(), ctx, now + a.resultTtlSeconds() * 1000L);
            if (a.resultTtlSeconds() > 0) {
                if (decisions.size() >= MAX_CACHED_DECISIONS) {
                    decisions.values().removeIf(d -> d.expiresAtMillis() <= now);
                    if (decisions.size() >= MAX_CACHED_DECISIONS) {
                        decisions.clear(); // many live identities: start over rather than grow
                    }
                }
                decisions.put(cacheKey, cached);
            }
        }
        return cached.authorized()
                ? new Authorization.Allowed(new ApiAuthorizer.Lambda(cached.context()))
                : Authorization.refuse(GatewayResponses.forbidden(), "the authorizer said no");
    }

    /**
     * The authorizer's payload (format 2.0): the route's event without a body, plus
     * {@code type: "REQUEST"}, {@code routeArn} and the {@code identitySource} values.
     */
    private static byte[] event(
            HttpRequestData request, HttpApiContext context, List<String> identity, HttpApi api, HttpApi.Route route) {
        try {
            ObjectNode event = (ObjectNode) Json.MAPPER.readTree(PayloadV2.httpApiEvent(request, context));
            event.remove("body");
            event.remove("isBase64Encoded");
            ObjectNode out = Json.MAPPER.createObjectNode();
            out.put("version", "2.0");
            out.put("type", "REQUEST");
            out.put(
                    "routeArn",
                    "arn:aws:execute-api:" + api.region() + ":" + api.account() + ":" + api.apiId()
                            + "/$default/"
                            + (route.routeKey().equals("$default")
                                    ? "$default"
                                    : route.routeKey().replace(' ', '/').replace("//", "/")));
            identity.forEach(out.putArray("identitySource")::add);
            event.properties().forEach(e -> {
                if (!e.getKey().equals("version")) {
                    out.set(e.getKey(), e.getValue());
                }
            });
            return Json.MAPPER.writeValueAsBytes(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot build the authorizer event", e);
        }
    }
}
