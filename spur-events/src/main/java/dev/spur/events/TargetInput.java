package dev.spur.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a target receives for a matched event: the event itself, or its {@code Input} (a fixed JSON text),
 * its {@code InputPath} (the value at a JSONPath such as {@code $.detail.order}), or its
 * {@code InputTransformer} (values picked by {@code InputPathsMap}, put into {@code InputTemplate} where it
 * says {@code <name>}: a string as its text, anything else as JSON, a missing value as {@code null} —
 * simple dotted paths only, no filters or wildcards).
 */
final class TargetInput {
    private static final Pattern PATH = Pattern.compile("\\$(\\.[A-Za-z0-9_-]+)*");

    private TargetInput() {}

    /** Checks a target's input settings as PutTargets does; ValidationException otherwise. */
    static void check(Rules.Target t) {
        int given =
                (t.input() != null ? 1 : 0) + (t.inputPath() != null ? 1 : 0) + (t.inputTransformer() != null ? 1 : 0);
        if (given > 1) {
            throw EventsException.validation(
                    "Only one of Input, InputPath, or InputTransformer must be provided for target %s.", t.id());
        }
        if (t.input() != null) {
            try {
                Json.MAPPER.readTree(t.input());
            } catch (IOException e) {
                throw EventsException.validation("Input for target %s is not valid JSON text.", t.id());
            }
        }
        if (t.inputPath() != null && !PATH.matcher(t.inputPath()).matches()) {
            throw EventsException.validation("Target %s: InputPath is not a valid JSON path.", t.id());
        }
        if (t.inputTransformer() != null) {
            if (!t.inputTransformer().path("InputTemplate").isTextual()) {
                throw EventsException.validation("Target %s: InputTransformer needs an InputTemplate.", t.id());
            }
            for (Iterator<JsonNode> it =
                            t.inputTransformer().path("InputPathsMap").elements();
                    it.hasNext(); ) {
                if (!PATH.matcher(it.next().asText()).matches()) {
                    throw EventsException.validation("Target %s: InputPathsMap has an invalid JSON path.", t.id());
                }
            }
        }
    }

    /** The text the target gets for {@code event}. */
    static String render(Rules.Target t, JsonNode event) {
        if (t.input() != null) {
            return t.input();
        }
        if (t.inputPath() != null) {
            return at(event, t.inputPath()).toString();
        }
        if (t.inputTransformer() != null) {
            String out = t.inputTransformer().path("InputTemplate").asText();
            for (Iterator<Map.Entry<String, JsonNode>> it = t.inputTransformer()
                            .path("InputPathsMap")
                            .properties()
                            .iterator();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode value = at(event, e.getValue().asText());
                out = out.replace(
                        "<" + e.getKey() + ">", value.isTextual() ? escaped(value.asText()) : value.toString());
            }
            return out.replace("<aws.events.event.json>", event.toString());
        }
        return event.toString();
    }

    private static String escaped(String text) {
        String quoted = Json.MAPPER.getNodeFactory().textNode(text).toString();
        return quoted.substring(1, quoted.length() - 1);
    }

    private static JsonNode at(JsonNode event, String path) {
        JsonNode node = event;
        for (String part : path.substring(1).split("\\.")) {
            if (part.isEmpty()) {
                continue;
            }
            node = node.path(part);
        }
        return node.isMissingNode() ? Json.MAPPER.getNodeFactory().nullNode() : node;
    }
}
