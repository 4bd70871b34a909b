package dev.spur.auth;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A request as received on the wire, before any decoding, for {@link SigV4Verifier}.
 *
 * @param method  the HTTP method, upper case
 * @param rawPath the path exactly as sent, still percent-encoded
 *                (e.g. {@code /2015-03-31/functions/arn%3Aaws%3Alambda%3A...:f/invocations})
 * @param rawQuery the query exactly as sent, without the {@code '?'}; null if the request had none
 * @param headers in arrival order; duplicates allowed; names in any case
 * @param body    the complete body; empty if none
 */
public record SignedRequest(
        String method, String rawPath, String rawQuery, List<Map.Entry<String, String>> headers, byte[] body) {
    public SignedRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(rawPath, "rawPath");
        headers = List.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }

    /** The first value of a header, or null. */
    String header(String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return null;
    }
}
