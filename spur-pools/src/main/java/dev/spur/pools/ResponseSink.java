package dev.spur.pools;

import java.io.IOException;
import java.util.Optional;

/**
 * Where a streamed response goes as the function produces it: the caller of
 * {@code InvokeWithResponseStream} or of a {@code RESPONSE_STREAM} function URL. Given to
 * {@link Lease#invoke(InvokeInput, ResponseSink)}; called on the Runtime API connection's thread, one
 * call at a time, never after that {@code invoke} has returned.
 *
 * <p>Back-pressure: {@link #write} blocks while the caller is slow, and the runtime's next bytes are
 * not read meanwhile (its own writes then block too, as TCP fills). Failure semantics: an
 * {@link IOException} says the caller has gone; the function runs on to its end or its timeout, and
 * what it still writes is read and dropped.
 */
public interface ResponseSink {

    /**
     * The version that runs, told before the invocation is dispatched (for {@code X-Amz-Executed-Version}).
     * Called by the invoke path, once; the default ignores it.
     */
    default void executedVersion(String version) {}

    /**
     * The runtime started streaming its answer; called once, before the first {@link #write}. Not
     * called at all when the runtime answers buffered (the outcome's payload then holds the answer).
     *
     * @param contentType the {@code Content-Type} the runtime declared, if any
     */
    void begin(Optional<String> contentType) throws IOException;

    /** The next bytes of the response, as the runtime sent them. */
    void write(byte[] bytes, int offset, int length) throws IOException;
}
