package dev.spur.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 by hand over one socket: writes exactly the bytes a test gives it and reads back what the
 * server answers, one response at a time, so malformed requests reach the server as they are and
 * keep-alive can be observed. Reads wait at most 10 s.
 */
final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static RawHttp connect(int port) {
        try {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            return new RawHttp(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One request on a fresh connection, and its answer. */
    static Response exchange(int port, String request) {
        try (RawHttp http = connect(port)) {
            return http.send(request).read();
        }
    }

    /** {@code method path} with a {@code Host} header, {@code headers} and a body with its Content-Length, and its answer. */
    static Response call(int port, String method, String path, Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("Content-Length: ").append(body.length).append("\r\n");
        try (RawHttp http = connect(port)) {
            return http.send(request(head.toString(), body)).read();
        }
    }

    static Response get(int port, String path) {
        return call(port, "GET", path, Map.of(), new byte[0]);
    }

    static Response post(int port, String path, String json) {
        return call(
                port, "POST", path, Map.of("Content-Type", "application/json"), json.getBytes(StandardCharsets.UTF_8));
    }

    /** Closes the sending side only: the server sees the end of the request stream, and can still answer. */
    RawHttp shutdownOutput() {
        try {
            socket.shutdownOutput();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A request whose head is {@code head} (CRLF-terminated lines, without the blank line) and body {@code body}. */
    static byte[] request(String head, byte[] body) {
        byte[] h = (head + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    RawHttp send(String ascii) {
        return send(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawHttp send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next response (a {@code 100 Continue} is one too). */
    Response read() {
        try {
            String statusLine = line();
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (String line = line(); !line.isEmpty(); line = line()) {
                int colon = line.indexOf(':');
                headers.computeIfAbsent(
                                line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            byte[] body;
            List<String> length = headers.get("content-length");
            List<String> encoding = headers.get("transfer-encoding");
            if (status / 100 == 1 || status == 204 || status == 304) {
                body = new byte[0];
            } else if (encoding != null && encoding.getFirst().equalsIgnoreCase("chunked")) {
                body = chunked();
            } else if (length != null) {
                body = in.readNBytes(Integer.parseInt(length.getFirst()));
            } else {
                body = in.readAllBytes();
            }
            return new Response(statusLine, status, headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the server has closed the connection: nothing more to read (a reset counts as closed). */
    boolean closedByServer() {
        try {
            return in.read() == -1;
        } catch (SocketException e) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int size = Integer.parseInt(line().split(";")[0].trim(), 16);
                size > 0;
                size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
            body.write(in.readNBytes(size));
            line();
        }
        for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
            // trailers are not looked at
        }
        return body.toByteArray();
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b == -1) {
                throw new EOFException("connection closed after: " + line.toString(StandardCharsets.ISO_8859_1));
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** One response: its status line as sent, headers by lower-case name, and body. */
    record Response(String statusLine, int status, Map<String, List<String>> headers, byte[] body) {
        /** The first value of a header, or null. */
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.getFirst();
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The body as JSON. */
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + text(), e);
            }
        }

        @Override
        public String toString() {
            return statusLine + " " + headers + " " + text();
        }
    }
}
