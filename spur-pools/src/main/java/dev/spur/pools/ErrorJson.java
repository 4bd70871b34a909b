package dev.spur.pools;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.spur.common.Json;
import dev.spur.logs.PlatformLog;
import dev.spur.runtimeapi.RuntimeApiEndpoint;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Lambda's platform error payloads, {@code {"errorType": …, "errorMessage": …}}, in Lambda's words:
 * what an invocation answers when the platform, not the function, says how it ended (init errors
 * are {@link InitFailure}'s).
 */
final class ErrorJson {
    /** The error types a runtime may report as its own; anything else is {@code Runtime.Unknown}. */
    private static final Pattern LAMBDA_ERROR_TYPE = Pattern.compile("(Runtime|Function)\\.[A-Z][a-zA-Z]+");

    private ErrorJson() {}

    private static String of(String errorType, String errorMessage) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("errorType", errorType);
        body.put("errorMessage", errorMessage);
        try {
            return Json.MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(String errorType, String errorMessage) {
        return of(errorType, errorMessage).getBytes(StandardCharsets.UTF_8);
    }

    /** The error type a runtime posted, if it is one of Lambda's forms, else {@code Runtime.Unknown}. */
    static String runtimeErrorType(String posted) {
        return posted != null && LAMBDA_ERROR_TYPE.matcher(posted).matches() ? posted : "Runtime.Unknown";
    }

    /** For a runtime that posted an error with an empty body. */
    static byte[] withoutDetails(String errorType) {
        return bytes(errorType, "The runtime reported an error without details");
    }

    /** {@code Sandbox.Timedout}: the invocation's deadline passed. */
    static byte[] timedOut(String requestId, long timeoutNanos) {
        return bytes(
                "Sandbox.Timedout", "RequestId: " + requestId + " Error: " + PlatformLog.taskTimedOut(timeoutNanos));
    }

    /** {@code Function.ResponseSizeTooLarge}: the runtime's response was refused unread. */
    static byte[] responseTooLarge(long declaredBytes) {
        return bytes(
                "Function.ResponseSizeTooLarge",
                "Response payload size (" + declaredBytes + " bytes) exceeded maximum allowed payload size ("
                        + RuntimeApiEndpoint.MAX_PAYLOAD_BYTES + " bytes).");
    }

    /** The runtime exited during the invocation ({@code how}: Lambda's wording of the exit status). */
    static byte[] exited(String requestId, String errorType, String how) {
        return bytes(errorType, "RequestId: " + requestId + " Error: Runtime exited with error: " + how);
    }
}
