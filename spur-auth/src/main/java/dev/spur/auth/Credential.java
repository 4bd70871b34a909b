package dev.spur.auth;

import java.util.Objects;

/**
 * An access key pair and the account it acts for. {@link #toString()} never shows the secret, so a
 * credential can be logged or put in an exception message by mistake without leaking it.
 */
public record Credential(String accessKeyId, String secretKey, String account) {
    public Credential {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretKey, "secretKey");
        Objects.requireNonNull(account, "account");
    }

    @Override
    public String toString() {
        return "Credential[accessKeyId=" + accessKeyId + ", secretKey=****, account=" + account + "]";
    }
}
