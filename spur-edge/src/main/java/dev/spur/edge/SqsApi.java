package dev.spur.edge;

import dev.spur.common.Caller;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.sqs.SqsException;
import dev.spur.sqs.SqsService;
import java.util.Map;

/**
 * SQS on Spur's port: the HTTP adapter of {@link SqsService} (which holds both protocols and every
 * operation). It reads the body (at most {@value #MAX_BODY} bytes: ten messages of 1 MiB each, encoded),
 * checks the signature as Lambda's API does but scoped to {@code sqs}, and sends the service's answer as
 * it is. Requests reach it through {@link AwsServices}.
 */
final class SqsApi {
    static final int MAX_BODY = 16 * 1024 * 1024;

    private final SqsService service;
    private final Authentication auth;

    SqsApi(SqsService service, Authentication auth) {
        this.service = service;
        this.auth = auth;
    }

    void handle(Exchange x) throws Exception {
        String requestId = RequestIds.next();
        byte[] body = x.body(MAX_BODY);
        SqsService.Request unsigned = request(x, new Caller(Caller.DEFAULT_ACCOUNT, Caller.DEFAULT_REGION), body);
        if (body.length > MAX_BODY) {
            send(
                    x,
                    service.error(
                            unsigned,
                            SqsException.of(
                                    SqsException.Code.BATCH_REQUEST_TOO_LONG,
                                    "The request must be smaller than %d bytes.",
                                    MAX_BODY),
                            requestId));
            return;
        }
        Caller caller;
        try {
            caller = auth.caller(x, body, AwsServices.SQS);
        } catch (LambdaException e) {
            send(
                    x,
                    service.error(
                            unsigned,
                            SqsException.withCode(
                                    SqsException.Code.ACCESS_DENIED, e.code().type(), e.getMessage()),
                            requestId));
            return;
        }
        send(x, service.handle(request(x, caller, body), requestId));
    }

    private static SqsService.Request request(Exchange x, Caller caller, byte[] body) {
        return new SqsService.Request(
                caller.account(),
                caller.region(),
                "http://" + x.authority(),
                x.path(),
                x.header("X-Amz-Target").orElse(null),
                x.header("Content-Type").orElse(null),
                x.rawQuery(),
                body);
    }

    private static void send(Exchange x, SqsService.Response r) {
        x.send(r.status(), r.headers(), r.contentType(), r.body());
    }

    /** For the edge's map of services. */
    static Map.Entry<String, Router.RouteHandler> entry(SqsService service, Authentication auth) {
        SqsApi api = new SqsApi(service, auth);
        return Map.entry(AwsServices.SQS, api::handle);
    }
}
