package dev.spur.gateway;

import dev.spur.common.Caller;
import dev.spur.common.FunctionTargets;
import dev.spur.common.HttpApi;
import dev.spur.common.LambdaException;
import dev.spur.store.MetadataStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * HTTP APIs: created, changed and deleted through Spur's API, stored in the metadata store, and
 * looked up by id (from memory) for every gateway request; a change another node made comes in through
 * the change feed ({@link #changed}). A change replaces the whole API
 * document, validated first: route keys, targets (functions of the API's account and region),
 * authorizers, throttles, CORS and the integration timeout.
 */
public final class Gateways {
    private static final Pattern NAME = Pattern.compile("[\\p{Alnum} ._-]{1,128}");
    private static final char[] ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** API Gateway's limit on an HTTP API integration's timeout. */
    static final int MAX_TIMEOUT_MILLIS = 30_000;

    private final MetadataStore store;
    private final FunctionTargets targets;
    private final InstantSource clock;
    private final ConcurrentMap<String, HttpApi> apis = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();

    public Gateways(MetadataStore store, FunctionTargets targets, InstantSource clock) {
        this.store = store;
        this.targets = targets;
        this.clock = clock;
        for (HttpApi api : store.allHttpApis()) {
            apis.put(api.apiId(), api);
        }
    }

    /** The API a gateway request addresses, whoever asks (requests are authorized per route). */
    public Optional<HttpApi> find(String apiId) {
        return Optional.ofNullable(apis.get(apiId));
    }

    /**
     * Creates an API from a draft (its account, region, id and times are assigned here). API keys in
     * API_KEY authorizers arrive in clear and are stored as SHA-256.
     */
    public HttpApi create(Caller caller, HttpApi draft) {
        Instant now = clock.instant();
        HttpApi api = validate(
                caller,
                new HttpApi(
                        caller.account(),
                        caller.region(),
                        newId(),
                        draft.name(),
                        draft.cors(),
                        draft.throttle(),
                        hashKeys(draft.authorizers(), Map.of()),
                        draft.routes(),
                        draft.integrationTimeoutMillis(),
                        now,
                        now));
        lock.lock();
        try {
            store.putHttpApi(api, true);
            apis.put(api.apiId(), api);
        } finally {
            lock.unlock();
        }
        return api;
    }

    /** Replaces an API's definition (the whole document; its id and creation time stay). */
    public HttpApi replace(Caller caller, String apiId, HttpApi draft) {
        lock.lock();
        try {
            HttpApi current = require(caller, apiId);
            return save(
                    caller,
                    current,
                    new HttpApi(
                            current.account(),
                            current.region(),
                            apiId,
                            draft.name(),
                            draft.cors(),
                            draft.throttle(),
                            hashKeys(draft.authorizers(), current.authorizers()),
                            draft.routes(),
                            draft.integrationTimeoutMillis(),
                            current.createdAt(),
                            clock.instant()));
        } finally {
            lock.unlock();
        }
    }

    /** Adds or replaces one route. */
    public HttpApi putRoute(Caller caller, String apiId, HttpApi.Route route) {
        lock.lock();
        try {
            HttpApi current = require(caller, apiId);
            List<HttpApi.Route> routes = new ArrayList<>();
            for (HttpApi.Route r : current.routes()) {
                if (!r.routeKey().equals(route.routeKey())) {
                    routes.add(r);
                }
            }
            routes.add(route);
            return save(caller, current, withRoutes(current, routes));
        } finally {
            lock.unlock();
        }
    }

    public HttpApi removeRoute(Caller caller, String apiId, String routeKey) {
        lock.lock();
        try {
            HttpApi current = require(caller, apiId);
            List<HttpApi.Route> routes = current.routes().stream()
                    .filter(r -> !r.routeKey().equals(routeKey))
                    .toList();
            if (routes.size() == current.routes().size()) {
                throw LambdaException.notFound("Route not found: %s", routeKey);
            }
            return save(caller, current, withRoutes(current, routes));
        } finally {
            lock.unlock();
        }
    }

    /** Validates and stores a new version of {@code current} (its keys already hashed); call under the lock. */
    private HttpApi save(Caller caller, HttpApi current, HttpApi next) {
        HttpApi api = validate(
                caller,
                new HttpApi(
                        current.account(),
                        current.region(),
                        current.apiId(),
                        next.name(),
                        next.cors(),
                        next.throttle(),
                        next.authorizers(),
                        next.routes(),
                        next.integrationTimeoutMillis(),
                        current.createdAt(),
                        clock.instant()));
        store.putHttpApi(api, false);
        apis.put(api.apiId(), api);
        return api;
    }

    public void delete(Caller caller, String apiId) {
        lock.lock();
        try {
            require(caller, apiId);
            store.deleteHttpApi(apiId);
            apis.remove(apiId);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads one API again from the store (another node changed or deleted it): what following the change
     * feed calls for every change it names.
     */
    public void changed(String apiId) {
        lock.lock();
        try {
            // An unchanged document keeps the instance held, and with it its compiled form (token buckets,
            // authorizer decisions): the feed also names this node's own writes.
            store.findHttpApi(apiId)
                    .ifPresentOrElse(
                            api -> apis.merge(apiId, api, (held, read) -> held.equals(read) ? held : read),
                            () -> apis.remove(apiId));
        } finally {
            lock.unlock();
        }
    }

    /** Reads every API again (the change feed lost track). */
    public void reloadAll() {
        lock.lock();
        try {
            Set<String> gone = new HashSet<>(apis.keySet());
            for (HttpApi api : store.allHttpApis()) {
                apis.put(api.apiId(), api);
                gone.remove(api.apiId());
            }
            gone.forEach(apis::remove);
        } finally {
            lock.unlock();
        }
    }

    public HttpApi get(Caller caller, String apiId) {
        return require(caller, apiId);
    }

    public List<HttpApi> list(Caller caller) {
        return apis.values().stream()
                .filter(a -> a.account().equals(caller.account()) && a.region().equals(caller.region()))
                .sorted(Comparator.comparing(HttpApi::name).thenComparing(HttpApi::apiId))
                .toList();
    }

    /** SHA-256 hex of an API key, as API_KEY authorizers store and compare them. */
    public static String hashKey(String key) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpApi validate(Caller caller, HttpApi api) {
        LambdaException.requireValid(
                NAME.matcher(api.name()).matches(),
                "Name must be 1 to 128 letters, digits, " + "spaces, '.', '_' or '-'; got '%s'.",
                api.name());
        LambdaException.requireValid(
                api.integrationTimeoutMillis() >= 50 && api.integrationTimeoutMillis() <= MAX_TIMEOUT_MILLIS,
                "IntegrationTimeoutMillis must be 50 to %d.",
                MAX_TIMEOUT_MILLIS);
        throttle(api.throttle(), "the API");
        if (api.cors() != null) {
            LambdaException.requireValid(
                    api.cors().maxAge() >= 0 && api.cors().maxAge() <= 86_400, "Cors.MaxAge must be 0 to 86400.");
        }
        api.authorizers().forEach(Gateways::authorizer);
        Set<String> keys = new HashSet<>();
        List<HttpApi.Route> routes = new ArrayList<>();
        List<Map.Entry<RouteKey, HttpApi.Route>> table = new ArrayList<>();
        for (HttpApi.Route route : api.routes()) {
            table.add(Map.entry(routeKey(route.routeKey()), route));
            LambdaException.requireValid(keys.add(route.routeKey()), "Route %s is defined twice.", route.routeKey());
            LambdaException.requireValid(
                    route.payloadFormat().equals("2.0") || route.payloadFormat().equals("1.0"),
                    "PayloadFormatVersion must be 2.0 or 1.0, not %s.",
                    route.payloadFormat());
            LambdaException.requireValid(
                    route.authorizer() == null || api.authorizers().containsKey(route.authorizer()),
                    "Route %s names authorizer %s, which the API does not have.",
                    route.routeKey(),
                    route.authorizer());
            throttle(route.throttle(), "route " + route.routeKey());
            FunctionTargets.Target target = targets.resolve(caller, route.functionName(), route.qualifier());
            routes.add(new HttpApi.Route(
                    route.routeKey(),
                    target.functionName(),
                    target.qualifier(),
                    route.payloadFormat(),
                    route.authorizer(),
                    route.throttle()));
        }
        try {
            RouteTable.of(table); // refuses routes that would match the same requests
        } catch (IllegalArgumentException e) {
            throw LambdaException.conflict("%s", e.getMessage());
        }
        return withRoutes(api, routes);
    }

    /** {@code $default}, or a method and a path of literal segments, {name} and a final {name+}. */
    static RouteKey routeKey(String key) {
        try {
            return RouteKey.parse(key);
        } catch (IllegalArgumentException e) {
            throw LambdaException.invalid("%s", e.getMessage());
        }
    }

    private static void throttle(HttpApi.Throttle t, String what) {
        if (t != null) {
            LambdaException.requireValid(
                    t.rateLimit() > 0 && t.burstLimit() >= 1,
                    "Throttle of %s needs " + "RateLimit > 0 and BurstLimit ≥ 1.",
                    what);
        }
    }

    private static void authorizer(String name, HttpApi.Authorizer a) {
        LambdaException.requireValid(name.matches("[A-Za-z0-9_-]{1,128}"), "Authorizer name '%s' is not valid.", name);
        switch (a.type()) {
            case "JWT" -> {
                LambdaException.requireValid(
                        a.issuer() != null && !a.issuer().isEmpty(), "JWT authorizer %s needs " + "an Issuer.", name);
                LambdaException.requireValid(!a.audiences().isEmpty(), "JWT authorizer %s needs an Audience.", name);
                LambdaException.requireValid(
                        a.jwksUri() != null || a.jwks() != null, "JWT authorizer %s needs " + "JwksUri or Jwks.", name);
            }
            case "REQUEST" -> {
                LambdaException.requireValid(
                        a.functionName() != null, "Lambda authorizer %s needs a " + "FunctionName.", name);
                LambdaException.requireValid(
                        a.resultTtlSeconds() >= 0 && a.resultTtlSeconds() <= 3600,
                        "AuthorizerResultTtlInSeconds must be 0 to 3600.");
            }
            case "API_KEY" ->
                LambdaException.requireValid(
                        !a.apiKeys().isEmpty(), "API key authorizer %s needs " + "at least one key.", name);
            default ->
                throw LambdaException.invalid("Authorizer type must be JWT, REQUEST or API_KEY, not %s.", a.type());
        }
    }

    /** Keys given in clear are hashed; already-hashed ones (kept from the stored API) stay. */
    private static Map<String, HttpApi.Authorizer> hashKeys(
            Map<String, HttpApi.Authorizer> given, Map<String, HttpApi.Authorizer> stored) {
        Map<String, HttpApi.Authorizer> out = new LinkedHashMap<>();
        given.forEach((name, a) -> {
            List<String> keys = a.apiKeys();
            if (keys.isEmpty() && a.type().equals("API_KEY") && stored.containsKey(name)) {
                keys = stored.get(name).apiKeys();
            } else {
                keys = keys.stream().map(Gateways::hashKey).toList();
            }
            out.put(
                    name,
                    new HttpApi.Authorizer(
                            a.type(),
                            a.identitySource(),
                            a.issuer(),
                            a.audiences(),
                            a.jwksUri(),
                            a.jwks(),
                            a.functionName(),
                            a.qualifier(),
                            a.resultTtlSeconds(),
                            keys));
        });
        return out;
    }

    private static HttpApi withRoutes(HttpApi api, List<HttpApi.Route> routes) {
        return new HttpApi(
                api.account(),
                api.region(),
                api.apiId(),
                api.name(),
                api.cors(),
                api.throttle(),
                api.authorizers(),
                routes,
                api.integrationTimeoutMillis(),
                api.createdAt(),
                api.lastModified());
    }

    private HttpApi require(Caller caller, String apiId) {
        HttpApi api = apis.get(apiId);
        if (api == null
                || !api.account().equals(caller.account())
                || !api.region().equals(caller.region())) {
            throw LambdaException.notFound("HTTP API not found: %s", apiId);
        }
        return api;
    }

    private static String newId() {
        char[] id = new char[10];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_ALPHABET[RANDOM.nextInt(ID_ALPHABET.length)];
        }
        return new String(id);
    }
}
