package dev.spur.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Builds zip archives for tests, in memory: function code with Unix modes (so a {@code bootstrap}
 * stays executable), and the malformed and hostile archives no normal tool writes (symlinks, entry
 * names that climb out, lying sizes, corrupt data). Entries keep the order they were added in; every
 * entry has the same fixed time, so the same entries always give the same bytes (and the same
 * {@code CodeSha256}). {@link #bytes()} may be called again after more entries are added.
 */
public final class Zips {
    /** Unix mode of a regular file, {@code rw-r--r--}. */
    public static final int REGULAR = 0100644;
    /** Unix mode of an executable file, {@code rwxr-xr-x}. */
    public static final int EXECUTABLE = 0100755;
    /** Unix mode of a symbolic link (its content is the target). */
    public static final int SYMLINK = 0120777;
    /** Unix mode of a directory. */
    public static final int DIRECTORY = 040755;

    private static final FileTime ENTRY_TIME = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));

    /** One entry: its bytes, or {@code zeros} zero bytes streamed without being held in memory. */
    private record Entry(String name, byte[] content, long zeros, int unixMode, int level) {}

    private final List<Entry> entries = new ArrayList<>();

    private Zips() {}

    public static Zips create() {
        return new Zips();
    }

    /** A zip of text files, name → content, each {@link #REGULAR}. */
    public static byte[] of(Map<String, String> files) {
        Zips zips = create();
        files.forEach(zips::text);
        return zips.bytes();
    }

    /** A text file, {@link #REGULAR}. */
    public Zips text(String name, String content) {
        return entry(name, content.getBytes(StandardCharsets.UTF_8), REGULAR);
    }

    /** A text file, {@link #EXECUTABLE}. */
    public Zips executable(String name, String content) {
        return entry(name, content.getBytes(StandardCharsets.UTF_8), EXECUTABLE);
    }

    /** A file with the given permission bits ({@code 0755}); the file-type bits are added. */
    public Zips file(String name, byte[] content, int permissions) {
        return entry(name, content, 0100000 | permissions);
    }

    public Zips symlink(String name, String target) {
        return entry(name, target.getBytes(StandardCharsets.UTF_8), SYMLINK);
    }

    public Zips directory(String name) {
        return entry(name.endsWith("/") ? name : name + "/", new byte[0], DIRECTORY);
    }

    /** An entry with the full Unix mode given (file type included), whatever it says. */
    public Zips entry(String name, byte[] content, int unixMode) {
        entries.add(new Entry(name, content.clone(), 0, unixMode, Deflater.DEFAULT_COMPRESSION));
        return this;
    }

    /** {@code size} zero bytes at the best compression (about 1000:1): a zip bomb that is cheap to build. */
    public Zips zeros(String name, long size) {
        entries.add(new Entry(name, null, size, REGULAR, Deflater.BEST_COMPRESSION));
        return this;
    }

    /** Adds every file under {@code dir} (or under its {@code subdir}) at its path relative to {@code dir}. */
    public Zips tree(Path dir, String subdir, String prefix) {
        Path root = subdir.isEmpty() ? dir : dir.resolve(subdir);
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                file(prefix + dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p), 0644);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Adds {@code file} as {@code name}, {@link #REGULAR}. */
    public Zips copy(Path file, String name) {
        try {
            return file(name, Files.readAllBytes(file), 0644);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The archive. */
    public byte[] bytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(bytes)) {
            for (Entry e : entries) {
                out.setLevel(e.level());
                ZipArchiveEntry entry = new ZipArchiveEntry(e.name());
                entry.setUnixMode(e.unixMode());
                entry.setLastModifiedTime(ENTRY_TIME);
                out.putArchiveEntry(entry);
                if (e.content() != null) {
                    out.write(e.content());
                } else {
                    byte[] chunk = new byte[1 << 20];
                    for (long written = 0; written < e.zeros(); written += chunk.length) {
                        out.write(chunk, 0, (int) Math.min(chunk.length, e.zeros() - written));
                    }
                }
                out.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Writes the entries as files under {@code dir} with their permissions (for a tool that zips a
     * directory itself, like {@code spur deploy DIR}); returns {@code dir}. Only files and directories.
     */
    public Path writeTo(Path dir) {
        try {
            Files.createDirectories(dir);
            for (Entry e : entries) {
                Path target = dir.resolve(e.name());
                if ((e.unixMode() & 0170000) == 040000) {
                    Files.createDirectories(target);
                    continue;
                }
                if ((e.unixMode() & 0170000) != 0100000 || e.content() == null) {
                    throw new IllegalStateException(e.name() + " cannot be written as a plain file");
                }
                Files.createDirectories(target.getParent());
                Files.write(target, e.content());
                Files.setPosixFilePermissions(target, permissions(e.unixMode()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ … OTHERS_EXECUTE
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (0400 >> i)) != 0) {
                set.add(bits[i]);
            }
        }
        return set;
    }

    /** An archive with no entries at all. */
    public static byte[] empty() {
        return withoutUnixModes(List.of());
    }

    /** An archive as {@code java.util.zip} writes it: no Unix modes at all (platform FAT). */
    public static byte[] withoutUnixModes(List<String> names) {
        return plain(zip -> {
            for (String name : names) {
                write(zip, name, ("content of " + name).getBytes(StandardCharsets.UTF_8));
            }
        });
    }

    /** One stored (uncompressed) entry of {@code size} random bytes: as large zipped as unzipped. */
    public static byte[] incompressible(String name, int size) {
        byte[] noise = new byte[size];
        new Random(7).nextBytes(noise);
        return plain(zip -> {
            zip.setLevel(Deflater.NO_COMPRESSION);
            write(zip, name, noise);
        });
    }

    /** Rewrites every central-directory record's uncompressed size to {@code declared}: a zip that lies. */
    public static byte[] withDeclaredUncompressedSize(byte[] zip, int declared) {
        return patchCentralDirectory(zip, record -> record.putInt(24, declared));
    }

    /** Flips bits in the middle of the first entry's compressed data. */
    public static byte[] withCorruptData(byte[] zip) {
        byte[] copy = zip.clone();
        ByteBuffer local = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        int dataStart = 30 + local.getShort(26) + local.getShort(28);
        int[] compressedSize = new int[1];
        patchCentralDirectory(zip, record -> compressedSize[0] = record.getInt(20));
        for (int i = dataStart + compressedSize[0] / 3; i < dataStart + compressedSize[0] / 2; i++) {
            copy[i] ^= 0x5A;
        }
        return copy;
    }

    /** Every path under {@code root} with its size, so a test can see that nothing appeared or vanished. */
    public static List<String> snapshot(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.map(p -> root.relativize(p)
                            + (Files.isRegularFile(p) ? ":" + p.toFile().length() : "/"))
                    .sorted()
                    .toList();
        }
    }

    private interface ZipWriter {
        void write(ZipOutputStream zip) throws IOException;
    }

    private static byte[] plain(ZipWriter writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            writer.write(zip);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void write(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setLastModifiedTime(ENTRY_TIME);
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }

    private static byte[] patchCentralDirectory(byte[] zip, Consumer<ByteBuffer> patch) {
        byte[] copy = zip.clone();
        for (int i = 0; i + 46 <= copy.length; i++) {
            if (copy[i] == 0x50 && copy[i + 1] == 0x4b && copy[i + 2] == 0x01 && copy[i + 3] == 0x02) {
                patch.accept(ByteBuffer.wrap(copy, i, 46).slice().order(ByteOrder.LITTLE_ENDIAN));
            }
        }
        return copy;
    }
}
