package dev.spur.pools;

import dev.spur.logs.InvocationLog;

/**
 * How one invocation ended, with what the caller gets back and what the REPORT line needs.
 *
 * @param payload     the function's response, or Lambda's error JSON for every kind but SUCCESS
 * @param errorType   null on success
 * @param initNanos   the init phase this invocation waited for, or -1 on a warm start
 * @param log         this invocation's log, still open for the END and REPORT lines
 */
public record InvocationOutcome(
        Kind kind,
        byte[] payload,
        String errorType,
        long durationNanos,
        long initNanos,
        long maxMemoryBytes,
        InvocationLog log) {

    public enum Kind {
        /** The runtime posted a response. */
        SUCCESS,
        /** The runtime posted an error for the invocation. */
        FUNCTION_ERROR,
        /** The environment failed to initialise (posted init/error, exited, or could not start). */
        INIT_ERROR,
        /** The deadline passed; the environment was killed. */
        TIMEOUT,
        /** The runtime process exited during the invocation; the environment is replaced. */
        EXIT_ERROR,
        /** The runtime's response exceeded 6 MB. */
        RESPONSE_TOO_LARGE
    }

    public boolean isError() {
        return kind != Kind.SUCCESS;
    }

    public long maxMemoryUsedMb() {
        return (maxMemoryBytes + (1024 * 1024 - 1)) / (1024 * 1024);
    }
}
