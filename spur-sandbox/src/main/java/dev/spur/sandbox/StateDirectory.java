package dev.spur.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

/**
 * The linux sandbox's state directory: the {@code /etc/passwd} and {@code /etc/group} every sandbox
 * sees, and the seccomp filter bwrap loads, written on the first start (each atomically, and only if
 * it changed). The directory must be Spur's own: whoever owns it could swap the files every sandbox
 * sees. Host uid locks live beside them ({@link HostUids}).
 */
final class StateDirectory {
    private final Path dir;
    private final int uid;
    private final int gid;
    /** The seccomp filter's file, or null where there is none ({@link Seccomp}). */
    private final Path seccomp;

    private volatile Identity identity;

    /** The passwd and group files, once written. */
    record Identity(Path passwd, Path group) {}

    StateDirectory(LinuxSandbox.Settings settings) {
        this.dir = settings.stateDirectory();
        this.uid = settings.uid();
        this.gid = settings.gid();
        this.seccomp =
                Seccomp.program().map(p -> dir.resolve("seccomp-x86_64.bpf")).orElse(null);
    }

    /** The seccomp filter's file (written by {@link #identity()}), or null where there is none. */
    Path seccomp() {
        return seccomp;
    }

    /** Writes the files on the first call. */
    synchronized Identity identity() throws IOException {
        if (identity != null) {
            return identity;
        }
        Files.createDirectories(dir);
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (owner != LinuxSandbox.ownUid() || Files.isSymbolicLink(dir)) {
            throw new IOException("the sandbox state directory " + dir + " belongs to uid " + owner + ", not to Spur "
                    + "(uid " + LinuxSandbox.ownUid() + "); remove it or choose another");
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path passwd = dir.resolve("passwd");
        Path group = dir.resolve("group");
        write(passwd, Bwrap.passwd(uid, gid));
        write(group, Bwrap.group(gid));
        if (seccomp != null) {
            byte[] program = Seccomp.program().orElseThrow();
            if (!Files.exists(seccomp) || !Arrays.equals(Files.readAllBytes(seccomp), program)) {
                Path tmp = Files.createTempFile(dir, "seccomp", ".tmp");
                Files.write(tmp, program);
                Files.move(tmp, seccomp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        identity = new Identity(passwd, group);
        return identity;
    }

    private static void write(Path file, String content) throws IOException {
        if (!Files.exists(file) || !Files.readString(file).equals(content)) {
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, content);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
