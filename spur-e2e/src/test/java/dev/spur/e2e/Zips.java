package dev.spur.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/** Builds function zips in memory, with Unix modes so a {@code bootstrap} stays executable. */
final class Zips {
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final Map<String, Integer> modes = new LinkedHashMap<>();

    static Zips create() {
        return new Zips();
    }

    Zips text(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    Zips executable(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0755);
    }

    Zips file(String name, byte[] content, int mode) {
        files.put(name, content);
        modes.put(name, mode);
        return this;
    }

    /** Adds every file under {@code dir} (optionally only those under {@code subdir}) at its relative path. */
    Zips tree(Path dir, String subdir, String prefix) {
        Path root = subdir.isEmpty() ? dir : dir.resolve(subdir);
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                file(prefix + dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p), 0644);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Zips copy(Path file, String name) {
        try {
            return file(name, Files.readAllBytes(file), 0644);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            for (var e : files.entrySet()) {
                ZipArchiveEntry entry = new ZipArchiveEntry(e.getKey());
                entry.setUnixMode(0100000 | modes.get(e.getKey()));
                zip.putArchiveEntry(entry);
                zip.write(e.getValue());
                zip.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
