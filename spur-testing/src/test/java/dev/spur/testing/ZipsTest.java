package dev.spur.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZipsTest {
    @TempDir
    Path dir;

    @Test
    void entriesKeepTheirOrderModesAndContent() throws Exception {
        byte[] zip = Zips.create()
                .executable("bootstrap", "#!/bin/sh\n")
                .text("app.py", "x = 1\n")
                .symlink("link", "/etc/passwd")
                .directory("lib")
                .bytes();

        Map<String, Integer> modes = new LinkedHashMap<>();
        try (ZipFile file = ZipFile.builder()
                .setSeekableByteChannel(new SeekableInMemoryByteChannel(zip))
                .get()) {
            for (ZipArchiveEntry e : Collections.list(file.getEntriesInPhysicalOrder())) {
                modes.put(e.getName(), e.getUnixMode());
            }
            assertThat(new String(file.getInputStream(file.getEntry("app.py")).readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("x = 1\n");
        }
        assertThat(modes)
                .containsExactly(
                        Map.entry("bootstrap", Zips.EXECUTABLE),
                        Map.entry("app.py", Zips.REGULAR),
                        Map.entry("link", Zips.SYMLINK),
                        Map.entry("lib/", Zips.DIRECTORY));
    }

    @Test
    void everyEntryHasOneFixedTimeSoTheSameEntriesGiveTheSameBytes() throws Exception {
        byte[] zip = Zips.create().text("a", "a").bytes();
        try (ZipFile file = ZipFile.builder()
                .setSeekableByteChannel(new SeekableInMemoryByteChannel(zip))
                .get()) {
            assertThat(file.getEntry("a").getLastModifiedTime().toInstant())
                    .isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
        }
        assertThat(Zips.of(Map.of("a", "a"))).isEqualTo(zip);
    }

    @Test
    void writeToLaysOutFilesWithTheirPermissions() throws Exception {
        Path fn = FunctionPackage.echo("echo").writeTo(dir.resolve("fn"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fn.resolve("bootstrap"))))
                .isEqualTo("rwxr-xr-x");
        assertThat(Files.readString(fn.resolve("bootstrap")))
                .startsWith("#!/bin/sh\n")
                .contains("{\\\"echo\\\":");
    }

    @Test
    void hostileArchivesSayWhatTheyClaim() throws Exception {
        byte[] plain = Zips.withoutUnixModes(List.of("a.txt"));
        assertThat(Zips.withDeclaredUncompressedSize(plain, 7))
                .hasSameSizeAs(plain)
                .isNotEqualTo(plain);
        assertThat(Zips.withCorruptData(
                        Zips.create().text("t", "x".repeat(1000)).bytes()))
                .isNotEqualTo(Zips.create().text("t", "x".repeat(1000)).bytes());
        assertThat(Zips.empty()).hasSize(22); // the end-of-central-directory record alone
        assertThat(Zips.incompressible("noise", 1 << 16).length).isGreaterThan(1 << 16);
        assertThat(Zips.create().zeros("zeros", 16L << 20).bytes().length).isLessThan(1 << 20);
    }
}
