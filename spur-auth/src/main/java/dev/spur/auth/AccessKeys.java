package dev.spur.auth;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * New access key pairs in AWS's shapes, so SDKs and tools that sanity-check key formats accept them:
 * a 20-character id ({@code AKSP} plus 16 base32 characters) and a 40-character secret drawn from the
 * base64 alphabet ({@code A-Z a-z 0-9 + /}). Both come from {@link SecureRandom}.
 */
public final class AccessKeys {
    static final String ID_PREFIX = "AKSP";
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private AccessKeys() {}

    public static String newAccessKeyId() {
        StringBuilder id = new StringBuilder(20).append(ID_PREFIX);
        for (int i = 0; i < 16; i++) {
            id.append(BASE32[RANDOM.nextInt(BASE32.length)]);
        }
        return id.toString();
    }

    /** 240 random bits: 30 bytes are exactly 40 base64 characters, with no padding. */
    public static String newSecretKey() {
        byte[] bytes = new byte[30];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
