package dev.spur.control;

import dev.spur.common.LambdaException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Marker/MaxItems paging over a list already in order (versions, aliases, URLs, provisioned
 * configurations of one function: short lists held in memory). The marker is the last key shown,
 * base64url-encoded, so it stays valid when items are added or removed between pages.
 */
final class Paging {
    static final int DEFAULT_MAX_ITEMS = 50;

    private Paging() {}

    record Page<T>(List<T> items, Optional<String> nextMarker) {}

    static <T> Page<T> page(
            List<T> ordered, Function<T, String> key, Optional<String> marker, Optional<Integer> maxItems) {
        int max = maxItems.orElse(DEFAULT_MAX_ITEMS);
        LambdaException.requireValid(
                max >= 1 && max <= 10_000,
                "1 validation error detected: Value '%d' at "
                        + "'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000",
                max);
        int start = 0;
        if (marker.isPresent()) {
            String after = decode(marker.get());
            start = ordered.size();
            for (int i = 0; i < ordered.size(); i++) {
                if (key.apply(ordered.get(i)).equals(after)) {
                    start = i + 1;
                    break;
                }
            }
        }
        int end = Math.min(ordered.size(), start + max);
        List<T> items = List.copyOf(ordered.subList(start, end));
        Optional<String> next =
                end < ordered.size() ? Optional.of(encode(key.apply(items.getLast()))) : Optional.empty();
        return new Page<>(items, next);
    }

    private static String encode(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String marker) {
        try {
            return new String(Base64.getUrlDecoder().decode(marker), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw LambdaException.invalid("Invalid Marker: %s", marker);
        }
    }
}
