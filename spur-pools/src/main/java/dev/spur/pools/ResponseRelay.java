package dev.spur.pools;

import dev.spur.common.Ticker;
import dev.spur.pools.InvocationOutcome.Kind;
import dev.spur.runtimeapi.RuntimeApiHandler.Answer;
import dev.spur.runtimeapi.StreamedBodies;
import dev.spur.runtimeapi.StreamedBody;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * Relays one invocation's streamed response from its runtime to its caller's {@link ResponseSink}, with
 * Lambda's limits.
 *
 * <p><b>Path.</b> The runtime's {@code POST …/response} with {@code Lambda-Runtime-Function-Response-Mode:
 * streaming} arrives on its Runtime API connection's virtual thread, which runs {@link #pump}: read a piece
 * of the chunked body (at most {@value #PIECE} bytes, as it arrives), write it to the sink, repeat. No
 * copy of the body is kept: a piece is in one buffer at a time. At the body's end its trailers decide the
 * outcome — success, or a mid-stream error ({@code Lambda-Runtime-Function-Error-Type}, base64
 * {@code …-Error-Body}) — and the invocation completes then: duration, REPORT and billing end when the
 * stream ends. The invoking thread meanwhile waits in {@link Invocation#await} as for any invocation, so
 * the deadline still applies.
 *
 * <p><b>Limits</b> (Lambda's): the first {@value #UNTHROTTLED_BYTES} bytes go as fast as the caller
 * takes them; after that the relay paces itself to {@value #BYTES_PER_SECOND} bytes per second (it
 * sleeps between pieces, so the runtime's writes back up); past {@value #MAX_BYTES} bytes the invocation
 * fails with {@code Function.ResponseSizeTooLarge}, the rest of the body is not read, and the runtime is
 * answered 413.
 *
 * <p><b>Cut.</b> At the deadline the invoking thread completes the invocation with a timeout, then
 * {@link #close}s the relay — waiting for a write in progress, so the sink is never written after
 * {@code Lease.invoke} returns — and the environment is stopped, which breaks the connection under the
 * pump. One lock orders writes against {@link #close}; nothing else is shared.
 */
final class ResponseRelay {
    /** Lambda's maximum streamed response: 200 MB. */
    static final long MAX_BYTES = 200L * 1024 * 1024;
    /** What Lambda streams unthrottled before it limits bandwidth: 6 MB. */
    static final long UNTHROTTLED_BYTES = 6L * 1024 * 1024;
    /** Lambda's bandwidth after the first 6 MB: 2 MB/s. */
    static final long BYTES_PER_SECOND = 2L * 1024 * 1024;

    private static final int PIECE = 64 * 1024;

    private final ResponseSink sink;
    /** Waits the given nanoseconds: the throttle's pause (a test records it instead). */
    private final LongConsumer pause;

    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;
    private boolean began;
    private boolean callerGone;

    ResponseRelay(ResponseSink sink) {
        this(sink, ResponseRelay::sleep);
    }

    ResponseRelay(ResponseSink sink, LongConsumer pause) {
        this.sink = sink;
        this.pause = pause;
    }

    /**
     * Reads the runtime's streamed body to its end (or a limit) on the connection's thread, passing it
     * on, then completes the invocation. Returns how the Runtime API answers the runtime.
     */
    Answer pump(Invocation inv, StreamedBody body, Ticker ticker) throws IOException {
        if (!begin(body.contentType())) {
            return Answer.INVALID_STATE_TRANSITION;
        }
        byte[] buffer = new byte[PIECE];
        long total = 0;
        long throttledSince = 0;
        int n;
        while ((n = body.read(buffer, 0, buffer.length)) >= 0) {
            total += n;
            if (total > MAX_BYTES) {
                inv.complete(
                        Kind.RESPONSE_TOO_LARGE,
                        ErrorJson.bytes(
                                "Function.ResponseSizeTooLarge",
                                "Response payload size exceeded maximum allowed payload size (" + MAX_BYTES
                                        + " bytes)."),
                        "Function.ResponseSizeTooLarge",
                        ticker.nanos());
                return Answer.RESPONSE_TOO_LARGE;
            }
            write(buffer, n);
            if (total > UNTHROTTLED_BYTES) {
                if (throttledSince == 0) {
                    throttledSince = ticker.nanos();
                }
                pace(total - UNTHROTTLED_BYTES, throttledSince, ticker);
            }
        }
        Optional<String> errorType = body.trailer(StreamedBody.ERROR_TYPE_TRAILER);
        boolean decided;
        if (errorType.isPresent()) {
            byte[] error = StreamedBodies.errorBody(body);
            String type = ErrorJson.runtimeErrorType(errorType.get());
            decided = inv.complete(
                    Kind.FUNCTION_ERROR,
                    error.length == 0 ? ErrorJson.withoutDetails(type) : error,
                    type,
                    ticker.nanos());
        } else {
            decided = inv.complete(Kind.SUCCESS, new byte[0], null, ticker.nanos());
        }
        return decided ? Answer.ACCEPTED : Answer.INVALID_STATE_TRANSITION;
    }

    /** Pauses until {@code bytes} past the unthrottled part have taken their time at Lambda's bandwidth. */
    private void pace(long bytes, long since, Ticker ticker) {
        long due = since + bytes * 1_000_000_000L / BYTES_PER_SECOND;
        long wait = due - ticker.nanos();
        if (wait > 0) {
            pause.accept(wait);
        }
    }

    private static void sleep(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Tells the sink the stream began; false if the invocation was already cut. */
    private boolean begin(Optional<String> contentType) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            began = true;
            try {
                sink.begin(contentType);
            } catch (IOException e) {
                callerGone = true;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void write(byte[] buffer, int n) {
        lock.lock();
        try {
            if (closed || callerGone) {
                return; // cut, or nobody is listening: read and dropped
            }
            sink.write(buffer, 0, n);
        } catch (IOException e) {
            callerGone = true;
        } finally {
            lock.unlock();
        }
    }

    /** No more writes reach the sink after this returns; waits for one in progress. */
    void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the runtime began streaming (the sink was told). Read after {@link #close}. */
    boolean began() {
        lock.lock();
        try {
            return began;
        } finally {
            lock.unlock();
        }
    }
}
