package dev.spur.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/** The one configured Jackson mapper, and a cheap well-formedness check for invoke payloads. */
public final class Json {
    /**
     * Long enough for a 50 MB zip in base64 ({@code Code.ZipFile}); Jackson's default (20 M chars)
     * would refuse legitimate uploads above ~15 MB.
     */
    private static final int MAX_STRING_LENGTH = 80 * 1024 * 1024;

    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength(MAX_STRING_LENGTH)
                            .build())
                    .build())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .defaultPropertyInclusion(
                    JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .build();

    private Json() {}

    /**
     * Whether {@code bytes} hold exactly one well-formed JSON value. Streams through the tokens without
     * building a tree, so a 6 MB payload costs one pass and no allocation per value.
     */
    public static boolean isWellFormed(byte[] bytes, int length) {
        try (JsonParser parser = MAPPER.getFactory().createParser(bytes, 0, length)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
