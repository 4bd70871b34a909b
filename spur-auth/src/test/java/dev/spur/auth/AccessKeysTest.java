package dev.spur.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessKeysTest {
    @Test
    void accessKeyIdsLookLikeAwsOnes() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = AccessKeys.newAccessKeyId();
            assertThat(id).hasSize(20).startsWith("AKSP").matches("AKSP[A-Z2-7]{16}");
            ids.add(id);
        }
        assertThat(ids).hasSize(1000);
    }

    @Test
    void secretKeysAreFortyBase64Characters() {
        Set<Character> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String secret = AccessKeys.newSecretKey();
            assertThat(secret).hasSize(40).matches("[A-Za-z0-9+/]{40}");
            secret.chars().forEach(c -> seen.add((char) c));
        }
        // Drawn from the whole alphabet, '+' and '/' included.
        assertThat(seen).hasSize(64);
    }
}
