package dev.spur.sandbox;

import dev.spur.sandbox.Sandbox.LaunchSpec;
import dev.spur.sandbox.Sandbox.Mount;
import dev.spur.sandbox.Sandbox.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bubblewrap arguments for one environment: which namespaces, which identity, and the whole
 * file system the function sees. The root is an empty tmpfs holding only:
 *
 * <ul>
 *   <li>{@code /usr} read-only, and {@code /bin /sbin /lib /lib64 /lib32 /libx32} as the host has
 *       them (the same symlinks into {@code /usr} on a merged-/usr host, else read-only binds);
 *   <li>from {@code /etc}, only what programs need to link, resolve names, verify TLS and tell the
 *       time ({@link #ETC}); {@code /etc/passwd} and {@code /etc/group} are Spur's own, naming only
 *       root, the sandbox user and nobody (the host's accounts stay hidden);
 *   <li>a fresh {@code /proc} of the new pid namespace, a minimal {@code /dev} (null, zero, full,
 *       random, urandom, tty, pts, shm), a private size-limited tmpfs {@code /tmp};
 *   <li>the launch spec's mounts ({@code /var/task}, {@code /var/runtime}, …);
 *   <li>with {@link Network#none(Path) network none}, the Runtime API's unix socket at
 *       {@code /run/spur/runtime-api.sock} ({@link RuntimeApiBridge}).
 * </ul>
 *
 * The root itself is read-only once these are in place. No {@code /sys}, no {@code /home},
 * {@code /root}, {@code /var/lib}, {@code /run} (beyond that one socket) or other {@code /etc}
 * files, no other function's code and nothing of Spur's data directory.
 */
final class Bwrap {
    /** The {@code /etc} entries bound read-only when the host has them. */
    static final List<String> ETC = List.of(
            "/etc/ld.so.cache",
            "/etc/ld.so.conf",
            "/etc/ld.so.conf.d", // the dynamic linker
            "/etc/ssl/certs",
            "/etc/ssl/openssl.cnf",
            "/etc/ca-certificates", // TLS trust (Debian)
            "/etc/pki/tls/certs",
            "/etc/pki/ca-trust",
            "/etc/crypto-policies", // TLS trust (RHEL)
            "/etc/resolv.conf",
            "/etc/hosts",
            "/etc/nsswitch.conf",
            "/etc/host.conf",
            "/etc/gai.conf", // names
            "/etc/localtime",
            "/etc/mime.types",
            "/etc/alternatives"); // time; alternatives' links into /usr

    private static final List<String> TOP_LEVEL = List.of("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32");

    private Bwrap() {}

    /**
     * Everything but the command, for {@code bwrap --args FD}: passed through a pipe rather than
     * argv so the environment (secrets) is not in the host's {@code /proc/<pid>/cmdline}.
     */
    static List<String> options(
            LinuxSandbox.Settings settings, LaunchSpec spec, Path passwd, Path group, boolean seccomp)
            throws IOException {
        List<String> a = new ArrayList<>(List.of(
                "--unshare-user",
                "--unshare-pid",
                "--unshare-ipc",
                "--unshare-uts",
                "--unshare-cgroup-try",
                "--disable-userns",
                "--hostname",
                "localhost",
                "--die-with-parent",
                "--new-session",
                "--cap-drop",
                "ALL",
                "--uid",
                Integer.toString(settings.uid()),
                "--gid",
                Integer.toString(settings.gid()),
                "--clearenv"));
        if (seccomp) {
            a.addAll(List.of("--seccomp", "4")); // the launcher's fd 4: Seccomp's program
        }
        for (Map.Entry<String, String> e : new TreeMap<>(spec.environment()).entrySet()) {
            a.addAll(List.of("--setenv", e.getKey(), e.getValue()));
        }
        a.addAll(List.of("--ro-bind", "/usr", "/usr"));
        for (String dir : TOP_LEVEL) {
            Path host = Path.of(dir);
            if (Files.isSymbolicLink(host)) {
                a.addAll(List.of("--symlink", Files.readSymbolicLink(host).toString(), dir));
            } else if (Files.isDirectory(host)) {
                a.addAll(List.of("--ro-bind", dir, dir));
            }
        }
        for (String file : ETC) {
            a.addAll(List.of("--ro-bind-try", file, file));
        }
        a.addAll(List.of("--ro-bind", passwd.toString(), "/etc/passwd", "--ro-bind", group.toString(), "/etc/group"));
        a.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
        // /dev/shm: its own tmpfs (charged to the memory cgroup like /tmp); the rest of /dev read-only
        a.addAll(List.of(
                "--size",
                Long.toString(spec.memoryMb() * 1024L * 1024L),
                "--tmpfs",
                "/dev/shm",
                "--remount-ro",
                "/dev"));
        a.addAll(List.of("--size", Long.toString(spec.ephemeralMb() * 1024L * 1024L), "--tmpfs", "/tmp"));
        for (Mount m : spec.mounts()) {
            a.addAll(List.of(
                    m.readOnly() ? "--ro-bind" : "--bind",
                    m.hostPath().toString(),
                    m.sandboxPath().toString()));
        }
        if (spec.network() instanceof Network.None none) { // its own network namespace, bwrap brings up lo
            a.addAll(List.of(
                    "--unshare-net", "--ro-bind", none.runtimeApiSocket().toString(), RuntimeApiBridge.SANDBOX_SOCKET));
        }
        a.addAll(List.of("--remount-ro", "/")); // the root tmpfs itself: only /tmp and /dev/shm stay writable
        a.addAll(List.of("--chdir", spec.workingDirectory().toString()));
        return a;
    }

    /** The {@code /etc/passwd} and {@code /etc/group} the sandbox sees, as Lambda names its user. */
    static String passwd(int uid, int gid) {
        return "root:x:0:0:root:/root:/usr/sbin/nologin\n"
                + "sbx_user1051:x:" + uid + ":" + gid + "::/tmp:/usr/sbin/nologin\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
    }

    static String group(int gid) {
        return "root:x:0:\nsbx_user1051:x:" + gid + ":\nnogroup:x:65534:\n";
    }
}
