package dev.spur.sns;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One message to publish, as Publish (or a PublishBatch entry) gives it.
 *
 * @param message        the message; with {@code jsonStructure}, a JSON object of a {@code default}
 *                       message and optional per-protocol ones ({@code lambda}, {@code sqs})
 * @param subject        the subject, or empty
 * @param attributes     the message attributes by name, in order
 * @param groupId        FIFO topics: the message group
 * @param deduplicationId FIFO topics: the deduplication id (else content-based, if the topic says so)
 */
public record Publication(
        String message,
        Optional<String> subject,
        Map<String, MessageAttribute> attributes,
        boolean jsonStructure,
        Optional<String> groupId,
        Optional<String> deduplicationId) {
    public Publication {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(subject, "subject");
        attributes = Map.copyOf(Objects.requireNonNull(attributes, "attributes"));
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(deduplicationId, "deduplicationId");
    }

    /** A plain message: no subject, no attributes, not FIFO. */
    public static Publication of(String message) {
        return new Publication(message, Optional.empty(), Map.of(), false, Optional.empty(), Optional.empty());
    }
}
