package dev.spur.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The pieces of a request every event format reads the same way: cookies, headers, query parameters,
 * the body and the request time. {@link PayloadV2} and {@link PayloadV1} differ only in how they lay
 * these out, so the rules (documented on {@link PayloadV2}) live here once.
 */
final class RequestParts {
    /** {@code 12/Mar/2020:19:03:58 +0000}: English month, always UTC. */
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

    private RequestParts() {}

    /** A request body as an event carries it: text, or base64 with {@code isBase64Encoded}. */
    record Body(String value, boolean base64) {}

    static String time(Instant time) {
        return TIME.format(time);
    }

    /** Every {@code Cookie} header split on {@code ";"}, trimmed, empty pieces dropped. */
    static List<String> cookies(HttpRequestData req) {
        List<String> cookies = new ArrayList<>();
        for (String header : req.headerValues("Cookie")) {
            for (String cookie : header.split(";")) {
                String trimmed = cookie.strip();
                if (!trimmed.isEmpty()) {
                    cookies.add(trimmed);
                }
            }
        }
        return cookies;
    }

    /** Lower-cased names in first-arrival order, repeated values joined with {@code ","}; no {@code cookie}. */
    static Map<String, String> joinedHeaders(HttpRequestData req) {
        Map<String, String> joined = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : req.headers()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!name.equals("cookie")) {
                joined.merge(name, h.getValue(), (a, b) -> a + "," + b);
            }
        }
        return joined;
    }

    /**
     * Every header's values in arrival order, under the name as first sent (names compared ignoring
     * case); {@code Cookie} included.
     */
    static Map<String, List<String>> multiValueHeaders(HttpRequestData req) {
        Map<String, List<String>> byLowerName = new LinkedHashMap<>();
        Map<String, String> firstSpelling = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String> h : req.headers()) {
            firstSpelling.putIfAbsent(h.getKey(), h.getKey());
            byLowerName
                    .computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(h.getValue());
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        byLowerName.forEach((lower, values) -> headers.put(firstSpelling.get(lower), values));
        return headers;
    }

    /**
     * Query parameters, names and values form-decoded ({@code +} is a space), each name's values in
     * arrival order; a malformed escape is kept undecoded rather than failing the request.
     */
    static Map<String, List<String>> queryValues(String rawQuery) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = formDecode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : formDecode(pair.substring(eq + 1));
            params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return params;
    }

    /** The body as an event field, empty when the request has none. */
    static Optional<Body> body(HttpRequestData req) {
        if (req.body().length == 0) {
            return Optional.empty();
        }
        String text = isTextual(req.header("Content-Type").orElse("")) ? utf8(req.body()) : null;
        return Optional.of(
                text != null
                        ? new Body(text, false)
                        : new Body(Base64.getEncoder().encodeToString(req.body()), true));
    }

    /** Whether a body of this {@code Content-Type} travels as text rather than base64. */
    static boolean isTextual(String contentType) {
        int semicolon = contentType.indexOf(';');
        String media = (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .strip()
                .toLowerCase(Locale.ROOT);
        return media.startsWith("text/")
                || media.equals("application/json")
                || media.equals("application/xml")
                || media.equals("application/javascript");
    }

    static byte[] bytes(ObjectNode event) {
        try {
            return Json.MAPPER.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a tree of strings", e);
        }
    }

    /** The bytes as a string if they are valid UTF-8, else {@code null}. */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String formDecode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s;
        }
    }
}
