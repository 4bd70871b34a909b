package dev.spur.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Lambda's partial batch response ({@code FunctionResponseTypes: ReportBatchItemFailures}):
 * {@code {"batchItemFailures":[{"itemIdentifier":"<messageId>"}]}}. The exact rules: an empty or null
 * list, an empty or {@code null} response, or a response without the list is full success; invalid
 * JSON, an item without an {@code itemIdentifier}, an empty or null one, or one that is not a message
 * of the batch fails the whole batch; otherwise exactly the listed messages failed.
 */
final class BatchResponse {
    private BatchResponse() {}

    /** The ids that failed, or empty when the whole batch failed. */
    static Optional<Set<String>> failures(byte[] payload, Set<String> batchIds) {
        if (payload == null || payload.length == 0) {
            return Optional.of(Set.of());
        }
        JsonNode response;
        try {
            response = Json.MAPPER.readTree(payload);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (response == null || response.isNull() || !response.isObject()) {
            return Optional.of(Set.of());
        }
        JsonNode failures = response.get("batchItemFailures");
        if (failures == null || failures.isNull()) {
            return Optional.of(Set.of());
        }
        if (!failures.isArray()) {
            return Optional.empty();
        }
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode item : failures) {
            JsonNode id = item.get("itemIdentifier");
            if (id == null || !id.isTextual() || id.asText().isEmpty() || !batchIds.contains(id.asText())) {
                return Optional.empty();
            }
            ids.add(id.asText());
        }
        return Optional.of(ids);
    }
}
