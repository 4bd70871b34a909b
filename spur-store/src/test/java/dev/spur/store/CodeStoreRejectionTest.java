package dev.spur.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.ErrorCode;
import dev.spur.common.LambdaException;
import dev.spur.testing.Zips;
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
        store.store(Zips.create().text("index.py", "pass\n").bytes());
    }

    @Test
    void zipSlipEntryIsRejectedAndLeavesNothingBehind() throws Exception {
        assertRejected(
                Zips.create().text("ok.py", "pass\n").text("../evil", "x").bytes(),
                "entry '../evil' points outside the package");
    }

    @Test
    void entryClimbingOutThroughASubdirectoryIsRejected() throws Exception {
        assertRejected(
                Zips.create().text("a/../../evil", "x").bytes(), "entry 'a/../../evil' points outside the package");
    }

    @Test
    void entryClimbingOutWithBackslashesIsRejected() throws Exception {
        // commons-compress itself turns backslashes into slashes in names without any '/' from FAT zips;
        // a Unix-platform name that has a '/' keeps them, so this one reaches our own normalization.
        assertRejected(
                Zips.create().text("lib/..\\..\\evil", "x").bytes(),
                "entry 'lib/..\\..\\evil' points outside the package");
        assertRejected(Zips.withoutUnixModes(List.of("..\\evil")), "entry '../evil' points outside the package");
    }

    @Test
    void absolutePathEntryIsRejected() throws Exception {
        assertRejected(Zips.create().text("/etc/evil", "x").bytes(), "entry '/etc/evil' has an absolute path");
    }

    @Test
    void symbolicLinkEntryIsRejected() throws Exception {
        assertRejected(
                Zips.create()
                        .text("ok.py", "pass\n")
                        .symlink("passwd", "/etc/passwd")
                        .bytes(),
                "entry 'passwd' is a symbolic link");
    }

    @Test
    void deviceOrPipeEntryIsRejected() throws Exception {
        assertRejected(
                Zips.create().entry("fifo", new byte[0], 010644).bytes(),
                "entry 'fifo' is neither a regular file nor a directory");
    }

    @Test
    void fileNameLongerThanTheFileSystemAllowsIsRejectedAsTheCallersFault() throws Exception {
        assertRejected(
                Zips.create().text("lib/" + "a".repeat(256), "x").bytes(), "has a file name longer than 255 bytes");
    }

    @Test
    void zipBombStopsAtTheUnpackedLimit() throws Exception {
        byte[] bomb = Zips.create().zeros("zeros.bin", 300L * 1024 * 1024).bytes();
        assertThat(bomb.length).isLessThan((int) MAX_ZIP); // passes the zipped check; only inflating shows it

        assertRejected(bomb, "Unzipped size must be smaller than " + MAX_UNPACKED + " bytes");
    }

    @Test
    void declaredSizesAreNotTrustedWhenCountingTheUnpackedSize() throws Exception {
        byte[] liar = Zips.withDeclaredUncompressedSize(
                Zips.create().zeros("small-they-say.bin", 16L * 1024 * 1024).bytes(), 1024);

        assertRejected(liar, "Unzipped size must be smaller than " + MAX_UNPACKED + " bytes");
    }

    @Test
    void unpackedSizeIsCountedAcrossEntries() throws Exception {
        byte[] zip = Zips.create()
                .zeros("a.bin", 2L * 1024 * 1024)
                .zeros("b.bin", 2L * 1024 * 1024)
                .zeros("c.bin", 2L * 1024 * 1024)
                .bytes();

        assertRejected(zip, "Unzipped size must be smaller than " + MAX_UNPACKED + " bytes");
    }

    @Test
    void zipOverTheUploadLimitIsRejectedBeforeUnpacking() throws Exception {
        byte[] tooBig = Arrays.copyOf(Zips.create().text("a.py", "pass\n").bytes(), (int) MAX_ZIP + 1);

        assertRejected(tooBig, "Zipped code package is 2097153 bytes; the limit for direct upload is 2097152 bytes");
    }

    @Test
    void corruptEntryDataIsRejected() throws Exception {
        byte[] good = Zips.create()
                .text("data.txt", "the quick brown fox jumps over the lazy dog\n".repeat(500))
                .bytes();

        assertRejected(Zips.withCorruptData(good), "entry 'data.txt' is corrupt");
    }

    @Test
    void truncatedZipIsRejected() throws Exception {
        byte[] good =
                Zips.create().text("a.py", "pass\n").text("b.py", "pass\n").bytes();

        assertRejected(Arrays.copyOf(good, good.length / 2), ZipUnpacker.CANNOT_UNZIP);
    }

    @Test
    void emptyZipIsRejected() throws Exception {
        assertRejected(Zips.create().bytes(), "the archive has no entries");
    }

    @Test
    void bytesThatAreNotAZipAreRejected() throws Exception {
        assertRejected("just some text, not a zip".getBytes(StandardCharsets.UTF_8), ZipUnpacker.CANNOT_UNZIP);
        assertRejected(new byte[0], ZipUnpacker.CANNOT_UNZIP);
    }

    @Test
    void duplicateEntryIsRejectedInsteadOfOverwriting() throws Exception {
        assertRejected(
                Zips.create()
                        .text("index.py", "one\n")
                        .text("./index.py", "two\n")
                        .bytes(),
                "entry './index.py' appears more than once");
    }

    @Test
    void fileWhereADirectoryIsNeededIsRejected() throws Exception {
        assertRejected(
                Zips.create()
                        .text("lib", "a file\n")
                        .text("lib/util.py", "X = 1\n")
                        .bytes(),
                "entry 'lib/util.py' needs a directory where another entry is a file");
    }

    private void assertRejected(byte[] zip, String problem) throws Exception {
        List<String> before = Zips.snapshot(dir);

        assertThatThrownBy(() -> store.store(zip)).isInstanceOfSatisfying(LambdaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
            assertThat(e.getMessage()).contains(problem);
        });
        assertThat(Zips.snapshot(dir)).as("store directory after the rejection").isEqualTo(before);
    }
}
