package dev.spur.invoke;

import dev.spur.common.FunctionKey;
import java.time.Instant;
import java.util.Optional;

/**
 * Receives one record per synchronous invocation (or throttled attempt) for a trace exporter. Only
 * present when tracing is on: without one, the invoker reads no extra clock and allocates nothing.
 * Called on the invoking thread after the invocation ended; implementations hand the record off and
 * return (an exporter batches and sends in the background, dropping spans rather than blocking).
 */
@FunctionalInterface
public interface InvocationTracer {
    void record(Invocation invocation);

    /**
     * What one invocation's spans are made of.
     *
     * @param callerHeader       the {@code X-Amzn-Trace-Id} the caller sent (or the event was stored with)
     * @param traceHeader        the header the runtime received: its {@code Root} is the trace, its
     *                           {@code Parent} the invocation's span id
     * @param queuedAt           when an asynchronous event was accepted (queue wait = up to {@code received})
     * @param received           when the invoke path started
     * @param admitted           when an environment was acquired (after a cold start); null when throttled
     * @param sandboxLaunchNanos on a cold start, the sandbox's launch; else 0
     * @param initNanos          on a cold start, the runtime's init; else -1
     * @param runNanos           from dispatch to the runtime's answer
     * @param ended              when the outcome was known
     * @param outcome            {@code Success}, the outcome kind, or {@code Throttled}
     * @param errorType          the error type, or null
     */
    record Invocation(
            FunctionKey function,
            String version,
            String alias,
            String requestId,
            Optional<String> callerHeader,
            String traceHeader,
            Optional<Instant> queuedAt,
            Instant received,
            Instant admitted,
            long sandboxLaunchNanos,
            long initNanos,
            long runNanos,
            Instant ended,
            String outcome,
            String errorType) {}
}
