package dev.spur.pools;

/**
 * What a runtime receives for one invocation.
 *
 * @param clientContext  the decoded client context JSON, or null
 * @param traceId        the {@code Lambda-Runtime-Trace-Id} value
 * @param invokedArn     the ARN the caller used, qualifier included
 * @param notAfterMillis when (epoch milliseconds, the pools' clock) whoever waits for the answer stops waiting:
 *                       the function gets the shorter of its timeout and the time left until then, and an
 *                       invocation with no time left is answered as timed out without running;
 *                       {@link Long#MAX_VALUE} when only the function's timeout applies
 */
public record InvokeInput(
        String requestId,
        byte[] payload,
        String clientContext,
        String traceId,
        String invokedArn,
        long notAfterMillis) {

    /** An invocation bounded by its function's timeout only. */
    public InvokeInput(String requestId, byte[] payload, String clientContext, String traceId, String invokedArn) {
        this(requestId, payload, clientContext, traceId, invokedArn, Long.MAX_VALUE);
    }
}
