package dev.spur.gateway;

import dev.spur.common.Caller;
import dev.spur.common.LambdaException;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * How the gateway services run a function: the synchronous invoke path of the server they live in
 * (Spur's wires in its {@code Invoker}; a test gives a function of its own). The services build the
 * event and map the answer; this runs it.
 *
 * <p>Failure semantics: a function's own failure is a {@link Result} with a {@code functionError},
 * not an exception. A {@link LambdaException} means Spur refused or failed the invocation —
 * throttled ({@code TOO_MANY_REQUESTS}, with its Retry-After), too large ({@code REQUEST_TOO_LARGE}),
 * no such function or qualifier, or an internal error; after an internal error the function may have
 * run. The call blocks for as long as the function runs; a caller that must answer sooner waits for it
 * on another thread and stops waiting (the function then runs on to its own timeout).
 */
@FunctionalInterface
public interface FunctionInvoker {

    Result invoke(Call call) throws InterruptedException;

    /**
     * Runs the function for a caller that takes its answer as it is produced (a {@code RESPONSE_STREAM}
     * function URL): if the runtime streams, its bytes go to {@code stream} as they arrive and the result's
     * payload is empty (or the error document after a mid-stream failure or a cut); if it answers buffered,
     * {@code stream} is never called and the result holds the answer. The default runs {@link #invoke}.
     */
    default Result invokeStreaming(Call call, Stream stream) throws InterruptedException {
        return invoke(call);
    }

    /**
     * Where a streamed answer goes, called on the thread that relays it, one call at a time, never after
     * {@link #invokeStreaming} returned. Failure semantics: an {@link IOException} says the client has
     * gone; the function runs on and what it still writes is dropped.
     */
    interface Stream {
        /** The runtime began streaming, with this {@code Content-Type} if it declared one. */
        void begin(Optional<String> contentType) throws IOException;

        /** The next bytes, as the runtime sent them; blocks while the client is slow. */
        void write(byte[] bytes, int offset, int length) throws IOException;
    }

    /**
     * One synchronous invocation.
     *
     * @param caller    the account and region the function belongs to
     * @param function  the function's name
     * @param qualifier a version or alias; empty for the unqualified function
     * @param event     the payload, a JSON document
     * @param requestId the invocation's request id (the function's {@code context.awsRequestId})
     * @param traceHeader the HTTP request's {@code X-Amzn-Trace-Id}, continued by the invocation
     */
    record Call(
            Caller caller,
            String function,
            Optional<String> qualifier,
            byte[] event,
            String requestId,
            Optional<String> traceHeader) {
        public Call {
            Objects.requireNonNull(caller, "caller");
            Objects.requireNonNull(function, "function");
            Objects.requireNonNull(qualifier, "qualifier");
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(traceHeader, "traceHeader");
        }

        /** A call with no trace header of its own (the invoke path makes one). */
        public Call(Caller caller, String function, Optional<String> qualifier, byte[] event, String requestId) {
            this(caller, function, qualifier, event, requestId, Optional.empty());
        }
    }

    /**
     * The function's answer.
     *
     * @param status        the Invoke API's status (200)
     * @param payload       what the function returned, or its error document
     * @param functionError {@code Unhandled} when the function or its runtime failed
     */
    record Result(int status, byte[] payload, Optional<String> functionError) {
        public Result {
            Objects.requireNonNull(payload, "payload");
            Objects.requireNonNull(functionError, "functionError");
        }
    }
}
