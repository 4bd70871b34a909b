package dev.spur.gateway;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP request as the edge received it, before any translation.
 *
 * @param method    as sent, e.g. {@code GET}
 * @param rawPath   the path exactly as on the request line, still percent-encoded
 * @param rawQuery  the query without {@code '?'}, still encoded; {@code null} when the URL had none
 * @param headers   in arrival order, original case, duplicates allowed
 * @param body      the request body, empty when none; not copied, so callers must not change it
 * @param sourceIp  the peer of the TCP connection
 * @param protocol  e.g. {@code HTTP/1.1}
 * @param time      when the request arrived
 */
public record HttpRequestData(
        String method,
        String rawPath,
        String rawQuery,
        List<Map.Entry<String, String>> headers,
        byte[] body,
        String sourceIp,
        String protocol,
        Instant time) {

    public HttpRequestData {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(rawPath, "rawPath");
        headers = List.copyOf(headers);
        body = body == null ? new byte[0] : body;
        Objects.requireNonNull(sourceIp, "sourceIp");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(time, "time");
    }

    /** This request with {@code body} as its body. */
    public HttpRequestData withBody(byte[] body) {
        return new HttpRequestData(method, rawPath, rawQuery, headers, body, sourceIp, protocol, time);
    }

    /** The first value of the header {@code name} (case-insensitive). */
    public Optional<String> header(String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return Optional.of(h.getValue());
            }
        }
        return Optional.empty();
    }

    /** Every value of the header {@code name} (case-insensitive), in arrival order. */
    public List<String> headerValues(String name) {
        return headers.stream()
                .filter(h -> h.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue)
                .toList();
    }
}
