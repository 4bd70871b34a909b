package dev.spur.pools;

/**
 * What a runtime receives for one invocation.
 *
 * @param clientContext the decoded client context JSON, or null
 * @param traceId       the {@code Lambda-Runtime-Trace-Id} value
 * @param invokedArn    the ARN the caller used, qualifier included
 */
public record InvokeInput(String requestId, byte[] payload, String clientContext, String traceId, String invokedArn) {}
