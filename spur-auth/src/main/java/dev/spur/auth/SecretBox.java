package dev.spur.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals secrets (access-key secrets, function environment secrets) for storage at rest with
 * AES-256-GCM under a master key kept in a file of 32 raw bytes, created on first use with owner-only
 * permissions. A sealed value is base64 of {@code nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)},
 * with a fresh random nonce per seal. Failures never carry plaintext or key material.
 *
 * <p>Thread-safe: each call uses its own {@link Cipher}.
 */
public final class SecretBox {
    static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKey key;

    SecretBox(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /**
     * Opens the master key in {@code keyFile}, creating it (32 random bytes, mode 0600 where the file
     * system is POSIX) if it does not exist. The file appears atomically: a crash leaves either no key
     * or a whole one.
     *
     * @throws IllegalStateException if the file does not hold exactly 32 bytes
     * @throws UncheckedIOException if the file cannot be read or written
     */
    public static SecretBox open(Path keyFile) {
        try {
            if (!Files.exists(keyFile)) {
                create(keyFile);
            }
            byte[] key = Files.readAllBytes(keyFile);
            if (key.length != KEY_BYTES) {
                Arrays.fill(key, (byte) 0);
                throw new IllegalStateException("Master key file " + keyFile + " holds " + key.length
                        + " bytes; an AES-256 key is " + KEY_BYTES + " bytes. Restore the right file; "
                        + "secrets sealed with another key cannot be opened.");
            }
            SecretBox box = new SecretBox(key);
            Arrays.fill(key, (byte) 0);
            return box;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open master key file " + keyFile, e);
        }
    }

    private static void create(Path keyFile) throws IOException {
        Path directory = keyFile.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temp = posix(directory)
                ? Files.createTempFile(
                        directory,
                        ".master-key",
                        ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(directory, ".master-key", ".tmp");
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        try {
            Files.write(temp, key);
            try {
                // A link cannot replace an existing file: if another process won the race, keep its key.
                Files.createLink(keyFile, temp);
            } catch (FileAlreadyExistsException e) {
                // Theirs stands.
            } catch (UnsupportedOperationException | IOException e) {
                if (Files.exists(keyFile)) {
                    return;
                }
                try {
                    Files.move(temp, keyFile, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException notAtomic) {
                    Files.move(temp, keyFile);
                }
            }
        } finally {
            Arrays.fill(key, (byte) 0);
            Files.deleteIfExists(temp);
        }
    }

    private static boolean posix(Path directory) {
        return directory.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** Encrypts {@code plaintext} (UTF-8) under a fresh nonce; returns base64 text. */
    public String seal(String plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] plain = plaintext.getBytes(StandardCharsets.UTF_8);
            byte[] sealed = Arrays.copyOf(nonce, NONCE_BYTES + cipher.getOutputSize(plain.length));
            cipher.doFinal(plain, 0, plain.length, sealed, NONCE_BYTES);
            Arrays.fill(plain, (byte) 0);
            return Base64.getEncoder().encodeToString(sealed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * Decrypts a value made by {@link #seal}.
     *
     * @throws IllegalStateException if it is not a sealed value, was altered, or was sealed under another key
     */
    public String open(String sealed) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(sealed);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Sealed secret is not valid base64");
        }
        if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalStateException("Sealed secret is too short to be AES-GCM output");
        }
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
            byte[] plain = cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES);
            String text = new String(plain, StandardCharsets.UTF_8);
            Arrays.fill(plain, (byte) 0);
            return text;
        } catch (AEADBadTagException e) {
            throw new IllegalStateException(
                    "Sealed secret failed authentication: it was altered or sealed under another key");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed", e);
        }
    }

    @Override
    public String toString() {
        return "SecretBox[AES-256-GCM]";
    }
}
