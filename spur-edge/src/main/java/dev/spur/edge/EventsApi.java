package dev.spur.edge;

import dev.spur.common.Caller;
import dev.spur.common.LambdaException;
import dev.spur.events.EventsException;
import dev.spur.events.EventsService;
import java.util.Map;

/**
 * EventBridge on Spur's port: the HTTP adapter of {@link EventsService} (JSON 1.1,
 * {@code X-Amz-Target: AWSEvents.<Op>}). It reads the body (at most {@value #MAX_BODY} bytes), checks the
 * signature scoped to {@code events}, and sends the service's answer as it is. Requests reach it through
 * {@link AwsServices}.
 */
final class EventsApi {
    static final int MAX_BODY = 1024 * 1024;

    private final EventsService service;
    private final Authentication auth;

    EventsApi(EventsService service, Authentication auth) {
        this.service = service;
        this.auth = auth;
    }

    void handle(Exchange x) throws Exception {
        byte[] body = x.body(MAX_BODY);
        if (body.length > MAX_BODY) {
            send(
                    x,
                    service.error(EventsException.of(
                            EventsException.Code.VALIDATION,
                            "Total size of the entries in the request is over the limit.")));
            return;
        }
        Caller caller;
        try {
            caller = auth.caller(x, body, AwsServices.EVENTS);
        } catch (LambdaException e) {
            send(x, service.error(EventsException.of(EventsException.Code.ACCESS_DENIED, e.getMessage())));
            return;
        }
        send(
                x,
                service.handle(new EventsService.Request(
                        caller.account(),
                        caller.region(),
                        x.header("X-Amz-Target").orElse(null),
                        body)));
    }

    private static void send(Exchange x, EventsService.Response r) {
        x.send(r.status(), Map.of(), r.contentType(), r.body());
    }

    /** For the edge's map of services. */
    static Map.Entry<String, Router.RouteHandler> entry(EventsService service, Authentication auth) {
        EventsApi api = new EventsApi(service, auth);
        return Map.entry(AwsServices.EVENTS, api::handle);
    }
}
