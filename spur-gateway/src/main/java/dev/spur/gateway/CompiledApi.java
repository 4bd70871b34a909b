package dev.spur.gateway;

import dev.spur.common.HttpApi;
import dev.spur.common.Ticker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * An API ready to serve: its routing table, token buckets and Lambda-authorizer decision cache,
 * built once per API document (a change to the API is a new document, so a new compiled form with
 * full buckets and an empty cache).
 *
 * @param apiBucket the API-wide bucket; null when the API has no throttle
 * @param decisions Lambda-authorizer decisions by authorizer and identity
 */
record CompiledApi(
        HttpApi api,
        RouteTable<HttpApi.Route> routes,
        TokenBucket apiBucket,
        Map<String, TokenBucket> routeBuckets,
        ConcurrentMap<String, LambdaAuthorizer.Decision> decisions) {

    static CompiledApi of(HttpApi api, Ticker ticker) {
        List<Map.Entry<RouteKey, HttpApi.Route>> entries = new ArrayList<>();
        Map<String, TokenBucket> buckets = new HashMap<>();
        for (HttpApi.Route r : api.routes()) {
            entries.add(Map.entry(RouteKey.parse(r.routeKey()), r));
            if (r.throttle() != null) {
                buckets.put(
                        r.routeKey(),
                        new TokenBucket(r.throttle().rateLimit(), r.throttle().burstLimit(), ticker));
            }
        }
        TokenBucket apiBucket = api.throttle() == null
                ? null
                : new TokenBucket(api.throttle().rateLimit(), api.throttle().burstLimit(), ticker);
        return new CompiledApi(api, RouteTable.of(entries), apiBucket, Map.copyOf(buckets), new ConcurrentHashMap<>());
    }

    /** What the event says about the API and the request besides the request itself. */
    HttpApiContext context(
            RouteTable.Match<HttpApi.Route> match,
            HttpRequestData request,
            String requestId,
            ApiAuthorizer authorizer) {
        String host = request.header("Host").orElse(api.apiId());
        // The domain prefix is the API id whether the request came by host name (where it is the first
        // label) or by path (where the host is the server's own, e.g. 127.0.0.1), as for function URLs.
        return new HttpApiContext(
                match.routeKey(),
                "$default",
                api.apiId(),
                host,
                api.apiId(),
                api.account(),
                requestId,
                match.pathParameters(),
                Map.of(),
                authorizer);
    }
}
