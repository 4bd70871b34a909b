package dev.spur.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * The secret a fleet of Spur nodes shares: 32 random bytes from which each use derives a key of its own,
 * HMAC-SHA256 of the cluster key over a label — the key that seals access keys' secrets at rest
 * ({@link #sealing()}), and the key nodes sign their requests to each other with ({@link #sign}). So one
 * secret, given to every node (a Kubernetes Secret, {@code $SPUR_CLUSTER_KEY}) or kept in the shared
 * database, makes an access key created on one node usable on all, and lets a node tell a peer's request
 * from anyone else's.
 *
 * <p>Its {@link #checkValue()} is safe to store next to what it seals: it tells whether two nodes hold
 * the same key without revealing it. Never printed: {@link #toString()} says nothing of the bytes.
 */
public final class ClusterKey {
    public static final int BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;

    private ClusterKey(byte[] key) {
        this.key = key;
    }

    /** A key of exactly {@value #BYTES} bytes (copied). */
    public static ClusterKey of(byte[] key) {
        if (key.length != BYTES) {
            throw new IllegalArgumentException(
                    "A cluster key is " + BYTES + " bytes; this one is " + key.length + " bytes");
        }
        return new ClusterKey(key.clone());
    }

    public static ClusterKey random() {
        byte[] key = new byte[BYTES];
        RANDOM.nextBytes(key);
        return new ClusterKey(key);
    }

    /**
     * A key in its text form, base64 of {@value #BYTES} bytes (e.g. {@code head -c 32 /dev/urandom | base64}).
     *
     * @throws IllegalArgumentException naming what is wrong, never echoing the text
     */
    public static ClusterKey parse(String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "A cluster key is base64 text of " + BYTES + " bytes; this is not base64");
        }
        try {
            return of(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** The text form {@link #parse} reads. */
    public String encoded() {
        return Base64.getEncoder().encodeToString(key);
    }

    /** A value that tells keys apart without revealing them (HMAC over a fixed label), safe to store. */
    public String checkValue() {
        return Base64.getEncoder().encodeToString(derive("spur cluster key check"));
    }

    /** The box that seals access keys' secrets, the same on every node holding this key. */
    public SecretBox sealing() {
        byte[] derived = derive("spur sealing");
        try {
            return new SecretBox(derived);
        } finally {
            Arrays.fill(derived, (byte) 0);
        }
    }

    /** HMAC-SHA256 of {@code message} under the key derived for {@code purpose}, base64. */
    public String sign(String purpose, String message) {
        byte[] derived = derive(purpose);
        try {
            return Base64.getEncoder().encodeToString(Crypto.hmac(derived, message));
        } finally {
            Arrays.fill(derived, (byte) 0);
        }
    }

    /** Whether {@code signature} is {@link #sign}{@code (purpose, message)}, compared in constant time. */
    public boolean verify(String purpose, String message, String signature) {
        return MessageDigest.isEqual(
                sign(purpose, message).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }

    private byte[] derive(String label) {
        return Crypto.hmac(key, label);
    }

    @Override
    public String toString() {
        return "ClusterKey[check " + checkValue().substring(0, 8) + "…]";
    }
}
