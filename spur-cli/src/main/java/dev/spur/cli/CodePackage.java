package dev.spur.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * A function's code package: a directory zipped with each file's unix mode (so a {@code bootstrap}
 * stays executable), or an existing {@code .zip}/{@code .jar} taken byte for byte.
 *
 * <p>Entries are sorted and carry a fixed timestamp, so zipping the same files twice gives the same
 * bytes, and the same CodeSha256. Symbolic links and special files are refused rather than followed
 * or skipped: a package that silently differs from the directory would be worse than an error.
 */
final class CodePackage {
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    /** 1980-01-02 local time: the earliest DOS date, so every zip tool reads it the same way. */
    private static final long FIXED_TIME = LocalDateTime.of(1980, 1, 2, 0, 0)
            .atZone(ZoneId.systemDefault())
            .toInstant()
            .toEpochMilli();

    private CodePackage() {}

    /** The zip bytes for {@code path}; fails with a {@link CliException#USAGE} error naming the problem. */
    static byte[] of(Path path) {
        if (!Files.exists(path)) {
            throw CliException.usage("%s does not exist", path);
        }
        try {
            if (Files.isDirectory(path)) {
                return zip(path);
            }
            String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
            if (Files.isRegularFile(path) && (name.endsWith(".zip") || name.endsWith(".jar"))) {
                return Files.readAllBytes(path);
            }
        } catch (IOException | UncheckedIOException e) {
            throw CliException.usage("cannot package %s: %s", path, e.getMessage());
        }
        throw CliException.usage("%s is neither a directory nor a .zip or .jar file", path);
    }

    private static byte[] zip(Path root) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.filter(p -> !p.equals(root))
                    .sorted(Comparator.comparing(p -> entryName(root, p)))
                    .toList();
        }
        if (paths.isEmpty()) {
            throw CliException.usage("%s is empty: there is nothing to deploy", root);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (Path p : paths) {
                String name = entryName(root, p);
                if (Files.isSymbolicLink(p)) {
                    throw CliException.usage(
                            "%s is a symbolic link; Spur packages only regular files and directories. "
                                    + "Replace it with a copy of what it points to (e.g. cp -L).",
                            p);
                }
                boolean directory = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                if (!directory && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw CliException.usage("%s is neither a regular file nor a directory", p);
                }
                ZipArchiveEntry entry = new ZipArchiveEntry(directory ? name + "/" : name);
                entry.setUnixMode((directory ? S_IFDIR : S_IFREG) | permissions(p, directory));
                entry.setTime(FIXED_TIME);
                zip.putArchiveEntry(entry);
                if (!directory) {
                    Files.copy(p, zip);
                }
                zip.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static String entryName(Path root, Path p) {
        return root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
    }

    /** The permission bits ({@code 0755}); where the file system has none, executable files get 0755. */
    private static int permissions(Path p, boolean directory) throws IOException {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException e) {
            return directory || Files.isExecutable(p) ? 0755 : 0644;
        }
        int mode = 0;
        for (PosixFilePermission perm : perms) {
            mode |= 1 << (8 - perm.ordinal()); // OWNER_READ is ordinal 0 = 0400 … OTHERS_EXECUTE is 8 = 0001
        }
        return mode;
    }
}
