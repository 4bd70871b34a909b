package dev.spur.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/** The checks both response formats make on a structured response's fields. */
final class ResponseParts {
    /** Line breaks that wrapping encoders (the {@code base64} tool) put into a body. */
    private static final Pattern WHITESPACE = Pattern.compile("[ \\t\\r\\n]");

    private ResponseParts() {}

    /** Whether the field is absent or {@code null}, which every format treats alike. */
    static boolean absent(JsonNode node) {
        return node.isMissingNode() || node.isNull();
    }

    /** A header value: a string, or a number or boolean sent as its JSON text. */
    static String headerValue(JsonNode value) {
        if (!value.isValueNode()) {
            throw new MalformedResponse();
        }
        return value.isTextual() ? value.textValue() : value.toString();
    }

    /** {@code body}, base64-decoded when {@code isBase64Encoded} is {@code true}; empty when absent. */
    static byte[] body(JsonNode root) {
        JsonNode body = root.path("body");
        if (absent(body)) {
            return new byte[0];
        }
        if (!body.isTextual()) {
            throw new MalformedResponse();
        }
        JsonNode base64 = root.path("isBase64Encoded");
        boolean encoded = false;
        if (!absent(base64)) {
            if (!base64.isBoolean()) {
                throw new MalformedResponse();
            }
            encoded = base64.booleanValue();
        }
        if (!encoded) {
            return body.textValue().getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder()
                    .decode(WHITESPACE.matcher(body.textValue()).replaceAll(""));
        } catch (IllegalArgumentException e) {
            throw new MalformedResponse();
        }
    }

    /** Control flow: the response cannot be mapped, answer 502. */
    static final class MalformedResponse extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedResponse() {
            super(null, null, false, false);
        }
    }
}
