package dev.spur.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * S3's {@code aws-chunked} content encoding, as the AWS CLI and SDKs send uploads they sign chunk by
 * chunk ({@code x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD}, {@code …-PAYLOAD-TRAILER}) or
 * stream with a trailing checksum ({@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}): each chunk is
 * {@code <hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n}, the last one of size 0, then optional
 * trailer lines ({@code x-amz-checksum-crc32:…}) and an empty line.
 *
 * <p>With a {@link Chain} (a signed streaming upload), every chunk's signature is checked against the
 * previous one, starting from the request's own signature: {@code HMAC(signingKey,
 * "AWS4-HMAC-SHA256-PAYLOAD\n" + date + "\n" + scope + "\n" + previous + "\n" + sha256("") + "\n" +
 * sha256(chunk))}. The trailer's own signature is not checked (the chunks it follows are).
 */
public final class AwsChunked {
    private static final HexFormat HEX = HexFormat.of();
    private static final String EMPTY_SHA256 = HEX.formatHex(Crypto.sha256(new byte[0]));

    private AwsChunked() {}

    /** What a signed streaming upload's chunks are checked against: the request's signing key and signature. */
    public record Chain(byte[] signingKey, String isoDate, String scope, String seedSignature) {}

    /** Whether {@code x-amz-content-sha256} announces an aws-chunked body. */
    public static boolean isStreaming(String contentSha256) {
        return contentSha256 != null && contentSha256.startsWith("STREAMING-");
    }

    /**
     * The payload of an aws-chunked body.
     *
     * @param chain null to decode without checking signatures
     * @throws AuthException {@code IncompleteSignature} for a malformed body, {@code SignatureDoesNotMatch}
     *                       for a chunk whose signature is wrong
     */
    public static byte[] decode(byte[] body, Chain chain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
        String previous = chain == null ? null : chain.seedSignature();
        int at = 0;
        while (true) {
            int lineEnd = indexOfCrlf(body, at);
            if (lineEnd < 0) {
                throw AuthException.incomplete("The aws-chunked body ends inside a chunk header.");
            }
            String header = new String(body, at, lineEnd - at, StandardCharsets.US_ASCII);
            int semicolon = header.indexOf(';');
            int size;
            try {
                size = Integer.parseInt((semicolon < 0 ? header : header.substring(0, semicolon)).trim(), 16);
            } catch (NumberFormatException e) {
                throw AuthException.incomplete("The aws-chunked body has a malformed chunk header.");
            }
            int dataStart = lineEnd + 2;
            if (size < 0 || dataStart + size > body.length) {
                throw AuthException.incomplete("The aws-chunked body is shorter than its chunks say.");
            }
            if (chain != null) {
                String given = chunkSignature(header);
                String expected = HEX.formatHex(Crypto.hmac(
                        chain.signingKey(),
                        "AWS4-HMAC-SHA256-PAYLOAD\n" + chain.isoDate() + "\n" + chain.scope() + "\n" + previous + "\n"
                                + EMPTY_SHA256 + "\n"
                                + HEX.formatHex(sha256(body, dataStart, size))));
                if (given == null
                        || !MessageDigest.isEqual(
                                expected.getBytes(StandardCharsets.US_ASCII),
                                given.getBytes(StandardCharsets.US_ASCII))) {
                    throw AuthException.signatureMismatch();
                }
                previous = expected;
            }
            if (size == 0) {
                return out.toByteArray(); // trailers (checksums) follow; the bytes are what counts
            }
            out.write(body, dataStart, size);
            at = dataStart + size;
            if (at + 2 > body.length || body[at] != '\r' || body[at + 1] != '\n') {
                throw AuthException.incomplete("A chunk of the aws-chunked body does not end with CRLF.");
            }
            at += 2;
        }
    }

    private static String chunkSignature(String header) {
        int i = header.indexOf("chunk-signature=");
        return i < 0 ? null : header.substring(i + "chunk-signature=".length()).trim();
    }

    private static int indexOfCrlf(byte[] body, int from) {
        for (int i = from; i + 1 < body.length; i++) {
            if (body[i] == '\r' && body[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] sha256(byte[] data, int offset, int length) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(data, offset, length);
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }
}
