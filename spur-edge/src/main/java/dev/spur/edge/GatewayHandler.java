package dev.spur.edge;

import dev.spur.gateway.HttpApiService;
import java.time.InstantSource;

/**
 * HTTP APIs on Spur's port, addressed by host name ({@code <apiId>.execute-api.<region>.localhost},
 * as AWS's {@code …execute-api.<region>.amazonaws.com}) or by path ({@code /gw/<apiId>/…}): the
 * exchange becomes request data for {@link HttpApiService}, which does the rest (routes,
 * throttles, authorizers, the function, CORS, access log), and its response data is sent as is.
 */
final class GatewayHandler {
    static final String PATH_PREFIX = "/gw/";
    static final String HOST_MARK = ".execute-api.";

    private final HttpApiService apis;
    private final InstantSource clock;

    GatewayHandler(HttpApiService apis, InstantSource clock) {
        this.apis = apis;
        this.clock = clock;
    }

    /** The API id a request addresses, from its host name or path; null if it is not a gateway request. */
    static String apiId(String host, String rawPath) {
        if (host != null) {
            int mark = host.indexOf(HOST_MARK);
            if (mark == 10 && host.indexOf('.') == 10) {
                return host.substring(0, 10);
            }
        }
        if (rawPath != null && rawPath.startsWith(PATH_PREFIX) && rawPath.length() >= PATH_PREFIX.length() + 10) {
            int end = PATH_PREFIX.length() + 10;
            if (rawPath.length() == end || rawPath.charAt(end) == '/') {
                return rawPath.substring(PATH_PREFIX.length(), end);
            }
        }
        return null;
    }

    void handle(Exchange x, String apiId, boolean byPath) {
        String rawPath = byPath ? rest(x.rawPath(), apiId) : x.rawPath();
        x.send(apis.serve(apiId, x.requestData(rawPath, clock.instant()), x::body));
    }

    private static String rest(String rawPath, String apiId) {
        String rest = rawPath.substring(PATH_PREFIX.length() + apiId.length());
        return rest.isEmpty() ? "/" : rest;
    }
}
