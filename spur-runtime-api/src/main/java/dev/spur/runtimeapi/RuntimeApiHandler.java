package dev.spur.runtimeapi;

import java.io.IOException;
import java.util.Optional;

/**
 * What one execution environment does when its runtime calls the Runtime API. The endpoint parses
 * HTTP and calls these; the environment owns the state machine behind them.
 *
 * <p>All methods are called from the connection's virtual thread; several may run at once if a
 * runtime opens several connections, so implementations must be thread-safe.
 */
public interface RuntimeApiHandler {

    /**
     * {@code GET /runtime/invocation/next}: blocks until the environment has an event for the runtime.
     * The deadline is fixed at this moment, when the event is handed over, not when it was requested.
     *
     * @throws InterruptedException if the environment stops while the runtime waits; the endpoint then
     *                              closes the connection
     */
    NextEvent awaitNext() throws InterruptedException;

    /** {@code POST /runtime/invocation/{id}/response}. */
    Answer response(String requestId, byte[] body);

    /**
     * {@code POST /runtime/invocation/{id}/response} with {@code Lambda-Runtime-Function-Response-Mode:
     * streaming}: the handler reads {@code body} on this (the connection's) thread as it arrives and
     * passes it on; the answer goes to the runtime after the body ended, or earlier if the handler
     * stopped reading (a limit), and then the connection closes. The default buffers the body (within
     * the 6 MB limit) and treats it as {@link #response}, or {@link #error} when its trailers name one.
     */
    default Answer streamResponse(String requestId, StreamedBody body) throws IOException {
        byte[] bytes = StreamedBodies.buffer(body, RuntimeApiEndpoint.MAX_PAYLOAD_BYTES);
        if (bytes == null) {
            responseTooLarge(requestId, RuntimeApiEndpoint.MAX_PAYLOAD_BYTES + 1L);
            return Answer.RESPONSE_TOO_LARGE;
        }
        Optional<String> errorType = body.trailer(StreamedBody.ERROR_TYPE_TRAILER);
        if (errorType.isPresent()) {
            return error(requestId, errorType.get(), StreamedBodies.errorBody(body));
        }
        return response(requestId, bytes);
    }

    /** {@code POST /runtime/invocation/{id}/error}; {@code errorType} is the header's value or null. */
    Answer error(String requestId, String errorType, byte[] body);

    /** {@code POST /runtime/init/error}. */
    Answer initError(String errorType, byte[] body);

    /** A response or error body for {@code requestId} exceeded the limit; the runtime has been told 413. */
    void responseTooLarge(String requestId, long declaredBytes);

    /** An event as the runtime receives it from {@code next}. Null strings mean the header is absent. */
    record NextEvent(
            String requestId,
            long deadlineEpochMillis,
            String invokedFunctionArn,
            String traceId,
            String clientContext,
            String cognitoIdentity,
            byte[] payload) {}

    /** How the endpoint answers a runtime's post. */
    enum Answer {
        /** 202 {@code {"status":"OK"}}. */
        ACCEPTED(202, null, null),
        /** 400: no such request is in flight in this environment. */
        INVALID_REQUEST_ID(400, "InvalidRequestID", "Invalid request ID"),
        /** 403: the request is known but cannot take this post now (already answered, init already done). */
        INVALID_STATE_TRANSITION(403, "InvalidStateTransition", "State transition is not allowed"),
        /** 413: the response exceeded its limit; the rest of its body is not read. */
        RESPONSE_TOO_LARGE(413, "RequestEntityTooLarge", "Exceeded maximum allowed payload size."),
        /** 500: the environment is going away; runtimes exit on it. */
        CONTAINER_ERROR(500, "ContainerError", "The environment is shutting down");

        final int status;
        final String errorType;
        final String message;

        Answer(int status, String errorType, String message) {
            this.status = status;
            this.errorType = errorType;
            this.message = message;
        }
    }
}
