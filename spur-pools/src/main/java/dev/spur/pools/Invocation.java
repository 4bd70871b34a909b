package dev.spur.pools;

import dev.spur.common.Ticker;
import dev.spur.logs.InvocationLog;
import dev.spur.pools.InvocationOutcome.Kind;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One invocation in flight in one environment. Whoever completes it first wins: the runtime's
 * response or error, the deadline, or the runtime's death; later attempts are refused.
 */
final class Invocation {
    final String requestId;
    final byte[] payload;
    final String clientContext;
    final String traceId;
    final String invokedArn;
    final InvocationLog log;
    /** The time the function has, from when the runtime takes the event: what its deadline header says. */
    final long timeoutNanos;
    /** Where a streamed response goes; null when the caller takes the answer buffered. */
    final ResponseRelay relay;

    private final CompletableFuture<Result> result = new CompletableFuture<>();
    /** Set when the runtime takes the event from {@code next}; 0 until then. */
    private volatile long dispatchedNanos;

    Invocation(
            String requestId,
            byte[] payload,
            String clientContext,
            String traceId,
            String invokedArn,
            InvocationLog log,
            long timeoutNanos) {
        this(requestId, payload, clientContext, traceId, invokedArn, log, timeoutNanos, null);
    }

    Invocation(
            String requestId,
            byte[] payload,
            String clientContext,
            String traceId,
            String invokedArn,
            InvocationLog log,
            long timeoutNanos,
            ResponseRelay relay) {
        this.relay = relay;
        this.requestId = requestId;
        this.payload = payload;
        this.clientContext = clientContext;
        this.traceId = traceId;
        this.invokedArn = invokedArn;
        this.log = log;
        this.timeoutNanos = timeoutNanos;
    }

    void markDispatched(long nanos) {
        dispatchedNanos = nanos;
    }

    long dispatchedNanos() {
        return dispatchedNanos;
    }

    /** Completes the invocation unless something else already did; true if this call decided it. */
    boolean complete(Kind kind, byte[] payload, String errorType, long nanos) {
        return result.complete(new Result(kind, payload, errorType, nanos));
    }

    /** The outcome if decided, else null. */
    Result result() {
        return result.getNow(null);
    }

    boolean isDone() {
        return result.isDone();
    }

    /**
     * Waits for the outcome until {@code timeoutNanos} after the runtime took the event (the user's
     * timeout does not include the time before the event was handed over). Returns null at the deadline.
     */
    Result await(long timeoutNanos, long startNanos, Ticker ticker) throws InterruptedException {
        long deadline = startNanos + timeoutNanos;
        while (true) {
            long remaining = deadline - ticker.nanos();
            try {
                if (remaining > 0) {
                    return result.get(remaining, TimeUnit.NANOSECONDS);
                }
            } catch (TimeoutException e) {
                // fall through to re-check the deadline against the dispatch time
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
            long dispatched = dispatchedNanos;
            if (dispatched != 0 && dispatched + timeoutNanos > deadline) {
                deadline = dispatched + timeoutNanos;
                continue;
            }
            return result.getNow(null);
        }
    }

    /** How the invocation ended and when. */
    record Result(Kind kind, byte[] payload, String errorType, long atNanos) {}
}
