package dev.spur.edge;

import dev.spur.common.Caller;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.sns.SnsException;
import dev.spur.sns.SnsService;
import java.util.Map;

/**
 * SNS on Spur's port: the HTTP adapter of {@link SnsService} (the query protocol and every operation).
 * It reads the body (at most {@value #MAX_BODY} bytes: a batch of 256 KiB, form-encoded), checks the
 * signature scoped to {@code sns}, and sends the service's answer as it is. Requests reach it through
 * {@link AwsServices}.
 */
final class SnsApi {
    static final int MAX_BODY = 2 * 1024 * 1024;

    private final SnsService service;
    private final Authentication auth;

    SnsApi(SnsService service, Authentication auth) {
        this.service = service;
        this.auth = auth;
    }

    void handle(Exchange x) throws Exception {
        String requestId = RequestIds.next();
        byte[] body = x.body(MAX_BODY);
        if (body.length > MAX_BODY) {
            send(
                    x,
                    service.error(
                            SnsException.of(SnsException.Code.INVALID_PARAMETER, "Invalid parameter: Message too long"),
                            requestId));
            return;
        }
        Caller caller;
        try {
            caller = auth.caller(x, body, AwsServices.SNS);
        } catch (LambdaException e) {
            send(x, service.error(SnsException.of(SnsException.Code.AUTHORIZATION_ERROR, e.getMessage()), requestId));
            return;
        }
        send(
                x,
                service.handle(
                        new SnsService.Request(caller.account(), caller.region(), x.rawQuery(), body), requestId));
    }

    private static void send(Exchange x, SnsService.Response r) {
        x.send(r.status(), Map.of(), r.contentType(), r.body());
    }

    /** For the edge's map of services. */
    static Map.Entry<String, Router.RouteHandler> entry(SnsService service, Authentication auth) {
        SnsApi api = new SnsApi(service, auth);
        return Map.entry(AwsServices.SNS, api::handle);
    }
}
