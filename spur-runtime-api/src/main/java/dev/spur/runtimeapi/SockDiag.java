package dev.spur.runtimeapi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.util.OptionalInt;

/**
 * One question to the kernel's socket diagnostics (netlink {@code NETLINK_SOCK_DIAG}, as {@code ss}
 * asks it): who owns the TCP socket with this exact loopback 4-tuple. The kernel finds it by hash,
 * in microseconds, where reading {@code /proc/net/tcp} walks every bucket of the host's TCP tables
 * (milliseconds on a machine with much memory, on every cold start).
 *
 * <p>Called through the Foreign Function API ({@code socket}, {@code send}, {@code recv},
 * {@code close} from libc); {@link #ownerOf} answers empty where that is unavailable, and the
 * caller falls back to the tables.
 */
final class SockDiag {
    private static final int AF_NETLINK = 16;
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_SOCK_DIAG = 4;
    private static final short SOCK_DIAG_BY_FAMILY = 20;
    private static final short NLM_F_REQUEST = 1;
    private static final short NLMSG_ERROR = 2;
    private static final int IPPROTO_TCP = 6;
    private static final int REQUEST_BYTES = 16 + 56; // nlmsghdr + inet_diag_req_v2
    /** nlmsghdr (16) + inet_diag_msg's family, state, timer, retrans (4), id (48), expires, rqueue, wqueue (12). */
    private static final int UID_OFFSET = 16 + 4 + 48 + 12;

    private static final ValueLayout.OfShort NET_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    private static final MethodHandle SOCKET;
    private static final MethodHandle SEND;
    private static final MethodHandle RECV;
    private static final MethodHandle CLOSE;

    static {
        MethodHandle socket = null;
        MethodHandle send = null;
        MethodHandle recv = null;
        MethodHandle close = null;
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            socket = downcall(linker, libc, "socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
            send = downcall(
                    linker, libc, "send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
            recv = downcall(
                    linker, libc, "recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
            close = downcall(linker, libc, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        } catch (RuntimeException | LinkageError e) {
            socket = null; // not Linux, or native access refused: the caller reads /proc instead
        }
        SOCKET = socket;
        SEND = send;
        RECV = recv;
        CLOSE = close;
    }

    /** A libc function as a method handle; restricted by design (the JVM runs with native access enabled). */
    @SuppressWarnings("restricted")
    private static MethodHandle downcall(Linker linker, SymbolLookup libc, String name, FunctionDescriptor type) {
        return linker.downcallHandle(libc.find(name).orElseThrow(), type);
    }

    private SockDiag() {}

    /**
     * The uid owning the IPv4 TCP socket {@code 127.0.0.1:localPort} ↔ {@code 127.0.0.1:remotePort};
     * {@code OptionalInt.of(-1)} if the kernel knows no such socket; empty if the kernel could not be
     * asked (no netlink here).
     */
    static OptionalInt ownerOf(int localPort, int remotePort) {
        if (SOCKET == null) {
            return OptionalInt.empty();
        }
        int fd;
        try {
            fd = (int) SOCKET.invokeExact(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        } catch (Throwable e) {
            return OptionalInt.empty();
        }
        if (fd < 0) {
            return OptionalInt.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = arena.allocate(REQUEST_BYTES, 8);
            request.set(JAVA_INT, 0, REQUEST_BYTES); // nlmsg_len
            request.set(JAVA_SHORT, 4, SOCK_DIAG_BY_FAMILY); // nlmsg_type
            request.set(JAVA_SHORT, 6, NLM_F_REQUEST); // an exact lookup, not a dump
            request.set(JAVA_BYTE, 16, (byte) AF_INET); // sdiag_family
            request.set(JAVA_BYTE, 17, (byte) IPPROTO_TCP); // sdiag_protocol
            request.set(JAVA_INT, 20, -1); // idiag_states: any
            long id = 24; // inet_diag_sockid: sport, dport, src[4], dst[4], if, cookie[2]
            request.set(NET_SHORT, id, (short) localPort);
            request.set(NET_SHORT, id + 2, (short) remotePort);
            request.set(JAVA_INT, id + 4, loopback());
            request.set(JAVA_INT, id + 20, loopback());
            request.set(JAVA_INT, id + 40, -1); // INET_DIAG_NOCOOKIE
            request.set(JAVA_INT, id + 44, -1);
            if ((long) SEND.invokeExact(fd, request, (long) REQUEST_BYTES, 0) != REQUEST_BYTES) {
                return OptionalInt.empty();
            }
            MemorySegment reply = arena.allocate(8192, 8);
            long n = (long) RECV.invokeExact(fd, reply, 8192L, 0);
            if (n < 16) {
                return OptionalInt.empty();
            }
            short type = reply.get(JAVA_SHORT, 4);
            if (type == NLMSG_ERROR) {
                return OptionalInt.of(-1); // ENOENT: no such socket (the client is gone)
            }
            if (type != SOCK_DIAG_BY_FAMILY || n < UID_OFFSET + 4) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(reply.get(JAVA_INT, UID_OFFSET));
        } catch (Throwable e) {
            return OptionalInt.empty();
        } finally {
            try {
                int ignored = (int) CLOSE.invokeExact(fd);
            } catch (Throwable e) {
                // nothing to do
            }
        }
    }

    /** 127.0.0.1 as the kernel stores it: network byte order, read as a native int. */
    private static int loopback() {
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0x0100007F : 0x7F000001;
    }
}
