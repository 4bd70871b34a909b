package dev.spur.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import dev.spur.queue.QueuedEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Lambda's invocation record, the payload a destination function receives: {@code version},
 * {@code timestamp}, {@code requestContext{requestId, functionArn, condition,
 * approximateInvokeCount}}, {@code requestPayload}, and — when the function ran —
 * {@code responseContext{statusCode, executedVersion, functionError}} and {@code responsePayload}.
 */
final class InvocationRecord {
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private InvocationRecord() {}

    static byte[] of(QueuedEvent event, String condition, AsyncDispatcher.Attempt attempt, Instant now) {
        ObjectNode record = Json.MAPPER.createObjectNode();
        record.put("version", "1.0");
        record.put("timestamp", TIMESTAMP.format(now));
        ObjectNode context = record.putObject("requestContext");
        context.put("requestId", event.id());
        String qualifier = event.qualifier().isEmpty() ? "$LATEST" : event.qualifier();
        context.put("functionArn", event.function().qualifiedArn(qualifier));
        context.put("condition", condition);
        context.put("approximateInvokeCount", event.attempts() + (attempt == null ? 0 : 1));
        record.set("requestPayload", json(event.payload()));
        if (attempt != null) {
            ObjectNode response = record.putObject("responseContext");
            response.put("statusCode", 200);
            if (attempt.executedVersion() != null) {
                response.put("executedVersion", attempt.executedVersion());
            }
            if (attempt.functionError() != null) {
                response.put("functionError", attempt.functionError());
            }
            record.set("responsePayload", json(attempt.response()));
        }
        return record.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The bytes as a JSON value when they are one, else as a string. */
    private static JsonNode json(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return Json.MAPPER.nullNode();
        }
        try {
            JsonNode node = Json.MAPPER.readTree(bytes);
            return node == null ? Json.MAPPER.nullNode() : node;
        } catch (IOException e) {
            return Json.MAPPER.getNodeFactory().textNode(new String(bytes, StandardCharsets.UTF_8));
        }
    }
}
