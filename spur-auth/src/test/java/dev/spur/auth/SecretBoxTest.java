package dev.spur.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    @TempDir
    Path dir;

    @Test
    void roundTrip() {
        SecretBox box = SecretBox.open(dir.resolve("master.key"));

        String sealed = box.seal(SECRET);

        assertThat(sealed).doesNotContain(SECRET);
        assertThat(Base64.getDecoder().decode(sealed)).hasSize(12 + SECRET.length() + 16);
        assertThat(box.open(sealed)).isEqualTo(SECRET);
        assertThat(box.open(box.seal(""))).isEmpty();
        assertThat(box.open(box.seal("ünïcødé ✓"))).isEqualTo("ünïcødé ✓");
    }

    @Test
    void everySealUsesAFreshNonce() {
        SecretBox box = SecretBox.open(dir.resolve("master.key"));

        assertThat(box.seal(SECRET)).isNotEqualTo(box.seal(SECRET));
    }

    @Test
    void createsA32ByteKeyFileOnFirstOpenAndReadsItAfterwards() throws IOException {
        Path keyFile = dir.resolve("nested/master.key");
        String sealed = SecretBox.open(keyFile).seal(SECRET);
        byte[] key = Files.readAllBytes(keyFile);

        SecretBox reopened = SecretBox.open(keyFile);

        assertThat(key).hasSize(32);
        assertThat(Files.readAllBytes(keyFile)).isEqualTo(key);
        assertThat(reopened.open(sealed)).isEqualTo(SECRET);
        try (var files = Files.list(keyFile.getParent())) {
            assertThat(files).containsExactly(keyFile);
        }
    }

    @Test
    void keyFileIsReadableByItsOwnerOnly() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path keyFile = dir.resolve("master.key");

        SecretBox.open(keyFile);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
                .isEqualTo("rw-------");
    }

    @Test
    void tamperedCiphertextIsRejected() {
        SecretBox box = SecretBox.open(dir.resolve("master.key"));
        byte[] sealed = Base64.getDecoder().decode(box.seal(SECRET));
        sealed[20] ^= 1;

        assertThatThrownBy(() -> box.open(Base64.getEncoder().encodeToString(sealed)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("failed authentication")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void valueSealedUnderAnotherKeyIsRejected() {
        String sealed = SecretBox.open(dir.resolve("a.key")).seal(SECRET);

        assertThatThrownBy(() -> SecretBox.open(dir.resolve("b.key")).open(sealed))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void garbageIsRejected() {
        SecretBox box = SecretBox.open(dir.resolve("master.key"));

        assertThatThrownBy(() -> box.open("not base64!")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> box.open("c2hvcnQ=")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void keyFileOfTheWrongLengthIsRefused() throws IOException {
        Path keyFile = dir.resolve("master.key");
        Files.write(keyFile, new byte[16]);

        assertThatThrownBy(() -> SecretBox.open(keyFile))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("holds 16 bytes")
                .hasMessageContaining("32 bytes");
    }

    @Test
    void neitherBoxNorCredentialPrintsSecrets() {
        assertThat(SecretBox.open(dir.resolve("master.key")).toString()).doesNotContain("key=");
        assertThat(new Credential("AKSPEXAMPLE", SECRET, "000000000000").toString())
                .contains("AKSPEXAMPLE")
                .doesNotContain(SECRET);
    }
}
