package dev.spur.edge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.ErrorCode;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place an exception becomes a wire error: {@code x-amzn-ErrorType} plus a JSON body with
 * {@code Type} and {@code message} (and {@code Reason} and {@code Retry-After} for throttles), as
 * Lambda answers. Unexpected exceptions become 500 ServiceException with a generic message; their
 * detail goes to the server log only.
 */
final class WireErrors {
    private static final System.Logger LOG = System.getLogger(WireErrors.class.getName());

    private WireErrors() {}

    static void send(Exchange exchange, String requestId, Throwable error) {
        LambdaException e = error instanceof LambdaException le
                ? le
                : LambdaException.internal(
                        "An internal error occurred; see the Spur server log for request " + requestId + ".", error);
        if (e.code() == ErrorCode.SERVICE) {
            LOG.log(Level.ERROR, "request " + requestId + " failed", e.getCause() != null ? e.getCause() : e);
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("Type", e.code() == ErrorCode.SERVICE ? "Service" : "User");
        body.put("message", e.getMessage());
        e.reason().ifPresent(r -> body.put("Reason", r));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-amzn-ErrorType", e.code().type());
        headers.put("x-amzn-RequestId", requestId);
        if (e.code() == ErrorCode.TOO_MANY_REQUESTS) {
            headers.put("Retry-After", Integer.toString(Math.max(1, e.retryAfterSeconds())));
        }
        byte[] bytes;
        try {
            bytes = Json.MAPPER.writeValueAsBytes(body);
        } catch (Exception encodeFailed) {
            bytes = "{\"Type\":\"Service\",\"message\":\"internal error\"}".getBytes();
        }
        exchange.send(e.code().status(), headers, "application/json", bytes);
    }
}
