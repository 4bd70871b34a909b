package dev.spur.sqs;

/**
 * An SQS error, as both protocols carry it: the query protocol's code (in {@code <Code>}, and in the
 * JSON protocol's {@code x-amzn-query-error} header), the JSON protocol's shape name ({@code __type}),
 * the HTTP status, and whether the sender is at fault. Messages are safe to show the client.
 */
public final class SqsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The errors Spur answers with, named as in SQS's service model. */
    public enum Code {
        QUEUE_DOES_NOT_EXIST("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400),
        QUEUE_NAME_EXISTS("QueueNameExists", "QueueAlreadyExists", 400),
        INVALID_ATTRIBUTE_NAME("InvalidAttributeName", "InvalidAttributeName", 400),
        INVALID_ATTRIBUTE_VALUE("InvalidAttributeValue", "InvalidAttributeValue", 400),
        INVALID_PARAMETER_VALUE("InvalidParameterValueException", "InvalidParameterValue", 400),
        MISSING_PARAMETER("MissingParameter", "MissingParameter", 400),
        INVALID_MESSAGE_CONTENTS("InvalidMessageContents", "InvalidMessageContents", 400),
        RECEIPT_HANDLE_IS_INVALID("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 400),
        MESSAGE_NOT_INFLIGHT("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", 400),
        EMPTY_BATCH_REQUEST("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", 400),
        TOO_MANY_ENTRIES("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400),
        BATCH_IDS_NOT_DISTINCT("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400),
        INVALID_BATCH_ENTRY_ID("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", 400),
        BATCH_REQUEST_TOO_LONG("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", 400),
        INVALID_ACTION("InvalidAction", "InvalidAction", 400),
        ACCESS_DENIED("AccessDeniedException", "AccessDenied", 403),
        INTERNAL("InternalError", "InternalError", 500);

        private final String shape;
        private final String queryCode;
        private final int status;

        Code(String shape, String queryCode, int status) {
            this.shape = shape;
            this.queryCode = queryCode;
            this.status = status;
        }

        /** The JSON protocol's {@code __type}, without its namespace. */
        public String shape() {
            return shape;
        }

        public String queryCode() {
            return queryCode;
        }

        public int status() {
            return status;
        }

        public boolean senderFault() {
            return status < 500;
        }
    }

    private final Code code;
    private final String queryCodeOverride;

    private SqsException(Code code, String queryCodeOverride, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.queryCodeOverride = queryCodeOverride;
    }

    public static SqsException of(Code code, String format, Object... args) {
        return new SqsException(code, null, args.length == 0 ? format : String.format(format, args), null);
    }

    /** An error whose wire code is given as is (an authentication failure: InvalidSignature, …). */
    public static SqsException withCode(Code code, String queryCode, String message) {
        return new SqsException(code, queryCode, message, null);
    }

    public static SqsException internal(String message, Throwable cause) {
        return new SqsException(Code.INTERNAL, null, message, cause);
    }

    public Code code() {
        return code;
    }

    public String queryCode() {
        return queryCodeOverride != null ? queryCodeOverride : code.queryCode();
    }

    public String shape() {
        return queryCodeOverride != null ? queryCodeOverride : code.shape();
    }

    static SqsException noQueue() {
        return of(Code.QUEUE_DOES_NOT_EXIST, "The specified queue does not exist.");
    }

    static SqsException invalidParameter(String name, Object value, String reason) {
        return of(
                Code.INVALID_PARAMETER_VALUE, "Value %s for parameter %s is invalid. Reason: %s", value, name, reason);
    }

    static SqsException missing(String name) {
        return of(Code.MISSING_PARAMETER, "The request must contain the parameter %s.", name);
    }
}
