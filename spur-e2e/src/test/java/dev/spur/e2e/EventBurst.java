package dev.spur.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A burst of Event invokes ({@code X-Amz-Invocation-Type: Event}) from many threads, each on one
 * kept-alive HTTP/1.1 connection written and parsed by hand (the AWS SDK is several times slower).
 * Records the request id of every 202, by the server generation that accepted it.
 *
 * <p>When a connection fails (the server was killed), the request counts as not accepted: the client
 * never learned an id. The thread then waits for the next generation's port and goes on with the
 * next request, so the burst spans the crash and the restart.
 */
final class EventBurst {
    /** A server's port, numbered from 1 in the order the servers started on the data directory. */
    record Generation(int number, int port) {}

    /** The servers clients talk to, published by the test as it kills and restarts. */
    static final class Servers {
        private Generation current = new Generation(0, 0);
        private boolean last;

        /** The next server; {@code last}: no server will follow it. */
        synchronized void publish(int port, boolean last) {
            current = new Generation(current.number() + 1, port);
            this.last = last;
            notifyAll();
        }

        /**
         * The server to talk to after a failure talking to {@code generation}: a later one, waiting for
         * it; the same one if it is the last.
         */
        synchronized Generation after(int generation) throws InterruptedException {
            while (current.number() <= generation && !(last && current.number() == generation)) {
                wait();
            }
            return current;
        }
    }

    private final String path;
    private final int total;
    private final AtomicInteger next = new AtomicInteger();
    /** Request ids answered 202. */
    final Set<String> accepted = ConcurrentHashMap.newKeySet();
    /** Those of them the first server answered (before it was killed). */
    final Set<String> acceptedByFirst = ConcurrentHashMap.newKeySet();
    /** Requests whose connection failed before an answer: sent, perhaps stored, never acknowledged. */
    final AtomicInteger connectionFailures = new AtomicInteger();
    /** Answers other than 202, as {@code status body}. */
    final List<String> otherAnswers = new CopyOnWriteArrayList<>();

    EventBurst(String functionName, int total) {
        this.path = "/2015-03-31/functions/" + functionName + "/invocations";
        this.total = total;
    }

    /** Runs the burst on {@code clients} threads; returns when every request has been sent once. */
    void run(int clients, Servers servers) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofPlatform().name("burst-" + i).start(() -> client(servers)));
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private void client(Servers servers) {
        try {
            Generation server = servers.after(0);
            Connection connection = null;
            int i;
            while ((i = next.getAndIncrement()) < total) {
                try {
                    if (connection == null) {
                        connection = new Connection(server.port());
                    }
                    Answer answer = connection.invoke(path, ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8));
                    if (answer.close()) {
                        connection.close();
                        connection = null;
                    }
                    if (answer.status() == 202 && answer.requestId() != null) {
                        accepted.add(answer.requestId());
                        if (server.number() == 1) {
                            acceptedByFirst.add(answer.requestId());
                        }
                    } else {
                        otherAnswers.add(answer.status() + " " + answer.body());
                    }
                } catch (IOException e) {
                    connectionFailures.incrementAndGet();
                    if (connection != null) {
                        connection.close();
                        connection = null;
                    }
                    server = servers.after(server.number());
                }
            }
            if (connection != null) {
                connection.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code close}: the server closes the connection after this response. */
    record Answer(int status, String requestId, String body, boolean close) {}

    /** One kept-alive HTTP/1.1 connection. */
    private static final class Connection {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final String host;

        Connection(int port) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(60_000);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 8192);
            host = "127.0.0.1:" + port;
        }

        Answer invoke(String path, byte[] body) throws IOException {
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nX-Amz-Invocation-Type: Event\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String status = line();
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP response: " + status);
            }
            int code = Integer.parseInt(parts[1]);
            String requestId = null;
            long length = 0;
            boolean chunked = false;
            boolean close = false;
            String header;
            while (!(header = line()).isEmpty()) {
                int colon = header.indexOf(':');
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim();
                switch (name) {
                    case "x-amzn-requestid" -> requestId = value;
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    default -> {}
                }
            }
            byte[] content = chunked ? chunked() : in.readNBytes((int) length);
            if (content.length < length) {
                throw new EOFException("the response body ended early");
            }
            return new Answer(code, requestId, new String(content, StandardCharsets.UTF_8), close);
        }

        private byte[] chunked() throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(line().split(";", 2)[0].trim(), 16);
                if (size == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    return body.toByteArray();
                }
                byte[] chunk = in.readNBytes(size);
                if (chunk.length < size) {
                    throw new EOFException("a chunk ended early");
                }
                body.write(chunk);
                line();
            }
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new EOFException("the connection closed");
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
        }
    }
}
