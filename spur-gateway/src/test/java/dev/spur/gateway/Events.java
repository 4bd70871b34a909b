package dev.spur.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** Comparing a produced event with a documented one, field by field, in the documented order. */
final class Events {
    private Events() {}

    static JsonNode resource(String name) throws IOException {
        try (InputStream in = Events.class.getResourceAsStream(name)) {
            return Json.MAPPER.readTree(in);
        }
    }

    static void assertMatches(JsonNode event, JsonNode expected) {
        assertThat(fieldNames(event)).containsExactlyElementsOf(fieldNames(expected));
        expected.properties()
                .forEach(field ->
                        assertThat(event.get(field.getKey())).as(field.getKey()).isEqualTo(field.getValue()));
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
