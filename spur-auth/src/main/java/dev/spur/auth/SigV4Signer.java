package dev.spur.auth;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Signs a request with AWS Signature Version 4 ({@code AWS4-HMAC-SHA256}) in the {@code Authorization}
 * header, producing what AWS's Java SDK v2 signer ({@code AwsV4HttpSigner}) produces for a non-S3
 * service. The canonical URI, query and header values come from {@link Canonical} and the keys from
 * the same primitives {@link SigV4Verifier} uses, so what this signs that verifier accepts.
 *
 * <p>Every header passed is signed, so pass exactly the headers that will go on the wire unchanged
 * ({@code Host} is required; leave out ones an HTTP library may rewrite or add, such as
 * {@code User-Agent}, {@code Connection} or {@code Content-Length}). Like the SDK, it also signs and
 * returns {@code x-amz-content-sha256}, the body's SHA-256: the server then checks the body before the
 * signature, and a changed body fails with a message that says so.
 *
 * <p>Meant for a client's hot path: the derived signing key is cached for the last
 * (secret, day, region, service) seen, so a client with one key derives it once a day; per request
 * the cost is two SHA-256s and one HMAC. Stateless otherwise and thread-safe.
 */
public final class SigV4Signer {
    private static final HexFormat HEX = HexFormat.of();
    private static final String EMPTY_SHA256 = HEX.formatHex(Crypto.sha256(new byte[0]));

    /** The last signing key derived; replaced, never mutated, so racing threads at worst derive twice. */
    private static volatile CachedKey lastKey = new CachedKey("", "", "", "", new byte[0]);

    private SigV4Signer() {}

    /**
     * The headers to add to the request: {@code X-Amz-Date}, {@code x-amz-content-sha256} and
     * {@code Authorization}, in that order.
     *
     * @param method   the HTTP method, upper case
     * @param rawPath  the path exactly as it will be sent, percent-encoding and all
     * @param rawQuery the query exactly as it will be sent, without the {@code '?'}; null or empty for none
     * @param headers  the headers to sign, including {@code Host} (as sent: {@code host:port} unless the
     *                 port is the scheme's default); not {@code Authorization}, {@code X-Amz-Date} or
     *                 {@code x-amz-content-sha256}, which the signature adds
     * @param body     the complete body; empty (or null) for none
     * @param key      the access key pair; its account plays no part in the signature
     * @param region   the region to scope the signature to, e.g. {@code us-east-1}
     * @param service  the service to scope it to, e.g. {@code lambda}
     * @param now      the signing time; a server accepts it within 15 minutes of its own clock
     * @throws IllegalArgumentException if {@code Host} is missing or a header the signature adds is present
     */
    public static Map<String, String> sign(
            String method,
            String rawPath,
            String rawQuery,
            List<Map.Entry<String, String>> headers,
            byte[] body,
            Credential key,
            String region,
            String service,
            Instant now) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(rawPath, "rawPath");
        Objects.requireNonNull(key, "key");
        String amzDate = isoBasic(now);
        String date = amzDate.substring(0, 8);
        String payloadHash = body == null || body.length == 0 ? EMPTY_SHA256 : HEX.formatHex(Crypto.sha256(body));

        List<Map.Entry<String, String>> signed = new ArrayList<>(headers.size() + 2);
        boolean host = false;
        for (Map.Entry<String, String> header : headers) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            switch (name) {
                case "host" -> host = true;
                case "authorization", "x-amz-date", "x-amz-content-sha256" ->
                    throw new IllegalArgumentException(
                            "the signature adds the " + header.getKey() + " header; do not pass it");
                default -> {}
            }
            signed.add(Map.entry(name, header.getValue()));
        }
        if (!host) {
            throw new IllegalArgumentException("the Host header must be signed");
        }
        signed.add(Map.entry("x-amz-content-sha256", payloadHash));
        signed.add(Map.entry("x-amz-date", amzDate));
        signed.sort(Map.Entry.comparingByKey()); // stable: repeated headers keep their order

        StringBuilder canonical = new StringBuilder(256 + rawPath.length());
        canonical
                .append(method)
                .append('\n')
                .append(Canonical.uri(rawPath))
                .append('\n')
                .append(Canonical.query(rawQuery, false))
                .append('\n');
        StringBuilder signedHeaders = new StringBuilder(64);
        for (int i = 0; i < signed.size(); i++) {
            String name = signed.get(i).getKey();
            boolean repeat = i > 0 && signed.get(i - 1).getKey().equals(name);
            if (repeat) {
                canonical.append(',');
            } else {
                if (i > 0) {
                    canonical.append('\n');
                    signedHeaders.append(';');
                }
                canonical.append(name).append(':');
                signedHeaders.append(name);
            }
            Canonical.appendHeaderValue(canonical, signed.get(i).getValue());
        }
        canonical.append("\n\n").append(signedHeaders).append('\n').append(payloadHash);

        String scope = date + '/' + region + '/' + service + '/' + Crypto.TERMINATOR;
        String stringToSign = SigV4Verifier.ALGORITHM
                + '\n'
                + amzDate
                + '\n'
                + scope
                + '\n'
                + HEX.formatHex(Crypto.sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        String signature = HEX.formatHex(Crypto.hmac(signingKey(key.secretKey(), date, region, service), stringToSign));

        Map<String, String> added = new LinkedHashMap<>(4);
        added.put("X-Amz-Date", amzDate);
        added.put("x-amz-content-sha256", payloadHash);
        added.put(
                "Authorization",
                SigV4Verifier.ALGORITHM + " Credential=" + key.accessKeyId() + '/' + scope + ", SignedHeaders="
                        + signedHeaders + ", Signature=" + signature);
        return added;
    }

    private static byte[] signingKey(String secret, String date, String region, String service) {
        CachedKey cached = lastKey;
        if (!cached.matches(secret, date, region, service)) {
            cached = new CachedKey(secret, date, region, service, Crypto.signingKey(secret, date, region, service));
            lastKey = cached;
        }
        return cached.key();
    }

    /** {@code yyyyMMdd'T'HHmmss'Z'} in UTC, without a formatter's allocations. */
    private static String isoBasic(Instant now) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(now.getEpochSecond(), 0, ZoneOffset.UTC);
        char[] out = new char[16];
        digits(out, 0, t.getYear(), 4);
        digits(out, 4, t.getMonthValue(), 2);
        digits(out, 6, t.getDayOfMonth(), 2);
        out[8] = 'T';
        digits(out, 9, t.getHour(), 2);
        digits(out, 11, t.getMinute(), 2);
        digits(out, 13, t.getSecond(), 2);
        out[15] = 'Z';
        return new String(out);
    }

    private static void digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** A derived signing key and what it was derived from; {@code secret} never leaves this class. */
    private record CachedKey(String secret, String date, String region, String service, byte[] key) {
        boolean matches(String s, String d, String r, String v) {
            return secret.equals(s) && date.equals(d) && region.equals(r) && service.equals(v);
        }

        @Override
        public String toString() {
            return "CachedKey[" + date + "/" + region + "/" + service + "]";
        }
    }
}
