package dev.spur.edge;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * A response whose body is written as it is produced (chunked): {@link #start} sets the status and
 * headers, each {@link #write} goes to the client before it returns, {@link #close} ends the body. Not
 * thread-safe: one thread writes at a time (callers serialise).
 *
 * <p>Failure semantics: a write to a client that has gone throws {@link IOException}; the response is
 * then over, and later writes fail at once.
 */
final class ByteStream implements AutoCloseable {
    private final Response response;
    private final Callback callback;
    private final Runnable onStart;
    private boolean started;
    private boolean closed;

    ByteStream(Response response, Callback callback, Runnable onStart) {
        this.response = response;
        this.callback = callback;
        this.onStart = onStart;
    }

    boolean started() {
        return started;
    }

    /** Sets the status and headers (sent with the first write); framing headers are this server's. */
    void start(int status, List<Map.Entry<String, String>> headers) {
        started = true;
        onStart.run();
        response.setStatus(status);
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey();
            if (name.equalsIgnoreCase("content-length")
                    || name.equalsIgnoreCase("transfer-encoding")
                    || name.equalsIgnoreCase("connection")) {
                continue;
            }
            response.getHeaders().add(name, h.getValue());
        }
        response.getHeaders().remove(HttpHeader.CONTENT_LENGTH);
    }

    /** Sends all of {@code bytes} now; blocks until written. */
    void write(byte[] bytes) throws IOException {
        write(bytes, 0, bytes.length);
    }

    /** Sends bytes now (the status and headers first, if not yet sent); blocks until written. */
    void write(byte[] bytes, int offset, int length) throws IOException {
        if (closed) {
            throw new IOException("the response is over");
        }
        try (Blocker.Callback done = Blocker.callback()) {
            response.write(false, ByteBuffer.wrap(bytes, offset, length), done);
            done.block();
        } catch (IOException e) {
            closed = true;
            callback.failed(e);
            throw e;
        }
    }

    /** Ends the body. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            response.write(true, ByteBuffer.allocate(0), callback);
        }
    }
}
