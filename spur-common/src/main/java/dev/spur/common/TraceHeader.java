package dev.spur.common;

import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * X-Ray trace headers ({@code X-Amzn-Trace-Id}, {@code Lambda-Runtime-Trace-Id}, {@code _X_AMZN_TRACE_ID}):
 * {@code Root=1-<epoch seconds, 8 hex>-<96 random bits, 24 hex>;Parent=<64 bits, 16 hex>;Sampled=<0|1>}.
 *
 * <p>An invocation keeps the caller's {@code Root} and {@code Sampled} when the caller sent a
 * well-formed header and gets a {@code Parent} of its own (its span id, as Lambda's segment id is);
 * a missing or malformed header is replaced by a new one, never refused (X-Ray ignores malformed ones
 * too). The root's 32 hex digits are also the invocation's OpenTelemetry trace id.
 */
public final class TraceHeader {
    private static final HexFormat HEX = HexFormat.of();
    /** Longer headers are not parsed: whatever they carry, a new root is made. */
    private static final int MAX_LENGTH = 512;

    private TraceHeader() {}

    /** The header an invocation runs with, given what the caller sent. */
    public static String forInvocation(Optional<String> callerHeader) {
        if (callerHeader.isPresent()) {
            String header = callerHeader.get();
            String root = root(header);
            if (root != null) {
                return "Root=" + root + ";Parent=" + newSpanId() + ";Sampled=" + (sampled(header) ? "1" : "0");
            }
        }
        return newHeader();
    }

    /** A new header: a new root, not sampled. */
    public static String newHeader() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "Root=1-" + HEX.toHexDigits((int) (System.currentTimeMillis() / 1000)) + "-"
                + HEX.toHexDigits(r.nextInt()) + HEX.toHexDigits(r.nextLong()) + ";Parent=" + newSpanId()
                + ";Sampled=0";
    }

    /** The {@code Root} value ({@code 1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx}), or null if absent or malformed. */
    public static String root(String header) {
        String value = field(header, "Root");
        if (value == null || value.length() != 35 || !value.startsWith("1-") || value.charAt(10) != '-') {
            return null;
        }
        return isHex(value, 2, 10) && isHex(value, 11, 35) ? value : null;
    }

    /** The {@code Parent} value (16 hex digits), or null if absent or malformed. */
    public static String parent(String header) {
        String value = field(header, "Parent");
        return value != null && value.length() == 16 && isHex(value, 0, 16) ? value : null;
    }

    /** Whether the header says {@code Sampled=1}. */
    public static boolean sampled(String header) {
        return "1".equals(field(header, "Sampled"));
    }

    /** The OpenTelemetry trace id of a well-formed root: its two hex parts, 32 digits; null otherwise. */
    public static String traceId(String header) {
        String root = root(header);
        return root == null ? null : root.substring(2, 10) + root.substring(11);
    }

    private static String newSpanId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return HEX.toHexDigits(id);
    }

    private static String field(String header, String name) {
        if (header == null || header.length() > MAX_LENGTH) {
            return null;
        }
        for (String part : header.split(";", -1)) {
            String p = part.strip();
            if (p.length() > name.length() && p.startsWith(name) && p.charAt(name.length()) == '=') {
                return p.substring(name.length() + 1);
            }
        }
        return null;
    }

    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
