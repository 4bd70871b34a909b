package dev.spur.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.store.CodeStore.StoredCode;
import dev.spur.testing.Zips;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileCodeStoreTest {
    @TempDir
    Path dir;

    private static byte[] sampleZip() {
        return Zips.create()
                .text("index.py", "def handler(event, context):\n    return event\n")
                .directory("lib")
                .text("lib/util.py", "X = 1\n")
                .directory("empty")
                .executable("bin/run.sh", "#!/bin/sh\necho hi\n")
                .bytes();
    }

    @Test
    void storedPackageRoundTripsWithItsHashSizeAndFiles() throws Exception {
        byte[] zip = sampleZip();
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(zip);

        StoredCode stored = CodeStore.open(dir).store(zip);

        assertThat(stored.code().sha256Hex()).isEqualTo(HexFormat.of().formatHex(digest));
        assertThat(stored.code().sha256Base64()).isEqualTo(Base64.getEncoder().encodeToString(digest));
        assertThat(stored.code().size()).isEqualTo(zip.length);
        assertThat(stored.directory()).isEqualTo(dir.resolve(stored.code().sha256Hex()));
        assertThat(stored.directory().resolve("index.py"))
                .hasContent("def handler(event, context):\n    return event\n");
        assertThat(stored.directory().resolve("lib/util.py")).hasContent("X = 1\n");
        assertThat(stored.directory().resolve("empty")).isEmptyDirectory();
        assertThat(CodeStore.open(dir).zipFile(stored.code().sha256Hex())).hasBinaryContent(zip);
    }

    @Test
    void unpackedTreeAndZipAreReadOnlyAndTheExecutableBitIsKept() throws Exception {
        CodeStore store = CodeStore.open(dir);
        StoredCode stored = store.store(sampleZip());
        Path root = stored.directory();

        assertThat(mode(root.resolve("index.py"))).isEqualTo("r--r--r--");
        assertThat(mode(root.resolve("bin/run.sh"))).isEqualTo("r-xr-xr-x");
        assertThat(mode(root)).isEqualTo("r-xr-xr-x");
        assertThat(mode(root.resolve("lib"))).isEqualTo("r-xr-xr-x");
        assertThat(mode(root.resolve("bin"))).isEqualTo("r-xr-xr-x"); // created implicitly, no entry of its own
        assertThat(mode(store.zipFile(stored.code().sha256Hex()))).isEqualTo("r--r--r--");
        assertThat(Files.isReadable(root.resolve("lib/util.py"))).isTrue();
    }

    @Test
    void rootBootstrapIsExecutableWhenTheZipCarriesNoUnixModes() throws Exception {
        byte[] zip = Zips.withoutUnixModes(List.of("bootstrap", "lib/bootstrap", "handler.sh"));

        Path root = CodeStore.open(dir).store(zip).directory();

        assertThat(mode(root.resolve("bootstrap"))).isEqualTo("r-xr-xr-x");
        assertThat(mode(root.resolve("lib/bootstrap"))).isEqualTo("r--r--r--");
        assertThat(mode(root.resolve("handler.sh"))).isEqualTo("r--r--r--");
    }

    @Test
    void backslashSeparatorsFromWindowsToolsAreReadAsDirectories() {
        byte[] zip = Zips.create().text("lib/sub\\util.py", "X = 1\n").bytes();

        Path root = CodeStore.open(dir).store(zip).directory();

        assertThat(root.resolve("lib/sub/util.py")).hasContent("X = 1\n");
    }

    @Test
    void storingTheSameBytesTwiceReturnsTheSamePackage() throws Exception {
        CodeStore store = CodeStore.open(dir);
        byte[] zip = sampleZip(); // built once: entry times make two builds differ across a clock tick
        StoredCode first = store.store(zip);
        List<String> before = Zips.snapshot(dir);

        StoredCode second = store.store(zip.clone());

        assertThat(second).isEqualTo(first);
        assertThat(Zips.snapshot(dir)).isEqualTo(before);
        try (var entries = Files.list(dir)) {
            assertThat(entries.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(
                            first.code().sha256Hex(), first.code().sha256Hex() + ".zip");
        }
    }

    @Test
    void concurrentStoresOfTheSameBytesAllSucceedAndLeaveOnePackage() throws Exception {
        CodeStore store = CodeStore.open(dir);
        byte[] zip = sampleZip();
        List<Future<StoredCode>> results = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 16; i++) {
                results.add(threads.submit(() -> store.store(zip)));
            }
        }
        StoredCode expected = results.getFirst().get();
        for (Future<StoredCode> result : results) {
            assertThat(result.get()).isEqualTo(expected);
        }
        try (var entries = Files.list(dir)) {
            assertThat(entries).hasSize(2);
        }
        assertThat(expected.directory().resolve("lib/util.py")).hasContent("X = 1\n");
    }

    @Test
    void retainOnlyDeletesEveryOtherPackageAndKeepsTheRest() throws Exception {
        CodeStore store = CodeStore.open(dir);
        StoredCode kept = store.store(sampleZip());
        StoredCode dropped =
                store.store(Zips.create().text("other.py", "pass\n").bytes());
        Files.writeString(dir.resolve("README"), "not a package; left alone");

        store.retainOnly(Set.of(kept.code().sha256Hex()));

        assertThat(dropped.directory()).doesNotExist();
        assertThat(store.zipFile(dropped.code().sha256Hex())).doesNotExist();
        assertThat(kept.directory().resolve("index.py")).exists();
        assertThat(store.zipFile(kept.code().sha256Hex())).exists();
        assertThat(dir.resolve("README")).exists();
        try (var entries = Files.list(dir)) {
            assertThat(entries).hasSize(3);
        }
    }

    @Test
    void leftoversOfACrashedStoreAreDeletedOnOpen() throws Exception {
        Path tree = Files.createDirectories(dir.resolve(".tmp-1234/lib"));
        Files.writeString(tree.resolve("half-written.py"), "X =");
        Files.setPosixFilePermissions(tree, PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.writeString(dir.resolve(".tmp-5678.zip"), "PK");

        CodeStore.open(dir);

        try (var entries = Files.list(dir)) {
            assertThat(entries).isEmpty();
        }
    }

    @Test
    void pathsAreOnlyGivenForWellFormedHashes() {
        CodeStore store = CodeStore.open(dir);

        assertThatThrownBy(() -> store.unpackedDirectory("../../etc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.zipFile("ABC")).isInstanceOf(IllegalArgumentException.class);
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
