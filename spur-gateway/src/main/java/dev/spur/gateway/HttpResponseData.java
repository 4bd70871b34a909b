package dev.spur.gateway;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP response for the edge to write as is.
 *
 * @param headers in order; a header may repeat (one {@code Set-Cookie} per cookie)
 * @param body    not copied, so callers must not change it
 */
public record HttpResponseData(int status, List<Map.Entry<String, String>> headers, byte[] body) {

    public HttpResponseData {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be 100..599, was " + status);
        }
        headers = List.copyOf(headers);
        Objects.requireNonNull(body, "body");
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

    /** Every value of the header {@code name} (case-insensitive), in order. */
    public List<String> headerValues(String name) {
        return headers.stream()
                .filter(h -> h.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue)
                .toList();
    }
}
