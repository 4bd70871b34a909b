package dev.spur.edge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.common.RequestIds;
import java.util.Map;

/**
 * How Spur's own API ({@code /spur/v1}) answers: the work's JSON with {@code x-amzn-RequestId}, no
 * body when it returns null, or the error in Lambda's shape ({@link WireErrors}).
 */
final class JsonAnswer {
    private JsonAnswer() {}

    @FunctionalInterface
    interface Work {
        /** The answer's body, or null for none. */
        JsonNode run() throws Exception;
    }

    static void send(Exchange x, int status, Work work) {
        String requestId = RequestIds.next();
        try {
            JsonNode result = work.run();
            x.send(
                    status,
                    Map.of("x-amzn-RequestId", requestId),
                    "application/json",
                    result == null ? null : Json.MAPPER.writeValueAsBytes(result));
        } catch (Throwable t) {
            WireErrors.send(x, requestId, t);
        }
    }
}
