package dev.spur.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * JWT authorizers' signing keys fetched from their {@code JwksUri}, each document kept for
 * {@link #TTL} and shared by every API that names the same URI. Two requests that find the cache
 * stale at once both fetch; the later answer wins. A failed fetch caches nothing, so the next
 * request tries again.
 */
final class JwksCache {
    static final Duration TTL = Duration.ofMinutes(5);
    /** The most of a JWKS document that is read. */
    private static final int MAX_BYTES = 1024 * 1024;

    private final InstantSource clock;
    private final ConcurrentMap<String, Cached> keys = new ConcurrentHashMap<>();

    private record Cached(JwkSet keys, Instant fetchedAt) {}

    JwksCache(InstantSource clock) {
        this.clock = clock;
    }

    /**
     * The key set at {@code uri}, from the cache while it is younger than {@link #TTL}.
     *
     * <p>Failure semantics: one GET with 5-second connect and read timeouts, not retried; an
     * {@link IOException} when the document cannot be fetched, an {@link IllegalArgumentException}
     * when it is not a JWKS.
     */
    JwkSet get(String uri) throws IOException {
        Cached cached = keys.get(uri);
        if (cached != null && cached.fetchedAt().plus(TTL).isAfter(clock.instant())) {
            return cached.keys();
        }
        HttpURLConnection c = (HttpURLConnection) URI.create(uri).toURL().openConnection();
        c.setConnectTimeout(5_000);
        c.setReadTimeout(5_000);
        try (InputStream in = c.getInputStream()) {
            JwkSet fetched = JwkSet.parse(new String(in.readNBytes(MAX_BYTES), StandardCharsets.UTF_8));
            keys.put(uri, new Cached(fetched, clock.instant()));
            return fetched;
        }
    }
}
