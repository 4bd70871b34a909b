package dev.spur.sqs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * SQS's query protocol (what AWS CLI v2 2.9 speaks): form-encoded parameters in, XML out. Both
 * directions are translated to and from the JSON protocol's shapes, so the operations exist once.
 *
 * <p>In: {@code Attribute.1.Name=X&Attribute.1.Value=Y} becomes {@code "Attributes":{"X":"Y"}},
 * {@code AttributeName.1=All} becomes {@code "AttributeNames":["All"]},
 * {@code SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=v} an entry of
 * {@code "Entries"} with its {@code "MessageAttributes"} — the flattened names of SQS's service model.
 * Out: each JSON member becomes an element; lists and maps flattened under their member names
 * ({@code <Message>}, {@code <Attribute><Name/><Value/></Attribute>}, …), text escaped.
 */
final class QueryProtocol {
    static final String NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/";

    /** Flattened list or map names → (JSON member name, map key name, map value name); key null for a list. */
    private record Flat(String json, String key, String value) {}

    private static final Map<String, Flat> FLATTENED = Map.ofEntries(
            Map.entry("Attribute", new Flat("Attributes", "Name", "Value")),
            Map.entry("MessageAttribute", new Flat("MessageAttributes", "Name", "Value")),
            Map.entry("MessageSystemAttribute", new Flat("MessageSystemAttributes", "Name", "Value")),
            Map.entry("Tag", new Flat("tags", "Key", "Value")),
            Map.entry("AttributeName", new Flat("AttributeNames", null, null)),
            Map.entry("MessageAttributeName", new Flat("MessageAttributeNames", null, null)),
            Map.entry("MessageSystemAttributeName", new Flat("MessageSystemAttributeNames", null, null)),
            Map.entry("TagKey", new Flat("TagKeys", null, null)),
            Map.entry("StringListValue", new Flat("StringListValues", null, null)),
            Map.entry("BinaryListValue", new Flat("BinaryListValues", null, null)),
            Map.entry("SendMessageBatchRequestEntry", new Flat("Entries", null, null)),
            Map.entry("DeleteMessageBatchRequestEntry", new Flat("Entries", null, null)),
            Map.entry("ChangeMessageVisibilityBatchRequestEntry", new Flat("Entries", null, null)));

    private QueryProtocol() {}

    /** Decodes {@code a=b&c=d} (UTF-8, {@code +} a space) into {@code params}, later values winning. */
    static void decodeForm(String form, Map<String, String> params) {
        if (form == null || form.isEmpty()) {
            return;
        }
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(name, value);
        }
    }

    /** The parameters as the JSON protocol's input (without Action, Version and signature parameters). */
    static ObjectNode toJson(Map<String, String> params) {
        Map<String, Object> tree = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : params.entrySet()) {
            String name = e.getKey();
            if (name.equals("Action") || name.equals("Version") || name.startsWith("X-Amz-")) {
                continue;
            }
            put(tree, name.split("\\."), 0, e.getValue());
        }
        return (ObjectNode) convert(tree);
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> node, String[] path, int i, String value) {
        if (i == path.length - 1) {
            node.put(path[i], value);
            return;
        }
        Object child = node.get(path[i]);
        if (!(child instanceof Map)) {
            child = new LinkedHashMap<String, Object>();
            node.put(path[i], child);
        }
        put((Map<String, Object>) child, path, i + 1, value);
    }

    @SuppressWarnings("unchecked")
    private static JsonNode convert(Object node) {
        if (node instanceof String s) {
            return Json.MAPPER.getNodeFactory().textNode(s);
        }
        Map<String, Object> map = (Map<String, Object>) node;
        ObjectNode out = Json.MAPPER.createObjectNode();
        for (Map.Entry<String, Object> e : map.entrySet()) {
            Flat flat = FLATTENED.get(e.getKey());
            if (flat == null || !(e.getValue() instanceof Map)) {
                out.set(e.getKey(), convert(e.getValue()));
                continue;
            }
            Map<Integer, Object> items = new TreeMap<>();
            ((Map<String, Object>) e.getValue()).forEach((k, v) -> {
                try {
                    items.put(Integer.parseInt(k), v);
                } catch (NumberFormatException ignored) {
                    // not a member index: dropped, as SQS ignores unknown parameters
                }
            });
            if (flat.key() == null) {
                ArrayNode list = out.putArray(flat.json());
                items.values().forEach(v -> list.add(convert(v)));
            } else {
                ObjectNode entries = out.putObject(flat.json());
                for (Object item : items.values()) {
                    if (item instanceof Map<?, ?> pair && pair.get(flat.key()) instanceof String key) {
                        Object value = pair.get(flat.value());
                        entries.set(
                                key,
                                value == null ? Json.MAPPER.getNodeFactory().textNode("") : convert(value));
                    }
                }
            }
        }
        return out;
    }

    /** {@code <OpResponse><OpResult>…</OpResult><ResponseMetadata>…</ResponseMetadata></OpResponse>}. */
    static String response(String operation, JsonNode result, String requestId) {
        StringBuilder xml = new StringBuilder(256);
        xml.append("<?xml version=\"1.0\"?><")
                .append(operation)
                .append("Response xmlns=\"")
                .append(NAMESPACE)
                .append("\">");
        if (result != null) {
            xml.append('<').append(operation).append("Result>");
            members(xml, operation, result);
            xml.append("</").append(operation).append("Result>");
        }
        xml.append("<ResponseMetadata><RequestId>")
                .append(requestId)
                .append("</RequestId></ResponseMetadata></")
                .append(operation)
                .append("Response>");
        return xml.toString();
    }

    private static void members(StringBuilder xml, String operation, JsonNode object) {
        Iterator<Map.Entry<String, JsonNode>> fields = object.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            String name = e.getKey();
            JsonNode value = e.getValue();
            switch (name) {
                case "Messages" -> value.forEach(m -> element(xml, "Message", m, operation));
                case "QueueUrls" -> value.forEach(u -> element(xml, "QueueUrl", u, operation));
                case "Successful" -> value.forEach(s -> element(xml, operation + "ResultEntry", s, operation));
                case "Failed" -> value.forEach(f -> element(xml, "BatchResultErrorEntry", f, operation));
                case "Attributes" -> entries(xml, "Attribute", "Name", "Value", value, operation);
                case "MessageAttributes" -> entries(xml, "MessageAttribute", "Name", "Value", value, operation);
                case "Tags" -> entries(xml, "Tag", "Key", "Value", value, operation);
                case "StringListValues" -> value.forEach(v -> element(xml, "StringListValue", v, operation));
                case "BinaryListValues" -> value.forEach(v -> element(xml, "BinaryListValue", v, operation));
                default -> element(xml, name, value, operation);
            }
        }
    }

    private static void entries(
            StringBuilder xml, String element, String key, String valueName, JsonNode map, String operation) {
        Iterator<Map.Entry<String, JsonNode>> fields = map.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            xml.append('<').append(element).append("><").append(key).append('>');
            escape(xml, e.getKey());
            xml.append("</").append(key).append('>');
            element(xml, valueName, e.getValue(), operation);
            xml.append("</").append(element).append('>');
        }
    }

    private static void element(StringBuilder xml, String name, JsonNode value, String operation) {
        if (value == null || value.isNull()) {
            return;
        }
        xml.append('<').append(name).append('>');
        if (value.isObject()) {
            members(xml, operation, value);
        } else {
            escape(xml, value.asText());
        }
        xml.append("</").append(name).append('>');
    }

    /** XML text: markup characters and carriage returns as references (a parser would fold a raw CR). */
    static void escape(StringBuilder xml, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> xml.append("&amp;");
                case '<' -> xml.append("&lt;");
                case '>' -> xml.append("&gt;");
                case '"' -> xml.append("&quot;");
                case '\r' -> xml.append("&#xD;");
                default -> xml.append(c);
            }
        }
    }

    static String error(SqsException e, String requestId) {
        StringBuilder xml = new StringBuilder(256);
        xml.append("<?xml version=\"1.0\"?><ErrorResponse xmlns=\"")
                .append(NAMESPACE)
                .append("\"><Error><Type>")
                .append(e.code().senderFault() ? "Sender" : "Receiver")
                .append("</Type><Code>");
        escape(xml, e.queryCode());
        xml.append("</Code><Message>");
        escape(xml, e.getMessage());
        xml.append("</Message><Detail/></Error><RequestId>").append(requestId).append("</RequestId></ErrorResponse>");
        return xml.toString();
    }
}
