package dev.spur.runtime.java;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The Runtime API over one keep-alive HTTP/1.1 connection on a plain {@link Socket}.
 *
 * <p>Neither {@code java.net.http.HttpClient} (about 600 ms of class loading) nor
 * {@code HttpURLConnection} (its URL handler and keep-alive cache) is used: the client sends four
 * fixed request shapes and reads bodies framed by {@code Content-Length}, or defensively chunked or
 * ended by close. Not thread-safe; the runtime loop is its only caller.
 *
 * <p>Failure semantics: every call reconnects once if the kept-alive connection turns out to be
 * closed before any response byte arrived. For {@code next} that is always safe; for the posts the
 * server may then see the same report twice and answers the second with 403, which is ignored. A
 * {@link Fatal} (500 from the server, or {@code next} failing) means the runtime must exit.
 */
final class RuntimeApiClient implements AutoCloseable {
    private static final String BASE = "/2018-06-01/runtime/";

    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private Connector connector;

    /** @param hostAndPort {@code AWS_LAMBDA_RUNTIME_API}, e.g. {@code 127.0.0.1:9001} */
    RuntimeApiClient(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("AWS_LAMBDA_RUNTIME_API is not host:port: " + hostAndPort);
        }
        String name = hostAndPort.substring(0, colon);
        this.host = name.startsWith("[") ? name.substring(1, name.length() - 1) : name;
        this.port = Integer.parseInt(hostAndPort.substring(colon + 1));
    }

    /**
     * Starts connecting on a background thread. Java networking's start-up (socket implementation,
     * security properties, socket options) costs tens of milliseconds of class loading; done here it
     * overlaps loading the user's handler on the main thread. The first call waits for it; if it
     * failed, that call connects again itself and reports the failure.
     */
    void connectInBackground() {
        connector = new Connector(host, port);
        connector.start();
    }

    /** Long-polls for the next event; blocks for as long as the server holds it. */
    Invocation next() throws IOException {
        return invocation(exchange("GET", BASE + "invocation/next", null, null));
    }

    /** The event a {@code next} response carries; {@link Fatal} if it is not one. */
    static Invocation invocation(Response response) {
        if (response.status != 200) {
            throw new Fatal("GET next answered " + response.status + ": " + response.text());
        }
        Map<String, String> h = response.headers;
        String id = h.get("lambda-runtime-aws-request-id");
        if (id == null) {
            throw new Fatal("GET next answered without Lambda-Runtime-Aws-Request-Id");
        }
        String deadline = h.get("lambda-runtime-deadline-ms");
        return new Invocation(
                id,
                deadline == null ? Long.MAX_VALUE : Long.parseLong(deadline.trim()),
                h.get("lambda-runtime-invoked-function-arn"),
                h.get("lambda-runtime-trace-id"),
                h.get("lambda-runtime-client-context"),
                h.get("lambda-runtime-cognito-identity"),
                response.body);
    }

    void postResponse(String requestId, byte[] result) throws IOException {
        checkAccepted(exchange("POST", BASE + "invocation/" + requestId + "/response", null, result));
    }

    void postError(String requestId, String errorType, byte[] errorJson) throws IOException {
        checkAccepted(exchange("POST", BASE + "invocation/" + requestId + "/error", errorType, errorJson));
    }

    void postInitError(String errorType, byte[] errorJson) throws IOException {
        checkAccepted(exchange("POST", BASE + "init/error", errorType, errorJson));
    }

    private static void checkAccepted(Response response) {
        if (response.status == 500) {
            throw new Fatal("Runtime API answered 500: " + response.text());
        }
        if (response.status != 202) {
            // 413 (result too large) or 403 (a duplicate report): the server has already decided the outcome.
            System.err.println("spur: Runtime API answered " + response.status + ": " + response.text());
        }
    }

    private Response exchange(String method, String path, String errorType, byte[] body) throws IOException {
        byte[] head = requestHead(method, path, errorType, body);
        boolean fresh = socket == null;
        try {
            return send(head, body);
        } catch (StaleConnection e) {
            if (fresh) {
                throw e;
            }
            close();
            return send(head, body);
        }
    }

    private byte[] requestHead(String method, String path, String errorType, byte[] body) {
        StringBuilder sb = new StringBuilder(160)
                .append(method)
                .append(' ')
                .append(path)
                .append(" HTTP/1.1\r\n")
                .append("Host: ")
                .append(host)
                .append(':')
                .append(port)
                .append("\r\n")
                .append("User-Agent: spur-runtime-java\r\n");
        if (body != null) {
            sb.append("Content-Type: application/json\r\nContent-Length: ")
                    .append(body.length)
                    .append("\r\n");
        }
        if (errorType != null) {
            sb.append("Lambda-Runtime-Function-Error-Type: ").append(errorType).append("\r\n");
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private Response send(byte[] head, byte[] body) throws IOException {
        if (socket == null) {
            socket = connector == null ? connect(host, port) : connector.await();
            connector = null;
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = socket.getOutputStream();
        }
        try {
            out.write(head);
            if (body != null) {
                out.write(body);
            }
            out.flush();
            in.mark(1);
            if (in.read() < 0) {
                throw new EOFException("connection closed by the Runtime API");
            }
            in.reset();
        } catch (IOException e) {
            throw new StaleConnection(e);
        }
        Response response = readResponse(in);
        if (response.closes) {
            close();
        }
        return response;
    }

    private static Socket connect(String host, int port) throws IOException {
        Socket socket = new Socket(Proxy.NO_PROXY); // skips the proxy selector and SOCKS machinery
        socket.connect(new InetSocketAddress(host, port));
        socket.setTcpNoDelay(true);
        return socket;
    }

    /**
     * Reads one response: status line, headers (names lower-cased), and a body framed by
     * {@code Content-Length}, chunked encoding, or the end of the stream.
     */
    static Response readResponse(InputStream in) throws IOException {
        String statusLine = readLine(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new HashMap<>();
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(
                        line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
        }
        String length = headers.get("content-length");
        boolean closes = "close".equalsIgnoreCase(headers.get("connection"));
        byte[] body;
        if (length != null) {
            body = readExactly(in, Integer.parseInt(length.trim()));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = readChunked(in);
        } else {
            body = in.readAllBytes();
            closes = true;
        }
        return new Response(status, headers, body, closes);
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (!readLine(in).isEmpty()) {
                    // trailers carry nothing a runtime needs
                }
                return body.toByteArray();
            }
            body.write(readExactly(in, size));
            readLine(in);
        }
    }

    private static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new EOFException("connection closed after " + bytes.length + " of " + length + " body bytes");
        }
        return bytes;
    }

    /** One CRLF- (or LF-) terminated line, decoded as UTF-8 so JSON headers keep their characters. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed by the Runtime API");
            }
            line.write(b);
        }
        int n = line.size();
        byte[] bytes = line.toByteArray();
        return new String(bytes, 0, n > 0 && bytes[n - 1] == '\r' ? n - 1 : n, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // already gone
            }
            socket = null;
        }
    }

    /** @param closes whether the server ends the connection after this response */
    record Response(int status, Map<String, String> headers, byte[] body, boolean closes) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A connection being opened on its own thread; a named class, not a lambda, to keep indy off the start-up path. */
    private static final class Connector extends Thread {
        private final String host;
        private final int port;
        private volatile Socket socket;

        Connector(String host, int port) {
            super("spur-connect");
            setDaemon(true);
            this.host = host;
            this.port = port;
        }

        @Override
        public void run() {
            try {
                socket = connect(host, port);
            } catch (IOException e) {
                // await() connects again on the caller's thread and reports the failure there
            }
        }

        @SuppressWarnings("PMD.UnnecessaryFullyQualifiedName") // Thread. says whose thread is interrupted
        Socket await() throws IOException {
            try {
                join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the caller's thread, not this Connector
            }
            return socket != null ? socket : connect(host, port);
        }
    }

    /** The kept-alive connection failed before the response started; safe to retry once on a new one. */
    private static final class StaleConnection extends IOException {
        private static final long serialVersionUID = 1L;

        StaleConnection(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** The Runtime API told the runtime to stop, or cannot be used any more: exit. */
    static final class Fatal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Fatal(String message) {
            super(message);
        }
    }
}
