package dev.spur.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.ErrorCode;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import software.amazon.event.ruler.Machine;

/**
 * An event-source mapping's FilterCriteria, matched by AWS's own matcher (event-ruler) as Lambda
 * matches them: a record passes if any pattern matches it, and a body that is JSON is matched as
 * JSON (a plain-text body only by patterns on the whole body). No patterns pass everything.
 */
final class Filters {
    static final int MAX_FILTERS = 5;

    private final Machine machine;

    private Filters(Machine machine) {
        this.machine = machine;
    }

    /** The compiled patterns; 400 InvalidParameterValueException naming a pattern the matcher refuses. */
    static Filters of(List<String> patterns) {
        if (patterns.isEmpty()) {
            return new Filters(null);
        }
        if (patterns.size() > MAX_FILTERS) {
            throw LambdaException.of(
                    ErrorCode.INVALID_PARAMETER_VALUE,
                    "Invalid filter criteria: at most %d filters are allowed.",
                    MAX_FILTERS);
        }
        Machine machine = Machine.builder().build();
        for (int i = 0; i < patterns.size(); i++) {
            try {
                machine.addRule("filter-" + i, patterns.get(i));
            } catch (IOException | RuntimeException e) {
                throw LambdaException.of(
                        ErrorCode.INVALID_PARAMETER_VALUE, "Invalid filter pattern definition: %s", patterns.get(i));
            }
        }
        return new Filters(machine);
    }

    /** Whether a record of an SQS event (as the function would see it) passes; its body is matched as JSON when it is. */
    boolean passes(ObjectNode record) {
        return matches(record, "body", record.path("body").asText());
    }

    /**
     * Whether a record of a Kafka event passes: its {@code value} is base64 in the event, and is matched
     * decoded — as JSON when it is a JSON object, else as the UTF-8 text.
     */
    boolean passesKafka(ObjectNode record) {
        if (machine == null) {
            return true;
        }
        JsonNode value = record.get("value");
        if (value == null || !value.isTextual()) {
            return matches(record, "value", null);
        }
        String text;
        try {
            text = new String(Base64.getDecoder().decode(value.asText()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            text = value.asText();
        }
        return matches(record, "value", text);
    }

    private boolean matches(ObjectNode record, String field, String text) {
        if (machine == null) {
            return true;
        }
        ObjectNode matched = record.deepCopy();
        if (text != null) {
            matched.put(field, text);
            try {
                JsonNode parsed = Json.MAPPER.readTree(text);
                if (parsed != null && parsed.isObject()) {
                    matched.set(field, parsed);
                }
            } catch (IOException e) {
                // plain text stays a string
            }
        }
        try {
            return !machine.rulesForJSONEvent(matched).isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
