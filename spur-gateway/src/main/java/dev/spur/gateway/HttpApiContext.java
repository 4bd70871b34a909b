package dev.spur.gateway;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the edge knows about an HTTP API request besides the request itself.
 *
 * @param routeKey       the matched route, {@link RouteKey#DEFAULT} for {@code $default}
 * @param stage          the stage name; {@code $default} for the default stage
 * @param apiId          the API's id
 * @param domainName     e.g. {@code <apiId>.execute-api.us-east-1.localhost:9001}, or the host the request used
 * @param domainPrefix   the first label of {@code domainName}
 * @param accountId      the API owner's account
 * @param requestId      the request's id, also {@code requestContext.requestId}
 * @param pathParameters from {@link RouteTable.Match#pathParameters()}, decoded; empty when the route has none
 * @param stageVariables the stage's variables; empty when it has none
 * @param authorizer     what the route's authorizer established; {@link ApiAuthorizer#none()} without one
 */
public record HttpApiContext(
        RouteKey routeKey,
        String stage,
        String apiId,
        String domainName,
        String domainPrefix,
        String accountId,
        String requestId,
        Map<String, String> pathParameters,
        Map<String, String> stageVariables,
        ApiAuthorizer authorizer) {

    public HttpApiContext {
        Objects.requireNonNull(routeKey, "routeKey");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(apiId, "apiId");
        Objects.requireNonNull(domainName, "domainName");
        Objects.requireNonNull(domainPrefix, "domainPrefix");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(requestId, "requestId");
        pathParameters = Collections.unmodifiableMap(new LinkedHashMap<>(pathParameters));
        stageVariables = Collections.unmodifiableMap(new LinkedHashMap<>(stageVariables));
        Objects.requireNonNull(authorizer, "authorizer");
    }
}
