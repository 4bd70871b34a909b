package dev.spur.runtimeapi;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One execution environment's Runtime API endpoint: a listening socket of its own on loopback.
 *
 * <p>Why one socket per environment: the environment a request comes from is known by the port it
 * connected to, never by anything the runtime sends, so a runtime can only ever receive its own
 * events and answer its own requests. Any process on the host can connect to a loopback port,
 * though, so once the environment is started its owner says who may: {@link #admit(int)} with the
 * environment's own host uid (the linux sandbox gives each environment one) makes the endpoint
 * close, before reading a byte, every connection whose client socket another user owns — another
 * environment scanning for ports steals nothing. Connections arriving before {@code admit} wait for it.
 *
 * <p>Threads: one virtual thread accepts; each connection gets a virtual thread that serves requests
 * in order (HTTP/1.1 keep-alive). A {@code next} long poll parks its virtual thread, costing no
 * platform thread. {@link #close()} closes the listener and every open connection.
 */
public final class RuntimeApiEndpoint implements AutoCloseable {

    /** Lambda's synchronous response limit (6 MB); a larger response or error is refused with 413. */
    public static final int MAX_PAYLOAD_BYTES = 6 * 1024 * 1024 + 100;
    /** How long a connection waits for {@link #admit(int)}: the environment's start, at most. */
    private static final long ADMIT_WAIT_SECONDS = 30;

    private final ServerSocket listener;
    private final RuntimeApiHandler handler;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final String hostPort;
    private final CompletableFuture<Integer> admitted = new CompletableFuture<>();
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

    /**
     * Serves only connections from sockets owned by {@code hostUid}, or, with -1, from any local
     * process (an environment running as Spur's own user, which cannot be told apart).
     */
    public void admit(int hostUid) {
        admitted.complete(hostUid);
    }

    /** Whether the connection's client is the environment: its socket is owned by the admitted uid. */
    private boolean admits(Socket socket) {
        int uid;
        try {
            uid = admitted.get(ADMIT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (uid < 0) {
            return true;
        }
        try {
            return PeerUids.ownerOf(socket.getPort(), socket.getLocalPort()) == uid;
        } catch (IOException e) {
            return false;
        }
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
                    if (!admits(socket)) {
                        return; // not the environment: closed unread
                    }
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
        admitted.completeExceptionally(new IllegalStateException("closed")); // waiting connections are refused
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
