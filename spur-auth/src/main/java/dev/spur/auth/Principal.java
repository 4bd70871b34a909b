package dev.spur.auth;

/**
 * Who signed a verified request: the account and key, and the region and service named in the
 * signature's credential scope. The verifier does not check the region; the caller decides
 * whether it serves it.
 */
public record Principal(String account, String accessKeyId, String region, String service) {}
