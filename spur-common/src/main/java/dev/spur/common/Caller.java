package dev.spur.common;

/**
 * Who is asking and where: the account whose resources the request may see and the region it
 * addresses (from the SigV4 credential scope when the request is signed).
 */
public record Caller(String account, String region) {
    public static final String DEFAULT_ACCOUNT = "000000000000";
    public static final String DEFAULT_REGION = "us-east-1";

    public static Caller defaults() {
        return new Caller(DEFAULT_ACCOUNT, DEFAULT_REGION);
    }
}
