package dev.spur.sns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Map;
import software.amazon.event.ruler.Machine;

/**
 * A subscription's filter policy, matched by AWS's own matcher (event-ruler). Scope
 * {@code MessageAttributes} (SNS's default) matches the message attributes as the document SNS
 * filters: a {@code String} attribute as a string, a {@code Number} as a number, a {@code String.Array}
 * as the array it holds; binary attributes are not matched. Scope {@code MessageBody} matches the
 * message as JSON — a message that is not a JSON object matches no policy.
 */
final class FilterPolicy {
    static final String ATTRIBUTES = "MessageAttributes";
    static final String BODY = "MessageBody";

    private final Machine machine;
    private final boolean body;

    private FilterPolicy(Machine machine, boolean body) {
        this.machine = machine;
        this.body = body;
    }

    /** The compiled policy; InvalidParameter when the matcher refuses it. */
    static FilterPolicy compile(String policy, String scope) {
        if (!ATTRIBUTES.equals(scope) && !BODY.equals(scope)) {
            throw SnsException.invalid("Attributes Reason: FilterPolicyScope: Invalid value [" + scope
                    + "]. Please use either MessageBody or MessageAttributes");
        }
        JsonNode parsed;
        try {
            parsed = Json.MAPPER.readTree(policy);
        } catch (IOException e) {
            parsed = null;
        }
        if (parsed == null || !parsed.isObject()) {
            throw SnsException.invalid("FilterPolicy: failed to parse JSON.");
        }
        Machine machine = Machine.builder().build();
        try {
            machine.addRule("policy", policy);
        } catch (IOException | RuntimeException e) {
            throw SnsException.invalid("FilterPolicy: " + e.getMessage());
        }
        return new FilterPolicy(machine, BODY.equals(scope));
    }

    /** Whether a message with these attributes and this body passes. */
    boolean passes(Map<String, MessageAttribute> attributes, String message) {
        JsonNode document;
        if (body) {
            try {
                document = Json.MAPPER.readTree(message);
            } catch (IOException e) {
                return false;
            }
            if (document == null || !document.isObject()) {
                return false;
            }
        } else {
            document = attributeDocument(attributes);
        }
        try {
            return !machine.rulesForJSONEvent(document).isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static ObjectNode attributeDocument(Map<String, MessageAttribute> attributes) {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        attributes.forEach((name, a) -> {
            switch (a.baseType()) {
                case "Number" -> {
                    try {
                        doc.put(name, new BigDecimal(a.value()));
                    } catch (NumberFormatException e) {
                        doc.put(name, a.value());
                    }
                }
                case "String.Array" -> {
                    try {
                        JsonNode array = Json.MAPPER.readTree(a.value());
                        if (array instanceof ArrayNode) {
                            doc.set(name, array);
                        } else {
                            doc.put(name, a.value());
                        }
                    } catch (IOException e) {
                        doc.put(name, a.value());
                    }
                }
                case "Binary" -> {
                    // binary attributes are not matched
                }
                default -> doc.put(name, a.value());
            }
        });
        return doc;
    }
}
