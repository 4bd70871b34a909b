package dev.spur.invoke;

import java.util.Optional;

/**
 * What the Invoke API answers.
 *
 * @param status          200 (RequestResponse), 204 (DryRun)
 * @param functionError   {@code Unhandled} when the function or its runtime failed
 * @param logResult       base64 of the last 4 KB of the log, when {@code Tail} was asked for
 */
public record InvokeResult(
        int status,
        byte[] payload,
        Optional<String> functionError,
        Optional<String> logResult,
        String executedVersion) {}
