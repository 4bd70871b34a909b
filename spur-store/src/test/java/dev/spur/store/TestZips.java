package dev.spur.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/** Builds zips for tests, including the malformed and hostile ones no normal tool writes. */
final class TestZips {
    static final int REGULAR = 0100644;
    static final int EXECUTABLE = 0100755;
    static final int SYMLINK = 0120777;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final ZipArchiveOutputStream out = new ZipArchiveOutputStream(bytes);

    static TestZips builder() {
        return new TestZips();
    }

    TestZips file(String name, String content) {
        return entry(name, content.getBytes(StandardCharsets.UTF_8), REGULAR);
    }

    TestZips executable(String name, String content) {
        return entry(name, content.getBytes(StandardCharsets.UTF_8), EXECUTABLE);
    }

    TestZips symlink(String name, String target) {
        return entry(name, target.getBytes(StandardCharsets.UTF_8), SYMLINK);
    }

    TestZips directory(String name) {
        return entry(name.endsWith("/") ? name : name + "/", new byte[0], 040755);
    }

    TestZips entry(String name, byte[] content, int unixMode) {
        try {
            ZipArchiveEntry entry = new ZipArchiveEntry(name);
            entry.setUnixMode(unixMode);
            out.putArchiveEntry(entry);
            out.write(content);
            out.closeArchiveEntry();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An entry of {@code size} zero bytes, written in chunks so the test never holds it in memory. */
    TestZips zeros(String name, long size) {
        try {
            out.setLevel(9);
            ZipArchiveEntry entry = new ZipArchiveEntry(name);
            entry.setUnixMode(REGULAR);
            out.putArchiveEntry(entry);
            byte[] chunk = new byte[1 << 20];
            for (long written = 0; written < size; written += chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, size - written));
            }
            out.closeArchiveEntry();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] build() {
        try {
            out.close();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A zip as {@code java.util.zip} writes it: no Unix modes at all (platform FAT). */
    static byte[] withoutUnixModes(List<String> names) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (String name : names) {
                zip.putNextEntry(new ZipEntry(name));
                zip.write(("content of " + name).getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Rewrites every central-directory record's uncompressed size to {@code declared}: a zip that lies. */
    static byte[] withDeclaredUncompressedSize(byte[] zip, int declared) {
        return patchCentralDirectory(zip, record -> record.putInt(24, declared));
    }

    /** Flips bits in the middle of the first entry's compressed data. */
    static byte[] withCorruptData(byte[] zip) {
        byte[] copy = zip.clone();
        ByteBuffer local = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        int dataStart = 30 + local.getShort(26) + local.getShort(28);
        int compressedSize = centralCompressedSize(copy);
        for (int i = dataStart + compressedSize / 3; i < dataStart + compressedSize / 2; i++) {
            copy[i] ^= 0x5A;
        }
        return copy;
    }

    private static int centralCompressedSize(byte[] zip) {
        int[] size = new int[1];
        patchCentralDirectory(zip, record -> size[0] = record.getInt(20));
        return size[0];
    }

    private static byte[] patchCentralDirectory(byte[] zip, Function<ByteBuffer, Object> patch) {
        byte[] copy = zip.clone();
        for (int i = 0; i + 46 <= copy.length; i++) {
            if (copy[i] == 0x50 && copy[i + 1] == 0x4b && copy[i + 2] == 0x01 && copy[i + 3] == 0x02) {
                patch.apply(ByteBuffer.wrap(copy, i, 46).slice().order(ByteOrder.LITTLE_ENDIAN));
            }
        }
        return copy;
    }

    /** Every path under {@code root} with its size, so a test can see that nothing appeared or vanished. */
    static List<String> snapshot(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.map(p -> root.relativize(p)
                            + (Files.isRegularFile(p) ? ":" + p.toFile().length() : "/"))
                    .sorted()
                    .toList();
        }
    }
}
