package dev.spur.sqs;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A receipt handle: which queue, which message, and which receive of it (a token the store draws anew on
 * every receive), base64url-encoded. Opaque to clients, as SQS's are.
 */
record ReceiptHandle(String account, String queue, String messageId, String receipt) {

    static String encode(QueueRef q, String messageId, String receipt) {
        String text = q.account() + "/" + q.name() + "/" + messageId + "/" + receipt;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The handle, checked to belong to {@code q}; ReceiptHandleIsInvalid otherwise. */
    static ReceiptHandle decode(QueueRef q, String handle) {
        if (handle == null || handle.isEmpty()) {
            throw SqsException.missing("ReceiptHandle");
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(handle), StandardCharsets.UTF_8).split("/", -1);
            if (parts.length == 4 && parts[0].equals(q.account()) && parts[1].equals(q.name())) {
                return new ReceiptHandle(parts[0], parts[1], parts[2], parts[3]);
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw SqsException.of(
                SqsException.Code.RECEIPT_HANDLE_IS_INVALID,
                "The input receipt handle \"%s\" is not a valid receipt handle.",
                handle);
    }
}
