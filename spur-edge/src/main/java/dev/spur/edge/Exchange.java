package dev.spur.edge;

import dev.spur.gateway.HttpRequestData;
import dev.spur.gateway.HttpResponseData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * One HTTP request and its response, as the routes see them: path parameters, query, headers, a
 * bounded body read, and exactly one answer. Runs on the request's virtual thread, so reading the
 * body and waiting for a function simply block.
 */
final class Exchange {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final Map<String, String> pathParameters;
    private Fields query;
    private byte[] body;
    private boolean answered;

    Exchange(Request request, Response response, Callback callback, Map<String, String> pathParameters) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.pathParameters = pathParameters;
    }

    String method() {
        return request.getMethod();
    }

    String path() {
        return request.getHttpURI().getPath();
    }

    /** A decoded path parameter of the matched route. */
    String pathParameter(String name) {
        return pathParameters.get(name);
    }

    Optional<String> query(String name) {
        if (query == null) {
            query = Request.extractQueryParameters(request);
        }
        return Optional.ofNullable(query.getValue(name));
    }

    /** Every value of a repeated query parameter, in order. */
    List<String> queryValues(String name) {
        if (query == null) {
            query = Request.extractQueryParameters(request);
        }
        List<String> values = query.getValues(name);
        return values == null ? List.of() : values;
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(request.getHeaders().get(name));
    }

    /** The {@code Host} the client used, for URLs that point back at this server. */
    String authority() {
        String host = request.getHeaders().get(HttpHeader.HOST);
        return host != null ? host : Request.getServerName(request) + ":" + Request.getServerPort(request);
    }

    /**
     * Reads at most {@code limit + 1} bytes, so an oversized body is detected without reading all of
     * it. The first read is kept: authentication hashes the body, then the route parses it.
     */
    byte[] body(int limit) throws IOException {
        if (body == null) {
            try (InputStream in = Content.Source.asInputStream(request)) {
                body = in.readNBytes(limit + 1);
            }
        }
        return body;
    }

    /** The path exactly as sent, still percent-encoded. */
    String rawPath() {
        return request.getHttpURI().getPath();
    }

    /** The query exactly as sent, without {@code ?}; null if none. */
    String rawQuery() {
        return request.getHttpURI().getQuery();
    }

    /** Every header in arrival order, duplicates kept. */
    List<Map.Entry<String, String>> headers() {
        List<Map.Entry<String, String>> out =
                new ArrayList<>(request.getHeaders().size());
        for (HttpField field : request.getHeaders()) {
            out.add(Map.entry(field.getName(), field.getValue() == null ? "" : field.getValue()));
        }
        return out;
    }

    String remoteAddress() {
        return Request.getRemoteAddr(request);
    }

    String protocol() {
        return request.getConnectionMetaData().getProtocol();
    }

    /**
     * The request as the gateway services take it, its body not read yet (they read it through
     * {@link #body}).
     *
     * @param rawPath the path the API or URL sees: after its {@code /gw/<id>} or {@code /url/<id>} prefix
     * @param time    when the request arrived
     */
    HttpRequestData requestData(String rawPath, Instant time) {
        return new HttpRequestData(
                method(), rawPath, rawQuery(), headers(), new byte[0], remoteAddress(), protocol(), time);
    }

    /** Sends a gateway or function URL response as it is. */
    void send(HttpResponseData response) {
        send(response.status(), response.headers(), response.body());
    }

    /** Sends a response with any number of headers of the same name (Set-Cookie). */
    void send(int status, List<Map.Entry<String, String>> headers, byte[] body) {
        if (answered) {
            return;
        }
        answered = true;
        response.setStatus(status);
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey();
            if (name.equalsIgnoreCase("content-length")
                    || name.equalsIgnoreCase("transfer-encoding")
                    || name.equalsIgnoreCase("connection")) {
                continue; // framing is this server's business, not the function's
            }
            response.getHeaders().add(name, h.getValue());
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /**
     * Sends the answer. Failure semantics: if the client has gone, the write fails quietly; whatever
     * the request did on the server has happened regardless.
     */
    void send(int status, Map<String, String> headers, String contentType, byte[] body) {
        if (answered) {
            return;
        }
        answered = true;
        response.setStatus(status);
        headers.forEach((k, v) -> response.getHeaders().put(k, v));
        if (body == null) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
            callback.succeeded();
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** Sends a status and headers with no body, {@code Content-Length} as given (a HEAD's answer, a 304). */
    void sendHeaders(int status, Map<String, String> headers, long contentLength) {
        if (answered) {
            return;
        }
        answered = true;
        response.setStatus(status);
        headers.forEach((k, v) -> response.getHeaders().put(k, v));
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, contentLength);
        callback.succeeded();
    }

    boolean answered() {
        return answered;
    }

    /**
     * A response whose body is written as it is produced ({@link ByteStream}); it becomes the answer once
     * {@link ByteStream#start started} (before that, {@link #send} may still answer instead).
     */
    ByteStream byteStream() {
        return new ByteStream(response, callback, () -> answered = true);
    }

    /**
     * Answers 200 with a {@code text/event-stream} whose events are written as they are sent. Failure
     * semantics: a send to a client that has gone throws {@link IOException}; the stream is then over.
     */
    EventStream eventStream() {
        answered = true;
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        return new EventStream(response, callback);
    }

    /** Server-sent events on one response; not thread-safe (one request thread writes). */
    static final class EventStream implements AutoCloseable {
        private final Response response;
        private final Callback callback;
        private boolean closed;

        EventStream(Response response, Callback callback) {
            this.response = response;
            this.callback = callback;
        }

        /** One event: its name and its data (each line its own {@code data:} field). Blocks until written. */
        void send(String event, String data) throws IOException {
            StringBuilder sb = new StringBuilder(data.length() + 32)
                    .append("event: ")
                    .append(event)
                    .append('\n');
            for (String line : data.split("\n", -1)) {
                sb.append("data: ").append(line).append('\n');
            }
            write(sb.append('\n').toString());
        }

        /** A comment line: keeps proxies from closing an idle stream; fails once the client has gone. */
        void ping() throws IOException {
            write(": ping\n\n");
        }

        /** How long the browser waits before reconnecting after the stream ends. */
        void retry(long millis) throws IOException {
            write("retry: " + millis + "\n\n");
        }

        private void write(String text) throws IOException {
            try (Blocker.Callback done = Blocker.callback()) {
                response.write(false, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), done);
                done.block();
            } catch (IOException e) {
                fail(e);
                throw e;
            }
        }

        private void fail(Throwable t) {
            if (!closed) {
                closed = true;
                callback.failed(t);
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                response.write(true, ByteBuffer.allocate(0), callback);
            }
        }
    }
}
