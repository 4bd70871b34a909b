package dev.spur.invoke;

import dev.spur.common.Caller;
import java.time.Instant;
import java.util.Optional;

/**
 * An Invoke call as the edge parsed it.
 *
 * @param invocationType {@code RequestResponse}, {@code Event} or {@code DryRun} as sent (validated by the invoker)
 * @param logType        {@code None} or {@code Tail} as sent
 * @param clientContext  the base64 {@code X-Amz-Client-Context} header, if any
 * @param payload        the request body; {@code payloadLength} bytes of it are the payload
 * @param traceHeader    the caller's {@code X-Amzn-Trace-Id}, if any; the invoker makes one otherwise
 * @param queuedAt       when an asynchronous event was accepted, for its trace's queue-wait span
 */
public record InvokeCommand(
        Caller caller,
        String functionName,
        Optional<String> qualifier,
        Optional<String> invocationType,
        Optional<String> logType,
        Optional<String> clientContext,
        byte[] payload,
        int payloadLength,
        String requestId,
        Optional<String> traceHeader,
        Optional<Instant> queuedAt) {
    /** A command that was not queued. */
    public InvokeCommand(
            Caller caller,
            String functionName,
            Optional<String> qualifier,
            Optional<String> invocationType,
            Optional<String> logType,
            Optional<String> clientContext,
            byte[] payload,
            int payloadLength,
            String requestId,
            Optional<String> traceHeader) {
        this(
                caller,
                functionName,
                qualifier,
                invocationType,
                logType,
                clientContext,
                payload,
                payloadLength,
                requestId,
                traceHeader,
                Optional.empty());
    }

    /** A command with no trace header of the caller's. */
    public InvokeCommand(
            Caller caller,
            String functionName,
            Optional<String> qualifier,
            Optional<String> invocationType,
            Optional<String> logType,
            Optional<String> clientContext,
            byte[] payload,
            int payloadLength,
            String requestId) {
        this(
                caller,
                functionName,
                qualifier,
                invocationType,
                logType,
                clientContext,
                payload,
                payloadLength,
                requestId,
                Optional.empty(),
                Optional.empty());
    }
}
