package dev.spur.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a {@link Sandbox.Network#none(Path) network none} environment still reaches its Runtime API:
 * the host's unix socket is bound into the sandbox at {@link #SANDBOX_SOCKET}, and a {@code /bin/sh}
 * wrapper starts {@code socat} listening on {@link LinuxSandbox#BRIDGED_RUNTIME_API} (the sandbox's
 * own loopback), forwarding each connection to that socket, then {@code exec}s the function.
 *
 * <p>The wrapper waits until the listener is up before the function runs, so the runtime's first
 * {@code next} never meets a refused connection. It polls, with shell builtins and no fixed sleep,
 * the {@code TCP: inuse} count of the sandbox's own {@code /proc/net/sockstat}: its network
 * namespace is new, socat's listener is its only TCP socket, and a socket counts once it listens
 * (not when merely bound). Not {@code /proc/net/tcp}: the shell reads a byte per read(2), and each
 * read of that file walks the kernel's TCP hash tables, shared by all namespaces, which cost about
 * 6 ms of CPU per poll where sockstat costs microseconds. The poll spins while socat starts (a
 * few milliseconds of CPU, during init, before the environment's CPU quota applies). {@code socat} is started from a subshell, so bwrap's pid 1
 * is its parent and the function has no child it did not start (a runtime that waits for all its
 * children does not wait for it). It dies with the sandbox's pid namespace.
 *
 * <p>Cost: socat forks once per TCP connection; runtimes keep theirs open (HTTP keep-alive), a
 * {@code curl}-per-call shell runtime pays a fork per call.
 */
final class RuntimeApiBridge {
    static final String SANDBOX_SOCKET = "/run/spur/runtime-api.sock";
    static final int PORT = 9001;
    /** Where socat may be: under {@code /usr} (or {@code /bin}), which every sandbox sees. */
    static final List<Path> SOCAT =
            List.of(Path.of("/usr/bin/socat"), Path.of("/usr/local/bin/socat"), Path.of("/bin/socat"));

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    /** $0 is the name sh uses in its own messages; $1… is the function's command. */
    private static final String SCRIPT = """
            bridge=$('%1$s' TCP-LISTEN:%2$d,bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:%3$s </dev/null >/dev/null & echo $!)
            listening() {
              while read -r protocol _ inuse _; do
                [ "$protocol" = TCP: ] && { [ "$inuse" != 0 ]; return; }
              done </proc/net/sockstat
              return 1
            }
            until listening; do
              kill -0 "$bridge" 2>/dev/null || { echo "$0: the Runtime API bridge (socat) exited" >&2; exit 1; }
            done
            exec "$@"
            """;

    private RuntimeApiBridge() {}

    static Optional<Path> socat() {
        return SOCAT.stream().filter(Files::isExecutable).findFirst();
    }

    /** The function's command run behind the bridge. */
    static List<String> wrap(Path socat, List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of(
                "/bin/sh",
                "-c",
                SCRIPT.formatted(socat.toString().replace("'", "'\\''"), PORT, SANDBOX_SOCKET),
                "spur-bridge"));
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * Checks what bwrap needs to bind the socket and the bridge needs to connect to it, running as an
     * environment's host uid: every directory on the socket's real path searchable, the socket
     * writable (connect(2) asks for write permission). Host uids own no files and their gid is their
     * uid, so what applies to them is the mode's "other" bits; ACLs are not read.
     *
     * @throws IOException naming what is missing or in the way
     */
    static void checkReachable(Path socket) throws IOException {
        Path real;
        try {
            real = socket.toRealPath();
        } catch (NoSuchFileException e) {
            throw new IOException("the Runtime API socket " + socket + " does not exist");
        }
        int mode = mode(real);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException("the Runtime API socket " + socket + " is not a unix socket");
        }
        if ((mode & 02) == 0) {
            throw new IOException(unreachable(socket, real, mode, "writable"));
        }
        for (Path dir = real.getParent(); dir != null; dir = dir.getParent()) {
            int dirMode = mode(dir);
            if ((dirMode & 01) == 0) {
                throw new IOException(unreachable(socket, dir, dirMode, "searchable"));
            }
        }
    }

    private static int mode(Path path) throws IOException {
        return (int) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    private static String unreachable(Path socket, Path culprit, int mode, String what) {
        return "the sandbox's host users cannot reach the Runtime API socket " + socket + ": " + culprit + " is not "
                + what + " by other users (mode " + Integer.toOctalString(mode & 07777) + "). Environments run as host "
                + "uids of their own that own no files: every directory above the socket must be searchable by others "
                + "(o+x, not necessarily listable) and the socket writable by others (o+w)";
    }
}
