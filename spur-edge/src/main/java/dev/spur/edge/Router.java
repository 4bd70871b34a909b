package dev.spur.edge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.URIUtil;

/**
 * Routes {@code METHOD /literal/{param}/…} patterns to handlers, segment by segment, first match
 * wins. Parameters are percent-decoded per segment (an ARN's {@code :} arrives as {@code %3A}); a
 * trailing slash is ignored. Requests run as Jetty blocking handlers, on virtual threads.
 */
final class Router extends Handler.Abstract {
    private final List<Route> routes = new ArrayList<>();
    private final RouteHandler fallback;

    Router(RouteHandler fallback) {
        this.fallback = fallback;
    }

    Router add(String method, String pattern, RouteHandler handler) {
        routes.add(new Route(method, split(pattern), handler));
        return this;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String[] segments = split(request.getHttpURI().getPath());
        for (Route route : routes) {
            if (!route.method().equals(request.getMethod()) || route.segments().length != segments.length) {
                continue;
            }
            Map<String, String> params = match(route.segments(), segments);
            if (params != null) {
                run(route.handler(), new Exchange(request, response, callback, params), callback);
                return true;
            }
        }
        run(fallback, new Exchange(request, response, callback, Map.of()), callback);
        return true;
    }

    private static void run(RouteHandler handler, Exchange exchange, Callback callback) {
        try {
            handler.handle(exchange);
        } catch (Throwable t) {
            if (!exchange.answered()) {
                callback.failed(t);
            }
        }
    }

    private static Map<String, String> match(String[] pattern, String[] segments) {
        Map<String, String> params = null;
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                if (params == null) {
                    params = new HashMap<>(4);
                }
                params.put(p.substring(1, p.length() - 1), URIUtil.decodePath(segments[i]));
            } else if (!p.equals(segments[i])) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }

    private static String[] split(String path) {
        String p = path == null ? "" : path;
        int start = p.startsWith("/") ? 1 : 0;
        int end = p.endsWith("/") && p.length() > start ? p.length() - 1 : p.length();
        return start >= end ? new String[0] : p.substring(start, end).split("/", -1);
    }

    @FunctionalInterface
    interface RouteHandler {
        void handle(Exchange exchange) throws Exception;
    }

    private record Route(String method, String[] segments, RouteHandler handler) {}
}
