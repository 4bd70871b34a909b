package dev.spur.runtimeapi;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jdk.net.ExtendedSocketOptions;

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
 * <p>Or a unix socket of its own ({@link #openUnix}), for an environment with no network of its
 * own: the sandbox binds the socket in and bridges it to a loopback port there.
 *
 * <p>Threads: one virtual thread accepts; each connection gets a virtual thread that serves requests
 * in order (HTTP/1.1 keep-alive). A {@code next} long poll parks its virtual thread, costing no
 * platform thread. {@link #close()} closes the listener and every open connection.
 */
public final class RuntimeApiEndpoint implements AutoCloseable {

    /**
     * What a {@linkplain #openUnix unix endpoint}'s runtime is told to connect to: the loopback port
     * the Linux sandbox bridges to the socket ({@code LinuxSandbox.BRIDGED_RUNTIME_API}).
     */
    public static final String BRIDGED_HOST_PORT = "127.0.0.1:9001";

    /** Lambda's synchronous response limit (6 MB); a larger response or error is refused with 413. */
    public static final int MAX_PAYLOAD_BYTES = 6 * 1024 * 1024 + 100;
    /** How long a connection waits for {@link #admit(int)}: the environment's start, at most. */
    private static final long ADMIT_WAIT_SECONDS = 30;

    private static final int REFUSED = Integer.MIN_VALUE;

    private final Transport transport;
    private final RuntimeApiHandler handler;
    private final Set<Peer> connections = ConcurrentHashMap.newKeySet();
    private final String hostPort;
    private final CompletableFuture<Integer> admitted = new CompletableFuture<>();
    private volatile boolean closed;

    private RuntimeApiEndpoint(Transport transport, String hostPort, RuntimeApiHandler handler, String name) {
        this.transport = transport;
        this.handler = handler;
        this.hostPort = hostPort;
        Thread.ofVirtual().name("runtime-api-accept-" + name).start(this::acceptLoop);
    }

    /**
     * Opens an endpoint on an ephemeral loopback port.
     *
     * @param name used in thread names only
     */
    public static RuntimeApiEndpoint open(RuntimeApiHandler handler, String name) throws IOException {
        ServerSocket socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        return new RuntimeApiEndpoint(new Tcp(socket), "127.0.0.1:" + socket.getLocalPort(), handler, name);
    }

    /**
     * Opens an endpoint on a new unix socket at {@code socketPath}, for an environment without a
     * network of its own. The socket file is made read-write for everyone, because connect(2) on a
     * unix socket asks for write permission and the sandbox runs as a uid chosen only when it starts;
     * keep it in a directory other users cannot list. As on TCP, {@link #admit(int)} then serves
     * only the environment's uid, here as the kernel reports the connecting process's
     * ({@code SO_PEERCRED}). {@link #close()} deletes the socket.
     *
     * @param name used in thread names only
     * @throws IOException if the socket cannot be created (the parent directory is missing, or a
     *                     file is already at {@code socketPath}: a stale socket is not replaced)
     */
    public static RuntimeApiEndpoint openUnix(RuntimeApiHandler handler, String name, Path socketPath)
            throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(socketPath), 16);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        try {
            Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-rw-rw-"));
        } catch (IOException e) {
            channel.close();
            Files.deleteIfExists(socketPath);
            throw e;
        }
        return new RuntimeApiEndpoint(new Unix(channel, socketPath), BRIDGED_HOST_PORT, handler, name);
    }

    /**
     * The value for {@code AWS_LAMBDA_RUNTIME_API}: the listening port, or for a unix endpoint
     * {@link #BRIDGED_HOST_PORT}.
     */
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

    /** Whether the connection comes from the environment: owned by the admitted uid. */
    private boolean admits(Peer peer) {
        int uid = awaitAdmitted();
        if (uid == REFUSED) {
            return false;
        }
        try {
            return uid < 0 || peer.ownedBy(uid);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The uid {@link #admit(int)} was given, or {@link #REFUSED} if the endpoint closed or nobody admitted in time. */
    private int awaitAdmitted() {
        try {
            return admitted.get(ADMIT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return REFUSED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return REFUSED;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Peer peer;
            try {
                peer = transport.accept();
            } catch (IOException e) {
                return; // closed
            }
            connections.add(peer);
            if (closed) {
                closeQuietly(peer);
                return;
            }
            Thread.ofVirtual().name("runtime-api-conn").start(() -> {
                try {
                    if (!admits(peer)) {
                        return; // not the environment: closed unread
                    }
                    peer.connection(handler).serve();
                } catch (IOException | RuntimeException e) {
                    // the runtime went away, the endpoint closed under it, or a malformed request
                } finally {
                    connections.remove(peer);
                    closeQuietly(peer);
                }
            });
        }
    }

    /**
     * Stops listening and drops every connection; a parked {@code next} is released by the handler.
     * A unix endpoint also deletes its socket file.
     */
    @Override
    public void close() {
        closed = true;
        admitted.completeExceptionally(new IllegalStateException("closed")); // waiting connections are refused
        closeQuietly(transport);
        for (Peer peer : connections) {
            closeQuietly(peer);
        }
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** What the endpoint listens on. */
    private interface Transport extends Closeable {
        Peer accept() throws IOException;
    }

    /** One accepted connection. */
    private interface Peer extends Closeable {
        /** Whether {@code uid} owns the client: its socket (TCP) or the process that connected (unix). */
        boolean ownedBy(int uid) throws IOException;

        RuntimeApiConnection connection(RuntimeApiHandler handler) throws IOException;
    }

    /** A loopback port: the client's socket owner comes from the kernel's socket tables ({@link PeerUids}). */
    private record Tcp(ServerSocket listener) implements Transport {
        @Override
        public Peer accept() throws IOException {
            Socket socket = listener.accept();
            return new Peer() {
                @Override
                public boolean ownedBy(int uid) throws IOException {
                    return PeerUids.ownerOf(socket.getPort(), socket.getLocalPort()) == uid;
                }

                @Override
                public RuntimeApiConnection connection(RuntimeApiHandler handler) throws IOException {
                    return new RuntimeApiConnection(socket, handler);
                }

                @Override
                public void close() throws IOException {
                    socket.close();
                }
            };
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    /**
     * A unix socket: the kernel names the uid that connected ({@code SO_PEERCRED}); in a
     * network-none sandbox that is the bridge's, the environment's uid. Closing deletes the socket.
     */
    private record Unix(ServerSocketChannel listener, Path socketPath) implements Transport {
        @Override
        public Peer accept() throws IOException {
            SocketChannel channel = listener.accept();
            return new Peer() {
                @Override
                public boolean ownedBy(int uid) throws IOException {
                    UserPrincipal peer =
                            channel.getOption(ExtendedSocketOptions.SO_PEERCRED).user();
                    // a name lookup that falls back to the number; principals are equal when their uids are
                    return peer.equals(FileSystems.getDefault()
                            .getUserPrincipalLookupService()
                            .lookupPrincipalByName(Integer.toString(uid)));
                }

                @Override
                public RuntimeApiConnection connection(RuntimeApiHandler handler) {
                    return new RuntimeApiConnection(
                            Channels.newInputStream(channel),
                            Channels.newOutputStream(channel),
                            "unix:" + socketPath,
                            handler);
                }

                @Override
                public void close() throws IOException {
                    channel.close();
                }
            };
        }

        @Override
        public void close() throws IOException {
            listener.close();
            Files.deleteIfExists(socketPath); // if its directory went first, there is nothing to delete
        }
    }
}
