package dev.spur.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies AWS Signature Version 4 ({@code AWS4-HMAC-SHA256}) the way AWS's JSON/REST services
 * (Lambda among them) do, so that requests signed by any AWS SDK or the CLI are accepted unchanged.
 *
 * <p>Checked, in this order, each failure a 403 {@link AuthException} with AWS's error type:
 * <ol>
 *   <li>Some SigV4 material is present: an {@code Authorization: AWS4-HMAC-SHA256 ...} header or,
 *       for presigned URLs, an {@code X-Amz-Algorithm} query parameter (not both).
 *   <li>It is complete: {@code Credential}, {@code SignedHeaders}, {@code Signature} and a date
 *       ({@code X-Amz-Date}, else the {@code Date} header); the credential has the five parts
 *       {@code key/yyyyMMdd/region/service/aws4_request}; {@code host} is among the signed headers.
 *   <li>The scope's date is the request's date and its service is the one asked for.
 *   <li>Freshness against the injected clock: within 15 minutes either way for header auth; for a
 *       presigned URL, not more than 15 minutes ahead and not past {@code X-Amz-Expires} (at most
 *       604800 seconds; without it, the 15-minute window applies).
 *   <li>The access key is known ({@link CredentialLookup}).
 *   <li>{@code x-amz-content-sha256}, when sent, is {@code UNSIGNED-PAYLOAD} or the body's SHA-256.
 *   <li>The signature, recomputed from the canonical request (see {@link Canonical}), matches, compared
 *       in constant time. The payload hash signed is {@code x-amz-content-sha256} when sent, else the
 *       body's SHA-256 — for presigned URLs too, as AWS SDKs presign non-S3 requests; a presigned URL
 *       signed S3-style over {@code UNSIGNED-PAYLOAD} is accepted as well.
 * </ol>
 *
 * <p>Not checked: the region in the scope (returned in the {@link Principal} for the caller to judge);
 * {@code X-Amz-Security-Token} — Spur issues no temporary credentials, so a request carrying a
 * session token is verified on its access key and signature alone and the token is ignored; replay
 * within the freshness window (AWS does not prevent it either). Chunked
 * {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD} bodies (an S3 feature) are refused by {@link #verify} and
 * checked chunk by chunk by {@link #verifyS3}.
 *
 * <p>Thread-safe and stateless apart from its collaborators; one instance serves all requests.
 */
public final class SigV4Verifier {
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    private static final String STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    private static final Set<String> STREAMING = Set.of(
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            STREAMING_UNSIGNED_TRAILER);
    private static final String TERMINATOR = Crypto.TERMINATOR;
    private static final Duration SKEW = Duration.ofMinutes(15);
    private static final DateTimeFormatter ISO_BASIC = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final HexFormat HEX = HexFormat.of();

    private final CredentialLookup keys;
    private final InstantSource clock;

    public SigV4Verifier(CredentialLookup keys, InstantSource clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Signs a person in with an access key pair typed into a form (the console's sign-in): the key must
     * be known and the secret equal to its own, compared in constant time.
     *
     * @return the key's principal in {@code region} for {@code service}
     * @throws AuthException {@code UnrecognizedClientException} for an unknown key or a wrong secret (the
     *                       same answer for both, so a caller cannot probe which keys exist)
     */
    public Principal signIn(String accessKeyId, String secretKey, String region, String service) {
        Optional<Credential> credential = accessKeyId == null ? Optional.empty() : keys.find(accessKeyId);
        byte[] given = (secretKey == null ? "" : secretKey).getBytes(StandardCharsets.UTF_8);
        byte[] expected = credential.map(c -> c.secretKey()).orElse("").getBytes(StandardCharsets.UTF_8);
        if (credential.isEmpty() || !MessageDigest.isEqual(given, expected)) {
            throw AuthException.unrecognizedClient();
        }
        return new Principal(credential.get().account(), accessKeyId, region, service);
    }

    /** Whether a request carries any SigV4 material (Authorization header with AWS4-HMAC-SHA256, or X-Amz-Algorithm query). */
    public static boolean isSigned(SignedRequest request) {
        String authorization = request.header("Authorization");
        return authorization != null && authorization.startsWith(ALGORITHM)
                || hasAlgorithmParameter(request.rawQuery());
    }

    /**
     * Verifies the request's signature for {@code service} (e.g. {@code "lambda"}).
     *
     * @return who signed it
     * @throws AuthException with AWS's error type and message when the request is not authentic
     */
    public Principal verify(SignedRequest request, String service) {
        return verify(request, service, false).principal();
    }

    /** A verified S3 request: who signed it and its payload (an aws-chunked body decoded, its chunks checked). */
    public record S3Verified(Principal principal, byte[] payload) {}

    /**
     * Verifies a request for S3 (scope {@code s3}), with S3's differences: the canonical URI is the path
     * as sent (S3 signs it encoded once, not normalised), and {@code x-amz-content-sha256} may announce an
     * aws-chunked body ({@link AwsChunked}): {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]}, whose
     * chunk signatures are checked, or {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}.
     *
     * @throws AuthException as {@link #verify}, and for a chunk whose signature does not match
     */
    public S3Verified verifyS3(SignedRequest request) {
        return verify(request, "s3", true);
    }

    private S3Verified verify(SignedRequest request, String service, boolean s3) {
        Signature signature = Signature.parse(request);
        Scope scope = Scope.parse(signature.credential());
        Instant date = requestDate(signature.date());
        String isoDate = ISO_BASIC.format(date.atOffset(ZoneOffset.UTC));
        if (!isoDate.startsWith(scope.date())) {
            throw AuthException.invalid(
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"
                            + scope.date() + "' != '" + isoDate.substring(0, 8) + "', from '" + isoDate + "'.");
        }
        if (!scope.service().equals(service)) {
            throw AuthException.invalid("Credential should be scoped to correct service: '" + service + "'. ");
        }
        checkFresh(date, isoDate, signature.expiresSeconds());
        Credential credential = keys.find(scope.accessKeyId()).orElseThrow(AuthException::unrecognizedClient);

        String canonicalPrefix = request.method()
                + '\n'
                + (s3 ? (request.rawPath().isEmpty() ? "/" : request.rawPath()) : Canonical.uri(request.rawPath()))
                + '\n'
                + Canonical.query(request.rawQuery(), signature.presigned())
                + '\n'
                + canonicalHeaders(request, signature.signedHeaders())
                + '\n'
                + signature.signedHeaders()
                + '\n';
        byte[] signingKey = signingKey(credential.secretKey(), scope);
        String stringToSignPrefix = ALGORITHM + '\n' + isoDate + '\n' + scope.text() + '\n';
        String declaredHash = request.header("x-amz-content-sha256");
        boolean streaming = s3 && STREAMING.contains(String.valueOf(declaredHash));
        boolean matches = matches(
                signature,
                signingKey,
                stringToSignPrefix,
                canonicalPrefix + (streaming ? declaredHash : payloadHash(request, declaredHash)));
        if (!matches && signature.presigned() && declaredHash == null) {
            // AWS SDKs presign non-S3 requests over the body's hash, S3-style presigners over
            // UNSIGNED-PAYLOAD; accepting either is safe, as only the signer's choice can match.
            matches = matches(signature, signingKey, stringToSignPrefix, canonicalPrefix + UNSIGNED_PAYLOAD);
        }
        if (!matches) {
            throw AuthException.signatureMismatch();
        }
        Principal principal =
                new Principal(credential.account(), credential.accessKeyId(), scope.region(), scope.service());
        if (!streaming) {
            return new S3Verified(principal, request.body());
        }
        AwsChunked.Chain chain = declaredHash.equals(STREAMING_UNSIGNED_TRAILER)
                ? null
                : new AwsChunked.Chain(signingKey, isoDate, scope.text(), signature.signature());
        return new S3Verified(principal, AwsChunked.decode(request.body(), chain));
    }

    private void checkFresh(Instant date, String isoDate, long expiresSeconds) {
        Instant now = clock.instant();
        String isoNow = format(now);
        if (date.isAfter(now.plus(SKEW))) {
            throw AuthException.invalid("Signature not yet current: " + isoDate + " is still later than "
                    + format(now.plus(SKEW)) + " (" + isoNow + " + 15 min.)");
        }
        if (expiresSeconds >= 0) {
            if (date.plusSeconds(expiresSeconds).isBefore(now)) {
                throw AuthException.invalid("Signature expired: " + isoDate + " is now earlier than "
                        + format(now.minusSeconds(expiresSeconds)) + " (" + isoNow + " - " + expiresSeconds + " sec.)");
            }
        } else if (date.isBefore(now.minus(SKEW))) {
            throw AuthException.invalid("Signature expired: " + isoDate + " is now earlier than "
                    + format(now.minus(SKEW)) + " (" + isoNow + " - 15 min.)");
        }
    }

    /** Parses {@code X-Amz-Date} (ISO 8601 basic) or, failing that, an RFC 1123 {@code Date} header. */
    private static Instant requestDate(RequestDate date) {
        try {
            if (date.amzDate()) {
                return LocalDateTime.parse(date.text(), ISO_BASIC).toInstant(ZoneOffset.UTC);
            }
            return ZonedDateTime.parse(date.text(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
        } catch (DateTimeParseException e) {
            throw AuthException.incomplete("Date must be in ISO-8601 'basic format'. Got '" + date.text()
                    + "'. See http://en.wikipedia.org/wiki/ISO_8601");
        }
    }

    private static String format(Instant instant) {
        return ISO_BASIC.format(instant.atOffset(ZoneOffset.UTC));
    }

    /** The signed headers, in the order SignedHeaders lists them, each {@code name:values\n}. */
    private static String canonicalHeaders(SignedRequest request, String signedHeaders) {
        StringBuilder out = new StringBuilder(512);
        int start = 0;
        while (start <= signedHeaders.length()) {
            int semicolon = signedHeaders.indexOf(';', start);
            int end = semicolon < 0 ? signedHeaders.length() : semicolon;
            String name = signedHeaders.substring(start, end);
            out.append(name).append(':');
            boolean first = true;
            for (var header : request.headers()) {
                if (header.getKey().equalsIgnoreCase(name)) {
                    if (!first) {
                        out.append(',');
                    }
                    Canonical.appendHeaderValue(out, header.getValue());
                    first = false;
                }
            }
            out.append('\n');
            start = end + 1;
        }
        return out.toString();
    }

    private static boolean matches(
            Signature signature, byte[] signingKey, String stringToSignPrefix, String canonicalRequest) {
        String stringToSign =
                stringToSignPrefix + HEX.formatHex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] expected = HEX.formatHex(hmac(signingKey, stringToSign)).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signature.signature().getBytes(StandardCharsets.US_ASCII));
    }

    /** The payload hash to sign: {@code x-amz-content-sha256} when sent (and true), else the body's SHA-256. */
    private static String payloadHash(SignedRequest request, String declared) {
        if (declared == null) {
            return HEX.formatHex(sha256(request.body()));
        }
        if (declared.equals(UNSIGNED_PAYLOAD)) {
            return declared;
        }
        if (isSha256Hex(declared)) {
            byte[] actual = sha256(request.body());
            if (!MessageDigest.isEqual(actual, HEX.parseHex(declared))) {
                throw AuthException.invalid(
                        "The provided 'x-amz-content-sha256' header does not match what was computed.");
            }
            return declared;
        }
        throw AuthException.invalid(
                "The 'x-amz-content-sha256' header must be 'UNSIGNED-PAYLOAD' or the SHA-256 of the body.");
    }

    private static boolean isSha256Hex(String text) {
        if (text.length() != 64) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (!HexFormat.isHexDigit(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static byte[] signingKey(String secretKey, Scope scope) {
        return Crypto.signingKey(secretKey, scope.date(), scope.region(), scope.service());
    }

    private static byte[] hmac(byte[] key, String data) {
        return Crypto.hmac(key, data);
    }

    private static byte[] sha256(byte[] data) {
        return Crypto.sha256(data);
    }

    private static boolean hasAlgorithmParameter(String rawQuery) {
        return rawQuery != null && Signature.queryParameter(rawQuery, "X-Amz-Algorithm") != null;
    }

    /** Where the request's date came from: {@code X-Amz-Date} (true) or the {@code Date} header. */
    record RequestDate(String text, boolean amzDate) {}

    /** The credential scope {@code key/yyyyMMdd/region/service/aws4_request}; {@code text} is all but the key. */
    record Scope(String accessKeyId, String date, String region, String service, String text) {
        static Scope parse(String credential) {
            String[] parts = credential.split("/", -1);
            if (parts.length != 5) {
                throw AuthException.incomplete("Credential must have exactly 5 slash-delimited elements, "
                        + "e.g. keyid/date/region/service/term, got '" + credential + "'");
            }
            if (!parts[4].equals(TERMINATOR)) {
                throw AuthException.invalid(
                        "Credential should be scoped with a valid terminator: 'aws4_request', not '" + parts[4] + "'.");
            }
            if (parts[1].length() != 8 || parts[2].isEmpty() || parts[3].isEmpty()) {
                throw AuthException.incomplete(
                        "Credential should be scoped to a valid date, region and service, got '" + credential + "'");
            }
            return new Scope(parts[0], parts[1], parts[2], parts[3], credential.substring(parts[0].length() + 1));
        }
    }
}
