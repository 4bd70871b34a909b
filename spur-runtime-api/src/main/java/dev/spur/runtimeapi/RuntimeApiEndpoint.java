package dev.spur.runtimeapi;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One execution environment's Runtime API endpoint: a listening socket of its own on loopback.
 *
 * <p>Why one socket per environment: the environment a request comes from is known by the port it
 * connected to, never by anything the runtime sends, so a runtime can only ever receive its own
 * events and answer its own requests. (Another process on the host could still connect to the port;
 * the Linux sandbox closes that by giving each environment its own network view.)
 *
 * <p>Threads: one virtual thread accepts; each connection gets a virtual thread that serves requests
 * in order (HTTP/1.1 keep-alive). A {@code next} long poll parks its virtual thread, costing no
 * platform thread. {@link #close()} closes the listener and every open connection.
 */
public final class RuntimeApiEndpoint implements AutoCloseable {

    /** Lambda's synchronous response limit (6 MB); a larger response or error is refused with 413. */
    public static final int MAX_PAYLOAD_BYTES = 6 * 1024 * 1024 + 100;

    private final ServerSocket listener;
    private final RuntimeApiHandler handler;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final String hostPort;
    private volatile boolean closed;

    private RuntimeApiEndpoint(ServerSocket listener, RuntimeApiHandler handler, String name) {
        this.listener = listener;
        this.handler = handler;
        this.hostPort = "127.0.0.1:" + listener.getLocalPort();
        Thread.ofVirtual().name("runtime-api-accept-" + name).start(this::acceptLoop);
    }

    /**
     * Opens an endpoint on an ephemeral loopback port.
     *
     * @param name used in thread names only
     */
    public static RuntimeApiEndpoint open(RuntimeApiHandler handler, String name) throws IOException {
        ServerSocket socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        return new RuntimeApiEndpoint(socket, handler, name);
    }

    /** The value for {@code AWS_LAMBDA_RUNTIME_API}. */
    public String hostPort() {
        return hostPort;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            connections.add(socket);
            if (closed) {
                closeQuietly(socket);
                return;
            }
            Thread.ofVirtual().name("runtime-api-conn").start(() -> {
                try {
                    new RuntimeApiConnection(socket, handler).serve();
                } catch (SocketException e) {
                    // the runtime went away, or the endpoint closed under it
                } catch (IOException | RuntimeException e) {
                    // a malformed request ends only this connection
                } finally {
                    connections.remove(socket);
                    closeQuietly(socket);
                }
            });
        }
    }

    /** Stops listening and drops every connection; a parked {@code next} is released by the handler. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
        for (Socket socket : connections) {
            closeQuietly(socket);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
