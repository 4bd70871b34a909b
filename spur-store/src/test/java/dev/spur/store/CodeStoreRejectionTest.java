package dev.spur.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.ErrorCode;
import dev.spur.common.LambdaException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every upload the code store must refuse: each is a 400 InvalidParameterValueException naming the
 * problem, and leaves the store directory exactly as it was (one good package stored beforehand).
 */
class CodeStoreRejectionTest {
    private static final long MAX_ZIP = 2L * 1024 * 1024;
    private static final long MAX_UNPACKED = 4L * 1024 * 1024;

    @TempDir
    Path dir;

    CodeStore store;

    @BeforeEach
    void storeOneGoodPackage() {
        store = CodeStore.open(dir, MAX_ZIP, MAX_UNPACKED);
        store.store(TestZips.builder().file("index.py", "pass\n").build());
    }

    @Test
    void zipSlipEntryIsRejectedAndLeavesNothingBehind() throws Exception {
        assertRejected(
                TestZips.builder().file("ok.py", "pass\n").file("../evil", "x").build(),
                "entry '../evil' points outside the package");
    }

    @Test
    void entryClimbingOutThroughASubdirectoryIsRejected() throws Exception {
        assertRejected(
                TestZips.builder().file("a/../../evil", "x").build(),
                "entry 'a/../../evil' points outside the package");
    }

    @Test
    void entryClimbingOutWithBackslashesIsRejected() throws Exception {
        // commons-compress itself turns backslashes into slashes in names without any '/' from FAT zips;
        // a Unix-platform name that has a '/' keeps them, so this one reaches our own normalization.
        assertRejected(
                TestZips.builder().file("lib/..\\..\\evil", "x").build(),
                "entry 'lib/..\\..\\evil' points outside the package");
        assertRejected(TestZips.withoutUnixModes(List.of("..\\evil")), "entry '../evil' points outside the package");
    }

    @Test
    void absolutePathEntryIsRejected() throws Exception {
        assertRejected(TestZips.builder().file("/etc/evil", "x").build(), "entry '/etc/evil' has an absolute path");
    }

    @Test
    void symbolicLinkEntryIsRejected() throws Exception {
        assertRejected(
                TestZips.builder()
                        .file("ok.py", "pass\n")
                        .symlink("passwd", "/etc/passwd")
                        .build(),
                "entry 'passwd' is a symbolic link");
    }

    @Test
    void deviceOrPipeEntryIsRejected() throws Exception {
        assertRejected(
                TestZips.builder().entry("fifo", new byte[0], 010644).build(),
                "entry 'fifo' is neither a regular file nor a directory");
    }

    @Test
    void fileNameLongerThanTheFileSystemAllowsIsRejectedAsTheCallersFault() throws Exception {
        assertRejected(
                TestZips.builder().file("lib/" + "a".repeat(256), "x").build(),
                "has a file name longer than 255 bytes");
    }

    @Test
    void zipBombStopsAtTheUnpackedLimit() throws Exception {
        byte[] bomb = TestZips.builder().zeros("zeros.bin", 300L * 1024 * 1024).build();
        assertThat(bomb.length).isLessThan((int) MAX_ZIP); // passes the zipped check; only inflating shows it

        assertRejected(bomb, "Unzipped size must be smaller than " + MAX_UNPACKED + " bytes");
    }

    @Test
    void declaredSizesAreNotTrustedWhenCountingTheUnpackedSize() throws Exception {
        byte[] liar = TestZips.withDeclaredUncompressedSize(
                TestZips.builder()
                        .zeros("small-they-say.bin", 16L * 1024 * 1024)
                        .build(),
                1024);

        assertRejected(liar, "Unzipped size must be smaller than " + MAX_UNPACKED + " bytes");
    }

    @Test
    void unpackedSizeIsCountedAcrossEntries() throws Exception {
        byte[] zip = TestZips.builder()
                .zeros("a.bin", 2L * 1024 * 1024)
                .zeros("b.bin", 2L * 1024 * 1024)
                .zeros("c.bin", 2L * 1024 * 1024)
                .build();

        assertRejected(zip, "Unzipped size must be smaller than " + MAX_UNPACKED + " bytes");
    }

    @Test
    void zipOverTheUploadLimitIsRejectedBeforeUnpacking() throws Exception {
        byte[] tooBig = Arrays.copyOf(TestZips.builder().file("a.py", "pass\n").build(), (int) MAX_ZIP + 1);

        assertRejected(tooBig, "Zipped code package is 2097153 bytes; the limit for direct upload is 2097152 bytes");
    }

    @Test
    void corruptEntryDataIsRejected() throws Exception {
        byte[] good = TestZips.builder()
                .file("data.txt", "the quick brown fox jumps over the lazy dog\n".repeat(500))
                .build();

        assertRejected(TestZips.withCorruptData(good), "entry 'data.txt' is corrupt");
    }

    @Test
    void truncatedZipIsRejected() throws Exception {
        byte[] good =
                TestZips.builder().file("a.py", "pass\n").file("b.py", "pass\n").build();

        assertRejected(Arrays.copyOf(good, good.length / 2), ZipUnpacker.CANNOT_UNZIP);
    }

    @Test
    void emptyZipIsRejected() throws Exception {
        assertRejected(TestZips.builder().build(), "the archive has no entries");
    }

    @Test
    void bytesThatAreNotAZipAreRejected() throws Exception {
        assertRejected("just some text, not a zip".getBytes(StandardCharsets.UTF_8), ZipUnpacker.CANNOT_UNZIP);
        assertRejected(new byte[0], ZipUnpacker.CANNOT_UNZIP);
    }

    @Test
    void duplicateEntryIsRejectedInsteadOfOverwriting() throws Exception {
        assertRejected(
                TestZips.builder()
                        .file("index.py", "one\n")
                        .file("./index.py", "two\n")
                        .build(),
                "entry './index.py' appears more than once");
    }

    @Test
    void fileWhereADirectoryIsNeededIsRejected() throws Exception {
        assertRejected(
                TestZips.builder()
                        .file("lib", "a file\n")
                        .file("lib/util.py", "X = 1\n")
                        .build(),
                "entry 'lib/util.py' needs a directory where another entry is a file");
    }

    private void assertRejected(byte[] zip, String problem) throws Exception {
        List<String> before = TestZips.snapshot(dir);

        assertThatThrownBy(() -> store.store(zip)).isInstanceOfSatisfying(LambdaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
            assertThat(e.getMessage()).contains(problem);
        });
        assertThat(TestZips.snapshot(dir))
                .as("store directory after the rejection")
                .isEqualTo(before);
    }
}
