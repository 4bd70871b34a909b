package dev.spur.runtimeapi;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A streamed response body as it arrives: chunked (RFC 9112 §7.1, trailer fields kept) or of a
 * declared length. Reads straight from the connection's stream, so nothing is held beyond the
 * caller's buffer; one connection thread reads it.
 */
final class ChunkedBody implements StreamedBody {
    private final InputStream in;
    private final String contentType;
    private final boolean chunked;
    private final Map<String, String> trailers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    /** Bytes left in the current chunk (chunked) or the whole body (declared length). */
    private long left;

    private boolean ended;

    private ChunkedBody(InputStream in, String contentType, boolean chunked, long length) {
        this.in = in;
        this.contentType = contentType;
        this.chunked = chunked;
        this.left = length;
    }

    static ChunkedBody chunked(InputStream in, String contentType) {
        return new ChunkedBody(in, contentType, true, 0);
    }

    static ChunkedBody ofLength(InputStream in, String contentType, long length) {
        return new ChunkedBody(in, contentType, false, Math.max(0, length));
    }

    @Override
    public Optional<String> contentType() {
        return Optional.ofNullable(contentType);
    }

    /** Whether the whole body has been read (then the connection can serve another request). */
    boolean ended() {
        return ended;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (ended) {
            return -1;
        }
        if (left == 0) {
            if (!chunked || !nextChunk()) {
                ended = true;
                return -1;
            }
        }
        int n = in.read(buffer, offset, (int) Math.min(length, left));
        if (n < 0) {
            throw new IOException("connection closed inside a streamed response");
        }
        left -= n;
        if (left == 0 && chunked) {
            line(); // CRLF after the chunk data
        }
        return n;
    }

    /** Reads the next chunk's size line; false at the last chunk (its trailers are read). */
    private boolean nextChunk() throws IOException {
        String sizeLine = line();
        int semi = sizeLine.indexOf(';');
        try {
            left = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
        } catch (NumberFormatException e) {
            throw new IOException("malformed chunk size");
        }
        if (left < 0) {
            throw new IOException("malformed chunk size");
        }
        if (left > 0) {
            return true;
        }
        String field;
        while (!(field = line()).isEmpty()) {
            int colon = field.indexOf(':');
            if (colon > 0 && trailers.size() < 32) {
                trailers.put(
                        field.substring(0, colon).trim(),
                        field.substring(colon + 1).trim());
            }
        }
        return false;
    }

    @Override
    public Optional<String> trailer(String name) {
        return ended ? Optional.ofNullable(trailers.get(name)) : Optional.empty();
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed inside a chunked body");
            }
            if (b != '\r') {
                sb.append((char) b);
            }
            if (sb.length() > 64 * 1024) {
                throw new IOException("chunk line too long");
            }
        }
        return sb.toString();
    }
}
