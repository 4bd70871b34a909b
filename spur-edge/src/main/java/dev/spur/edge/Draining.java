package dev.spur.edge;

import dev.spur.common.RequestIds;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The edge's outermost handler: counts requests in progress so that a graceful stop
 * ({@link EdgeServer#close(java.time.Duration)}) can wait for them, and once the stop has begun
 * answers every new request on a connection that is still open with 503 and {@code Connection: close}
 * — in Lambda's error shape ({@code ServiceException}, which the AWS SDKs retry), or, for the health
 * check, {@code {"status":"draining"}}. New connections are refused by then: the connector has closed
 * its listening socket.
 */
final class Draining extends GracefulHandler {
    static final String HEALTH = "/spur/v1/health";

    private static final byte[] DRAINING = "{\"status\":\"draining\"}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REFUSED =
            ("{\"Type\":\"Service\",\"message\":\"This Spur node is shutting down; send the request again "
                            + "(another node, or this one once it is back, will take it).\"}")
                    .getBytes(StandardCharsets.US_ASCII);

    Draining(Handler handler) {
        super(handler);
    }

    @Override
    protected void handleShutdownRejection(Request request, Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        Exchange x = new Exchange(request, response, callback, Map.of());
        if ("GET".equals(request.getMethod())
                && HEALTH.equals(request.getHttpURI().getPath())) {
            x.send(503, Map.of(), "application/json", DRAINING);
        } else {
            x.send(
                    503,
                    Map.of("x-amzn-ErrorType", "ServiceException", "x-amzn-RequestId", RequestIds.next()),
                    "application/json",
                    REFUSED);
        }
    }
}
