package dev.spur.sns;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * One published message as its subscribers receive it, in the two shapes SNS delivers: the Lambda event
 * ({@code Records[].Sns}, field names as AWS documents them: {@code SigningCertUrl}, {@code UnsubscribeUrl})
 * and the JSON notification an SQS subscription gets as its message body ({@code SigningCertURL},
 * {@code UnsubscribeURL}, {@code SequenceNumber} on FIFO topics).
 *
 * <p>{@code Signature}: Spur holds no AWS signing certificate, so the signature is the base64 SHA-1 of
 * SNS's string to sign — present and of the right shape, not verifiable against {@code SigningCertUrl}.
 */
record Notification(
        String messageId,
        String topicArn,
        Optional<String> subject,
        String message,
        Instant timestamp,
        Map<String, MessageAttribute> attributes,
        String sequenceNumber,
        String endpoint) {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    String time() {
        return TIME.format(timestamp);
    }

    String signingCertUrl() {
        return endpoint + "/SimpleNotificationService-spur.pem";
    }

    String unsubscribeUrl(String subscriptionArn) {
        return endpoint + "/?Action=Unsubscribe&SubscriptionArn="
                + URLEncoder.encode(subscriptionArn, StandardCharsets.UTF_8).replace("%3A", ":");
    }

    /** The Lambda event: {@code {"Records":[{EventSource, EventVersion, EventSubscriptionArn, Sns}]}}. */
    byte[] lambdaEvent(String subscriptionArn, String deliveredMessage) {
        ObjectNode sns = Json.MAPPER.createObjectNode();
        sns.put("Type", "Notification");
        sns.put("MessageId", messageId);
        sns.put("TopicArn", topicArn);
        if (subject.isPresent()) {
            sns.put("Subject", subject.get());
        } else {
            sns.putNull("Subject");
        }
        sns.put("Message", deliveredMessage);
        sns.put("Timestamp", time());
        sns.put("SignatureVersion", "1");
        sns.put("Signature", signature(deliveredMessage));
        sns.put("SigningCertUrl", signingCertUrl());
        sns.put("UnsubscribeUrl", unsubscribeUrl(subscriptionArn));
        sns.set("MessageAttributes", attributeObject());
        ObjectNode record = Json.MAPPER.createObjectNode();
        record.put("EventSource", "aws:sns");
        record.put("EventVersion", "1.0");
        record.put("EventSubscriptionArn", subscriptionArn);
        record.set("Sns", sns);
        ObjectNode event = Json.MAPPER.createObjectNode();
        ArrayNode records = event.putArray("Records");
        records.add(record);
        return event.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The body an SQS subscription without raw delivery receives. */
    String sqsEnvelope(String subscriptionArn, String deliveredMessage) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("Type", "Notification");
        n.put("MessageId", messageId);
        if (sequenceNumber != null) {
            n.put("SequenceNumber", sequenceNumber);
        }
        n.put("TopicArn", topicArn);
        subject.ifPresent(s -> n.put("Subject", s));
        n.put("Message", deliveredMessage);
        n.put("Timestamp", time());
        n.put("SignatureVersion", "1");
        n.put("Signature", signature(deliveredMessage));
        n.put("SigningCertURL", signingCertUrl());
        n.put("UnsubscribeURL", unsubscribeUrl(subscriptionArn));
        if (!attributes.isEmpty()) {
            n.set("MessageAttributes", attributeObject());
        }
        return n.toString();
    }

    /** The attributes as SQS's JSON protocol takes them (raw delivery keeps them as message attributes). */
    ObjectNode sqsAttributes() {
        ObjectNode out = Json.MAPPER.createObjectNode();
        attributes.forEach((name, a) -> {
            ObjectNode v = out.putObject(name);
            v.put("DataType", a.dataType());
            v.put(a.binary() ? "BinaryValue" : "StringValue", a.value());
        });
        return out;
    }

    private ObjectNode attributeObject() {
        ObjectNode out = Json.MAPPER.createObjectNode();
        attributes.forEach((name, a) -> {
            ObjectNode v = out.putObject(name);
            v.put("Type", a.dataType());
            v.put("Value", a.value());
        });
        return out;
    }

    private String signature(String deliveredMessage) {
        StringBuilder toSign = new StringBuilder();
        toSign.append("Message\n")
                .append(deliveredMessage)
                .append("\nMessageId\n")
                .append(messageId)
                .append('\n');
        subject.ifPresent(s -> toSign.append("Subject\n").append(s).append('\n'));
        toSign.append("Timestamp\n")
                .append(time())
                .append("\nTopicArn\n")
                .append(topicArn)
                .append("\nType\nNotification\n");
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-1").digest(toSign.toString().getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
