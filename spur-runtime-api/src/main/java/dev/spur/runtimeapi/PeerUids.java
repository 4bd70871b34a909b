package dev.spur.runtimeapi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * Which user owns the other end of a loopback TCP connection: asked of the kernel's socket
 * diagnostics ({@link SockDiag}), else read from its socket tables ({@code /proc/net/tcp},
 * {@code /proc/net/tcp6}); either way the client socket's owner as seen from Spur's namespace. TCP
 * has no peer credentials of its own; on loopback the kernel's view is the authority.
 */
final class PeerUids {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    private PeerUids() {}

    /**
     * The uid owning the socket at local port {@code clientPort} connected to port {@code serverPort},
     * or -1 if no such socket is listed (the client is gone, or not on this host's network namespace).
     */
    static int ownerOf(int clientPort, int serverPort) throws IOException {
        OptionalInt asked = SockDiag.ownerOf(clientPort, serverPort);
        if (asked.isPresent() && asked.getAsInt() >= 0) {
            return asked.getAsInt(); // an IPv4 client, found by the kernel in microseconds
        }
        return fromTables(clientPort, serverPort); // an IPv6 client, or no netlink here
    }

    /** The same from the text tables, whose every read walks the host's whole TCP hash (milliseconds). */
    static int fromTables(int clientPort, int serverPort) throws IOException {
        String local = String.format(":%04X ", clientPort);
        String remote = String.format(":%04X ", serverPort);
        for (Path table : TABLES) {
            if (!Files.isReadable(table)) {
                continue;
            }
            for (String line : Files.readAllLines(table)) {
                int uid = ownerIn(line, local, remote);
                if (uid >= 0) {
                    return uid;
                }
            }
        }
        return -1;
    }

    /**
     * The uid column of one table line if its local address ends in {@code local} and its remote
     * address in {@code remote}, else -1. Columns: sl, local, remote, state, queues, timer, retransmits, uid, …
     */
    static int ownerIn(String line, String local, String remote) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 8 || !(f[1] + " ").endsWith(local) || !(f[2] + " ").endsWith(remote)) {
            return -1;
        }
        try {
            return Integer.parseInt(f[7]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
