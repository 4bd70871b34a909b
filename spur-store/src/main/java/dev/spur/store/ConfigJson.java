package dev.spur.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.spur.common.FunctionConfig;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import java.io.IOException;
import java.time.Instant;

/**
 * The stored JSON form of a {@link FunctionConfig} (and of a function's attachments): the record's own shape through the shared mapper,
 * with {@link Instant} written as an ISO-8601 string (exact to the nanosecond, readable in the
 * {@code sqlite3} shell) so the store needs no jsr310 module. Fields added to the record later read
 * as their defaults from older rows; unknown fields in newer rows are ignored. Failures are 500s
 * ({@link LambdaException#internal}): they are never the caller's fault.
 */
final class ConfigJson {
    private static final ObjectMapper MAPPER = Json.MAPPER
            .copy()
            .registerModule(new SimpleModule("spur-store")
                    .addSerializer(Instant.class, new StdSerializer<>(Instant.class) {
                        @Override
                        public void serialize(Instant value, JsonGenerator generator, SerializerProvider provider)
                                throws IOException {
                            generator.writeString(value.toString());
                        }
                    })
                    .addDeserializer(Instant.class, new StdDeserializer<>(Instant.class) {
                        @Override
                        public Instant deserialize(JsonParser parser, DeserializationContext context)
                                throws IOException {
                            return Instant.parse(parser.getValueAsString());
                        }
                    }));

    private ConfigJson() {}

    static String write(FunctionConfig config) {
        return write((Object) config);
    }

    /** Any stored document: a configuration or a function's attachments. */
    static String write(Object document) {
        try {
            return MAPPER.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw LambdaException.internal(
                    "Cannot serialize " + document.getClass().getSimpleName(), e);
        }
    }

    static FunctionConfig read(String json) {
        return read(json, FunctionConfig.class);
    }

    static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw LambdaException.internal("A stored " + type.getSimpleName() + " is unreadable", e);
        }
    }
}
