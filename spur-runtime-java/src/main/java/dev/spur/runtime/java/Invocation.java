package dev.spur.runtime.java;

/**
 * One event as {@code GET /runtime/invocation/next} delivered it.
 *
 * @param deadlineMs      epoch milliseconds; {@link Long#MAX_VALUE} if the server sent none
 * @param functionArn     may be null, like the optional headers after it
 * @param clientContext   the {@code Lambda-Runtime-Client-Context} JSON text, or null
 * @param cognitoIdentity the {@code Lambda-Runtime-Cognito-Identity} JSON text, or null
 */
record Invocation(
        String requestId,
        long deadlineMs,
        String functionArn,
        String traceId,
        String clientContext,
        String cognitoIdentity,
        byte[] event) {}
