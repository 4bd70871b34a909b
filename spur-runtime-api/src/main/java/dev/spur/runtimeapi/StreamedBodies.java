package dev.spur.runtimeapi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.Optional;

/** Helpers for reading a {@link StreamedBody}: all of it within a limit, and its error trailers. */
public final class StreamedBodies {
    private StreamedBodies() {}

    /** The whole body, or null once it exceeds {@code limit} bytes (the rest is left unread). */
    public static byte[] buffer(StreamedBody body, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        int n;
        while ((n = body.read(buffer, 0, buffer.length)) >= 0) {
            if (out.size() + n > limit) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /**
     * The mid-stream error's body from its base64 trailer, after the body ended; an empty array when
     * the trailer is absent or is not base64 (Spur then writes Lambda's error document itself).
     */
    public static byte[] errorBody(StreamedBody body) {
        Optional<String> encoded = body.trailer(StreamedBody.ERROR_BODY_TRAILER);
        if (encoded.isEmpty()) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(encoded.get().trim());
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }
}
