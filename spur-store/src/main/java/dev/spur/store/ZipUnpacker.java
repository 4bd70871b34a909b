package dev.spur.store;

import dev.spur.common.LambdaException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.zip.CRC32;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/**
 * Unpacks an uploaded zip into an empty directory, refusing anything unsafe.
 *
 * <p>The zip is read through its central directory ({@link ZipFile} over the bytes in memory), because
 * only the central directory carries the Unix modes that mark executables and symbolic links. Every
 * entry is checked before anything is written for it: its name, with backslashes read as separators,
 * must not be absolute, must stay inside the root once {@code .} and {@code ..} are resolved, and must
 * fit Linux's name and path limits; it must be a regular file or a directory (symbolic links and
 * device nodes are refused); it must not land on a path an earlier entry already wrote. Sizes declared
 * in the archive are never trusted: the bytes actually inflated are counted as they stream, across all
 * entries, and unpacking stops at the first chunk past the limit, so a zip bomb costs at most the limit
 * in disk and time. Each entry's CRC-32 is checked, so corrupt data is refused instead of unpacked.
 *
 * <p>Failure semantics: a problem with the archive throws 400 InvalidParameterValueException naming
 * the problem and the entry; a problem with the local disk throws {@link IOException}. Either way the
 * directory may hold part of the package: the caller owns it and deletes it.
 *
 * <p>Executable bits come from the entry's Unix mode. An entry without one (zipped on Windows, or by
 * {@code java.util.zip}) is not executable, except a root-level {@code bootstrap}, which custom
 * runtimes must be able to run. Files are written read-only (0444, or 0555 if executable).
 */
final class ZipUnpacker {
    static final String CANNOT_UNZIP =
            "Could not unzip uploaded file. Please check your file, then try to upload again.";
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    /** Linux's NAME_MAX; longer names would fail as disk errors (500) instead of as the caller's (400). */
    private static final int MAX_NAME_BYTES = 255;
    /** Leaves room under PATH_MAX (4096) for the store's own directory. */
    private static final int MAX_PATH_BYTES = 2048;

    private final Path root;
    private final long maxUnpackedBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private long unpackedBytes;

    private ZipUnpacker(Path root, long maxUnpackedBytes) {
        this.root = root;
        this.maxUnpackedBytes = maxUnpackedBytes;
    }

    /** Unpacks {@code zip} into the existing, empty directory {@code root}. */
    static void unpack(byte[] zip, Path root, long maxUnpackedBytes) throws IOException {
        ZipFile archive;
        try {
            archive = ZipFile.builder()
                    .setSeekableByteChannel(new SeekableInMemoryByteChannel(zip))
                    .get();
        } catch (IOException | RuntimeException e) {
            throw LambdaException.invalid(CANNOT_UNZIP);
        }
        try (archive) {
            ZipUnpacker unpacker = new ZipUnpacker(root, maxUnpackedBytes);
            int entries = 0;
            for (ZipArchiveEntry entry : Collections.list(archive.getEntries())) {
                unpacker.unpackEntry(archive, entry);
                entries++;
            }
            if (entries == 0) {
                throw LambdaException.invalid("Could not unzip uploaded file: the archive has no entries.");
            }
        }
    }

    private void unpackEntry(ZipFile archive, ZipArchiveEntry entry) throws IOException {
        String name = entry.getName();
        int type = entry.getUnixMode() & S_IFMT;
        if (entry.isUnixSymlink()) {
            throw rejected(name, "is a symbolic link, which is not supported");
        }
        if (type != 0 && type != S_IFREG && type != S_IFDIR) {
            throw rejected(name, "is neither a regular file nor a directory");
        }
        String relative = normalize(name);
        boolean directory = entry.isDirectory() || type == S_IFDIR;
        if (relative.isEmpty()) {
            if (directory) {
                return; // the root itself
            }
            throw rejected(name, "has no file name");
        }
        Path target = root.resolve(relative).normalize();
        if (!target.startsWith(root) || target.equals(root)) {
            throw rejected(name, "points outside the package"); // normalize() should have caught it already
        }
        if (directory) {
            createDirectories(name, target);
            return;
        }
        if (!archive.canReadEntryData(entry)) {
            throw rejected(name, "uses a compression method or encryption that is not supported");
        }
        createDirectories(name, target.getParent());
        InputStream data;
        try {
            data = archive.getInputStream(entry);
        } catch (IOException | RuntimeException e) {
            throw rejected(name, "is corrupt");
        }
        try (InputStream in = data;
                OutputStream out = Files.newOutputStream(
                        target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            copy(name, entry, in, out);
        } catch (FileAlreadyExistsException e) {
            throw rejected(name, "appears more than once in the archive");
        }
        boolean executable = (entry.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX && entry.getUnixMode() != 0)
                ? (entry.getUnixMode() & 0111) != 0
                : relative.equals("bootstrap");
        Files.setPosixFilePermissions(target, executable ? FileTrees.READ_EXECUTE : FileTrees.READ_ONLY);
    }

    /** Copies one entry, counting inflated bytes against the limit as they arrive. */
    private void copy(String name, ZipArchiveEntry entry, InputStream in, OutputStream out) throws IOException {
        CRC32 crc = new CRC32();
        while (true) {
            int read;
            try {
                read = in.read(buffer);
            } catch (IOException | RuntimeException e) {
                throw rejected(name, "is corrupt");
            }
            if (read < 0) {
                break;
            }
            unpackedBytes += read;
            if (unpackedBytes > maxUnpackedBytes) {
                throw LambdaException.invalid("Unzipped size must be smaller than %d bytes", maxUnpackedBytes);
            }
            crc.update(buffer, 0, read);
            out.write(buffer, 0, read);
        }
        if (entry.getCrc() != -1 && entry.getCrc() != crc.getValue()) {
            throw rejected(name, "is corrupt (its CRC-32 does not match)");
        }
    }

    private static void createDirectories(String name, Path directory) throws IOException {
        try {
            Files.createDirectories(directory);
        } catch (FileAlreadyExistsException e) {
            throw rejected(name, "needs a directory where another entry is a file");
        }
    }

    /**
     * The entry's path relative to the root, with {@code \} read as {@code /} and {@code .}, {@code ..}
     * and empty segments resolved; refuses absolute paths and paths that climb out of the root.
     */
    static String normalize(String name) {
        if (name.indexOf('\0') >= 0) {
            throw rejected(name, "has a NUL character in its name");
        }
        String path = name.replace('\\', '/');
        boolean driveLetter = path.length() >= 2
                && path.charAt(1) == ':'
                && (path.charAt(0) | 0x20) >= 'a'
                && (path.charAt(0) | 0x20) <= 'z';
        if (path.startsWith("/") || driveLetter) {
            throw rejected(name, "has an absolute path");
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw rejected(name, "has a path longer than " + MAX_PATH_BYTES + " bytes");
        }
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                if (segments.isEmpty()) {
                    throw rejected(name, "points outside the package");
                }
                segments.removeLast();
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                    throw rejected(name, "has a file name longer than " + MAX_NAME_BYTES + " bytes");
                }
                segments.addLast(segment);
            }
        }
        return String.join("/", segments);
    }

    private static LambdaException rejected(String entryName, String problem) {
        return LambdaException.invalid("Could not unzip uploaded file: entry '%s' %s.", entryName, problem);
    }
}
