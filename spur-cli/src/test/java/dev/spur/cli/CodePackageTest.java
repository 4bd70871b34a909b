package dev.spur.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodePackageTest {
    @TempDir
    Path dir;

    @Test
    void zipKeepsEachFilesPermissionsSoBootstrapStaysExecutable() throws Exception {
        Files.writeString(dir.resolve("bootstrap"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(dir.resolve("bootstrap"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.writeString(dir.resolve("data.txt"), "data");
        Files.setPosixFilePermissions(dir.resolve("data.txt"), PosixFilePermissions.fromString("rw-r--r--"));

        Map<String, Integer> modes = entries(CodePackage.of(dir));

        assertThat(modes).containsEntry("bootstrap", 0100750).containsEntry("data.txt", 0100644);
    }

    @Test
    void zipHoldsNestedDirectoriesAndTheirFiles() throws Exception {
        Files.createDirectories(dir.resolve("lib/empty"));
        Files.writeString(dir.resolve("lib/util.sh"), "echo");

        assertThat(entries(CodePackage.of(dir)).keySet()).containsExactly("lib/", "lib/empty/", "lib/util.sh");
    }

    @Test
    void zippingTheSameFilesTwiceGivesTheSameBytes() throws Exception {
        Files.writeString(dir.resolve("a"), "a");
        Files.writeString(dir.resolve("b"), "b");
        byte[] first = CodePackage.of(dir);
        Files.setLastModifiedTime(dir.resolve("a"), FileTime.fromMillis(0));

        assertThat(CodePackage.of(dir)).isEqualTo(first);
    }

    @Test
    void symbolicLinksAreRefusedNotFollowed() throws Exception {
        Files.writeString(dir.resolve("real"), "x");
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));

        assertThatThrownBy(() -> CodePackage.of(dir))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("link is a symbolic link")
                .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(2));
    }

    @Test
    void existingZipOrJarIsTakenByteForByte() throws Exception {
        byte[] bytes = {'P', 'K', 3, 4, 42};
        Path jar = Files.write(dir.resolve("app.jar"), bytes);

        assertThat(CodePackage.of(jar)).isEqualTo(bytes);
    }

    @Test
    void emptyDirectoryMissingPathAndOtherFilesAreRefused() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path text = Files.writeString(dir.resolve("notes.txt"), "x");

        assertThatThrownBy(() -> CodePackage.of(empty)).hasMessageContaining("is empty");
        assertThatThrownBy(() -> CodePackage.of(dir.resolve("nope"))).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> CodePackage.of(text)).hasMessageContaining("neither a directory nor a .zip or .jar");
    }

    /** Entry names in archive order, with their unix modes. */
    private static Map<String, Integer> entries(byte[] zip) throws Exception {
        try (ZipFile file = ZipFile.builder()
                .setSeekableByteChannel(new SeekableInMemoryByteChannel(zip))
                .get()) {
            List<ZipArchiveEntry> entries = Collections.list(file.getEntriesInPhysicalOrder());
            return entries.stream()
                    .collect(Collectors.toMap(
                            ZipArchiveEntry::getName, ZipArchiveEntry::getUnixMode, (a, b) -> a, LinkedHashMap::new));
        }
    }
}
