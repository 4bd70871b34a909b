package dev.spur.edge;

import dev.spur.common.Caller;
import dev.spur.common.RequestIds;
import dev.spur.control.ControlPlane;
import dev.spur.control.ControlResult;
import dev.spur.control.FunctionCommand;
import dev.spur.control.LayerCommand;
import dev.spur.control.LayerResult;
import java.util.Map;

/**
 * How a control-plane route of Lambda's REST API runs: the caller (authenticated over the body, read
 * once) → the route's parser builds one {@link FunctionCommand} → {@link ControlPlane#handle} →
 * {@link FunctionRoutes#render} in Lambda's JSON shape, or the error in AWS's shape
 * ({@link WireErrors}). Shared by {@link FunctionRoutes} and {@link ReleaseRoutes}.
 */
final class ControlCalls {
    private final ControlPlane control;
    private final Authentication auth;
    private final Links links;

    ControlCalls(ControlPlane control, Authentication auth, Links links) {
        this.control = control;
        this.auth = auth;
        this.links = links;
    }

    /** A route handler that answers {@code status} with the result of the command {@code parser} builds. */
    Router.RouteHandler answer(int status, Parser parser) {
        return x -> {
            String requestId = RequestIds.next();
            try {
                Caller caller = auth.caller(x, x.body(FunctionRoutes.MAX_CONTROL_BODY));
                ControlResult result = control.handle(parser.parse(x, caller));
                byte[] body = FunctionRoutes.render(result, links.bind(x.authority()));
                x.send(status, Map.of("x-amzn-RequestId", requestId), "application/json", body);
            } catch (Throwable t) {
                WireErrors.send(x, requestId, t);
            }
        };
    }

    /** As {@link #answer} for a layer route: {@link LayerRoutes#render} in Lambda's shapes, 204 with no body. */
    Router.RouteHandler answerLayer(int status, LayerParser parser) {
        return x -> {
            String requestId = RequestIds.next();
            try {
                Caller caller = auth.caller(x, x.body(FunctionRoutes.MAX_CONTROL_BODY));
                LayerResult result = control.layers().handle(parser.parse(x, caller));
                byte[] body = LayerRoutes.render(result, links.bind(x.authority()));
                x.send(body == null ? 204 : status, Map.of("x-amzn-RequestId", requestId), "application/json", body);
            } catch (Throwable t) {
                WireErrors.send(x, requestId, t);
            }
        };
    }

    /** Reads a request into a layer command; touches no server state. */
    @FunctionalInterface
    interface LayerParser {
        LayerCommand parse(Exchange x, Caller caller) throws Exception;
    }

    /** Reads a request into a command; touches no server state. */
    @FunctionalInterface
    interface Parser {
        FunctionCommand parse(Exchange x, Caller caller) throws Exception;
    }
}
