package dev.spur.sqs;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The digests SQS answers with, computed as AWS documents them: {@code MD5OfMessageBody} over the
 * body's UTF-8 bytes; {@code MD5OfMessageAttributes} over the attributes sorted by name, each encoded
 * as name, data type (both length-prefixed: 4 bytes big-endian, then UTF-8), one transport byte
 * (1 string or number, 2 binary), and the length-prefixed value (UTF-8, or the raw bytes). Clients
 * (the SDKs, the CLI) check both and refuse a mismatch.
 */
final class MessageMd5 {
    private MessageMd5() {}

    static String ofBody(String body) {
        return hex(md5().digest(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** The digest of a JSON-protocol attribute map ({@code name → {DataType, StringValue|BinaryValue}}); null if empty. */
    static String ofAttributes(JsonNode attributes) {
        if (attributes == null || attributes.isEmpty()) {
            return null;
        }
        List<String> names = new ArrayList<>();
        attributes.properties().forEach(e -> names.add(e.getKey()));
        names.sort(null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String name : names) {
            JsonNode value = attributes.get(name);
            String type = value.path("DataType").asText();
            lengthPrefixed(out, name.getBytes(StandardCharsets.UTF_8));
            lengthPrefixed(out, type.getBytes(StandardCharsets.UTF_8));
            if (value.hasNonNull("BinaryValue")) {
                out.write(2);
                lengthPrefixed(
                        out, Base64.getDecoder().decode(value.get("BinaryValue").asText()));
            } else {
                out.write(1);
                lengthPrefixed(out, value.path("StringValue").asText().getBytes(StandardCharsets.UTF_8));
            }
        }
        return hex(md5().digest(out.toByteArray()));
    }

    private static void lengthPrefixed(ByteArrayOutputStream out, byte[] bytes) {
        int n = bytes.length;
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.write(bytes, 0, n);
    }

    static String sha256(String text) {
        try {
            return hex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
