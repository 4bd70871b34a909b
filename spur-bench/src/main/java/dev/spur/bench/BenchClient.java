package dev.spur.bench;

import dev.spur.auth.Credential;
import dev.spur.auth.SigV4Signer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A minimal HTTP/1.1 keep-alive client over one socket, so the benchmark measures Spur and not a
 * client library. With a key it signs every request (SigV4, as an AWS SDK would: {@code Host}, the
 * given headers and {@code x-amz-content-sha256}), timing the signing as part of the request. Not
 * thread-safe: one per benchmark thread.
 */
final class BenchClient implements AutoCloseable {
    static final String REGION = "us-east-1";

    private final String host;
    private final int port;
    private final String hostHeader;
    private final Optional<Credential> key;
    private long lastSignNanos;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    BenchClient(URI endpoint) {
        this(endpoint, Optional.empty());
    }

    BenchClient(URI endpoint, Optional<Credential> key) {
        this.host = endpoint.getHost();
        this.port = endpoint.getPort();
        this.hostHeader = host + ":" + port;
        this.key = key;
    }

    /** How long signing the last request took (0 when unsigned). */
    long lastSignNanos() {
        return lastSignNanos;
    }

    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase());
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    Response send(String method, String path, Map<String, String> headers, byte[] body) throws IOException {
        if (socket == null) {
            socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        }
        StringBuilder head = new StringBuilder(512)
                .append(method)
                .append(' ')
                .append(path)
                .append(" HTTP/1.1\r\nHost: ")
                .append(hostHeader)
                .append("\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (key.isPresent()) {
            sign(method, path, headers, body)
                    .forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        return read();
    }

    private Map<String, String> sign(String method, String path, Map<String, String> headers, byte[] body) {
        long start = System.nanoTime();
        int q = path.indexOf('?');
        List<Map.Entry<String, String>> signed = new ArrayList<>(headers.size() + 1);
        signed.add(Map.entry("Host", hostHeader));
        signed.addAll(headers.entrySet());
        Map<String, String> added = SigV4Signer.sign(
                method,
                q < 0 ? path : path.substring(0, q),
                q < 0 ? null : path.substring(q + 1),
                signed,
                body,
                key.orElseThrow(),
                REGION,
                "lambda",
                Instant.now());
        lastSignNanos = System.nanoTime() - start;
        return added;
    }

    private Response read() throws IOException {
        String status = line();
        Map<String, String> headers = new TreeMap<>();
        for (String l; !(l = line()).isEmpty(); ) {
            int colon = l.indexOf(':');
            headers.put(
                    l.substring(0, colon).trim().toLowerCase(),
                    l.substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        if ("close".equalsIgnoreCase(headers.get("connection"))) {
            close();
        }
        return new Response(Integer.parseInt(status.split(" ")[1]), headers, body);
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        socket = null;
    }
}
