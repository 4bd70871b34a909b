package dev.spur.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/** Directories the tests make and remove: data directories, function trees, work areas. */
public final class Directories {
    private Directories() {}

    /**
     * Lets other users traverse {@code dir} without listing it ({@code rwx--x--x}): a temporary
     * directory is {@code 0700}, and the linux sandbox's users must reach the code below it.
     */
    public static Path traversable(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** Deletes a tree that may hold read-only directories (unpacked code). Best effort. */
    public static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isDirectory).forEach(p -> p.toFile().setWritable(true));
        } catch (IOException e) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: what is left is in the temporary directory
        }
    }
}
