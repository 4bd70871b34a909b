package dev.spur.gateway;

import java.io.IOException;
import java.util.Arrays;

/**
 * A request's body, read when the service is ready for it: after it knows the API or URL exists,
 * and with the service's own limit.
 */
@FunctionalInterface
public interface RequestBody {

    /**
     * Reads the body, at most {@code limit + 1} bytes, so that an oversized body is detected without
     * reading all of it. Called at most once per request.
     *
     * <p>Failure semantics: an {@link IOException} means the body could not be read (the client's
     * stream broke off or was malformed); nothing has been invoked yet, and the service answers it.
     */
    byte[] read(int limit) throws IOException;

    /** A body already in memory. */
    static RequestBody of(byte[] bytes) {
        return limit -> bytes.length > limit ? Arrays.copyOf(bytes, limit + 1) : bytes;
    }
}
