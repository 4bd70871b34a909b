package dev.spur.sqs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.queue.MessageStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A message to send, checked as SQS checks it — body present and of allowed characters, size within the
 * queue's MaximumMessageSize (body plus attributes), at most 10 attributes with valid names, data types
 * and values, FIFO group and deduplication ids (or content-based deduplication), delays — and turned
 * into the row the store keeps, digests included.
 */
final class OutgoingMessages {
    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,256}");

    private OutgoingMessages() {}

    static MessageStore.NewMessage validate(Queues.Loaded queue, Queues.Outgoing m, Instant now) {
        boolean fifo = queue.stored().fifo();
        if (m.body() == null || m.body().isEmpty()) {
            throw SqsException.missing("MessageBody");
        }
        checkCharacters(m.body());
        int size = m.body().getBytes(StandardCharsets.UTF_8).length + attributesSize(m.messageAttributes());
        int max = queue.settings().integer("MaximumMessageSize");
        if (size > max) {
            throw SqsException.invalidParameter("MessageBody", "", "Message must be shorter than " + max + " bytes.");
        }
        int delay = queue.settings().integer("DelaySeconds");
        if (m.delaySeconds() != null) {
            if (fifo) {
                throw SqsException.invalidParameter(
                        "DelaySeconds",
                        m.delaySeconds(),
                        "The request include parameter that is not valid for this queue type");
            }
            if (m.delaySeconds() < 0 || m.delaySeconds() > 900) {
                throw SqsException.invalidParameter(
                        "DelaySeconds", m.delaySeconds(), "DelaySeconds must be >= 0 and <= 900");
            }
            delay = m.delaySeconds();
        }
        String groupId = null;
        String dedupId = null;
        if (fifo) {
            if (m.groupId() == null || m.groupId().isEmpty()) {
                throw SqsException.missing("MessageGroupId");
            }
            groupId = m.groupId();
            dedupId = m.dedupId();
            if (dedupId == null) {
                if (!queue.settings().flag("ContentBasedDeduplication")) {
                    throw SqsException.of(
                            SqsException.Code.INVALID_PARAMETER_VALUE,
                            "The queue should either have ContentBasedDeduplication enabled or "
                                    + "MessageDeduplicationId provided explicitly");
                }
                dedupId = MessageMd5.sha256(m.body());
            }
        }
        JsonNode attributes =
                m.messageAttributes() == null || m.messageAttributes().isEmpty() ? null : m.messageAttributes();
        return new MessageStore.NewMessage(
                UUID.randomUUID().toString(),
                m.body(),
                attributes == null ? null : attributes.toString(),
                MessageMd5.ofBody(m.body()),
                MessageMd5.ofAttributes(attributes),
                groupId,
                dedupId,
                now.plusSeconds(delay));
    }

    private static void checkCharacters(String body) {
        for (int i = 0; i < body.length(); ) {
            int cp = body.codePointAt(i);
            boolean ok = cp == 0x9
                    || cp == 0xA
                    || cp == 0xD
                    || (cp >= 0x20 && cp <= 0xD7FF)
                    || (cp >= 0xE000 && cp <= 0xFFFD)
                    || (cp >= 0x10000 && cp <= 0x10FFFF);
            if (!ok) {
                throw SqsException.of(
                        SqsException.Code.INVALID_MESSAGE_CONTENTS,
                        "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
                                + "#xE000 to #xFFFD | #x10000 to #x10FFFF");
            }
            i += Character.charCount(cp);
        }
    }

    /** Checks message attributes as SQS does and returns their size (names, types and values). */
    private static int attributesSize(JsonNode attributes) {
        if (attributes == null) {
            return 0;
        }
        if (attributes.size() > 10) {
            throw SqsException.invalidParameter(
                    "MessageAttributes", attributes.size(), "Number of message attributes must be <= 10.");
        }
        int size = 0;
        var fields = attributes.properties().iterator();
        while (fields.hasNext()) {
            var e = fields.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (!ATTRIBUTE_NAME.matcher(name).matches()
                    || name.startsWith("AWS.")
                    || name.startsWith("Amazon.")
                    || name.startsWith(".")
                    || name.endsWith(".")
                    || name.contains("..")) {
                throw SqsException.of(
                        SqsException.Code.INVALID_PARAMETER_VALUE, "Message attribute name '%s' is invalid.", name);
            }
            String type = v.path("DataType").asText("");
            String base = type.contains(".") ? type.substring(0, type.indexOf('.')) : type;
            if (!base.equals("String") && !base.equals("Number") && !base.equals("Binary")) {
                throw SqsException.of(
                        SqsException.Code.INVALID_PARAMETER_VALUE,
                        "The type of message (user) attribute '%s' is invalid. You must use only the following "
                                + "supported type prefixes: Binary, Number, String.",
                        name);
            }
            boolean binary = base.equals("Binary");
            JsonNode value = v.get(binary ? "BinaryValue" : "StringValue");
            if (value == null || value.asText().isEmpty()) {
                throw SqsException.of(
                        SqsException.Code.INVALID_PARAMETER_VALUE,
                        "Message (user) attribute '%s' must contain a non-empty value of type '%s'.",
                        name,
                        base);
            }
            if (!binary) {
                checkCharacters(value.asText());
            }
            size += name.length()
                    + type.length()
                    + (binary ? decodedLength(value.asText()) : value.asText().length());
        }
        return size;
    }

    private static int decodedLength(String base64) {
        try {
            return Base64.getDecoder().decode(base64).length;
        } catch (IllegalArgumentException e) {
            throw SqsException.of(SqsException.Code.INVALID_PARAMETER_VALUE, "Binary attribute is not valid base64.");
        }
    }
}
