package dev.spur.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a SigV4 canonical request that are computed from wire text: URI, query and header
 * values. Matches what AWS's Java SDK v2 signer ({@code AwsV4HttpSigner}) produces for non-S3
 * services, which signs with {@code normalizePath} and {@code doubleUrlEncode} both on:
 * <ul>
 *   <li>URI: the raw path normalised as {@link java.net.URI#normalize()} does (drops {@code .} and
 *       {@code ..} segments, collapses runs of {@code /}, keeps a {@code ..} that would climb above
 *       the root), without a trailing slash unless the raw path has one, then every byte except
 *       {@code /} and the RFC 3986 unreserved set percent-encoded — so {@code %3A} on the wire
 *       becomes {@code %253A};
 *   <li>query: each name and value percent-decoded (a {@code +} stays a plus) and re-encoded the
 *       RFC 3986 way, empty names dropped, pairs sorted by name then value;
 *   <li>header values: trimmed, inner whitespace runs collapsed to one space.
 * </ul>
 * Decoding and encoding work on bytes, so malformed UTF-8 round-trips unchanged.
 */
final class Canonical {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Canonical() {}

    static String uri(String rawPath) {
        if (rawPath.isEmpty()) {
            return "/";
        }
        List<String> segments = new ArrayList<>();
        int i = 0;
        int n = rawPath.length();
        while (i < n) {
            int slash = rawPath.indexOf('/', i);
            int end = slash < 0 ? n : slash;
            if (end > i) {
                String segment = rawPath.substring(i, end);
                if (segment.equals("..")) {
                    if (!segments.isEmpty() && !segments.getLast().equals("..")) {
                        segments.removeLast();
                    } else {
                        segments.add(segment);
                    }
                } else if (!segment.equals(".")) {
                    segments.add(segment);
                }
            }
            i = end + 1;
        }
        if (segments.isEmpty()) {
            return "/";
        }
        StringBuilder out = new StringBuilder(rawPath.length() + 32);
        for (String segment : segments) {
            out.append('/');
            encode(out, segment.getBytes(StandardCharsets.UTF_8));
        }
        if (rawPath.endsWith("/")) {
            out.append('/');
        }
        return out.toString();
    }

    /**
     * The canonical query string of a raw query (null or empty gives ""). With
     * {@code dropSignature}, the {@code X-Amz-Signature} parameter of a presigned URL is left out.
     */
    static String query(String rawQuery, boolean dropSignature) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>();
        int i = 0;
        int n = rawQuery.length();
        while (i <= n) {
            int amp = rawQuery.indexOf('&', i);
            int end = amp < 0 ? n : amp;
            int eq = rawQuery.indexOf('=', i);
            int nameEnd = eq < 0 || eq > end ? end : eq;
            if (nameEnd > i) {
                String name = reencode(rawQuery, i, nameEnd);
                String value = nameEnd < end ? reencode(rawQuery, nameEnd + 1, end) : "";
                if (!name.isEmpty() && !(dropSignature && name.equals("X-Amz-Signature"))) {
                    pairs.add(new String[] {name, value});
                }
            }
            i = end + 1;
        }
        pairs.sort((a, b) -> {
            int byName = a[0].compareTo(b[0]);
            return byName != 0 ? byName : a[1].compareTo(b[1]);
        });
        StringBuilder out = new StringBuilder(rawQuery.length() + 32);
        for (String[] pair : pairs) {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(pair[0]).append('=').append(pair[1]);
        }
        return out.toString();
    }

    /** Appends a header value trimmed, with each inner run of whitespace collapsed to one space. */
    static void appendHeaderValue(StringBuilder out, String value) {
        boolean pendingSpace = false;
        boolean started = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (isWhitespace(c)) {
                pendingSpace = started;
            } else {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.append(c);
                started = true;
            }
        }
    }

    /** Percent-decodes {@code text[from, to)} into bytes; a malformed escape is kept literally. */
    static byte[] decode(String text, int from, int to) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < to) {
                int hi = Character.digit(text.charAt(i + 1), 16);
                int lo = Character.digit(text.charAt(i + 2), 16);
                if (hi >= 0 && lo >= 0) {
                    bytes.write(hi << 4 | lo);
                    i += 2;
                    continue;
                }
            }
            if (c < 0x80) {
                bytes.write(c);
            } else {
                int codePoint = text.codePointAt(i);
                byte[] utf8 = Character.toString(codePoint).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
                i += Character.charCount(codePoint) - 1;
            }
        }
        return bytes.toByteArray();
    }

    /** Percent-decoded text as a string (for reading presigned-URL parameters). */
    static String decodeToString(String text, int from, int to) {
        return new String(decode(text, from, to), StandardCharsets.UTF_8);
    }

    private static String reencode(String text, int from, int to) {
        StringBuilder out = new StringBuilder(to - from + 8);
        encode(out, decode(text, from, to));
        return out.toString();
    }

    /** Appends bytes with everything but A-Z a-z 0-9 - _ . ~ percent-encoded (upper-case hex). */
    private static void encode(StringBuilder out, byte[] bytes) {
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (c >= 'A' && c <= 'Z'
                    || c >= 'a' && c <= 'z'
                    || c >= '0' && c <= '9'
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\r' || c == '\f';
    }
}
