package dev.spur.sns;

/**
 * An SNS error as the query protocol carries it: {@code <ErrorResponse><Error><Type>Sender</Type>
 * <Code>NotFound</Code><Message>…</Message></Error>}, with SNS's HTTP status for the code. Its message is
 * always safe to show the client; anything else that goes wrong is a 500 whose detail stays in the log.
 */
public final class SnsException extends RuntimeException {

    /** SNS's error codes used here, with their HTTP status. */
    public enum Code {
        INVALID_PARAMETER("InvalidParameter", 400),
        INVALID_PARAMETER_VALUE("InvalidParameterValue", 400),
        NOT_FOUND("NotFound", 404),
        AUTHORIZATION_ERROR("AuthorizationError", 403),
        INVALID_ACTION("InvalidAction", 400),
        TOO_MANY_ENTRIES("TooManyEntriesInBatchRequest", 400),
        EMPTY_BATCH("EmptyBatchRequest", 400),
        DISTINCT_IDS("BatchEntryIdsNotDistinct", 400),
        INVALID_BATCH_ID("InvalidBatchEntryId", 400),
        BATCH_TOO_LONG("BatchRequestTooLong", 400),
        INTERNAL("InternalError", 500);

        private final String wire;
        private final int status;

        Code(String wire, int status) {
            this.wire = wire;
            this.status = status;
        }

        public String wire() {
            return wire;
        }

        public int status() {
            return status;
        }
    }

    private final Code code;

    private SnsException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public static SnsException of(Code code, String format, Object... args) {
        return new SnsException(code, args.length == 0 ? format : String.format(format, args));
    }

    /** InvalidParameter with SNS's wording: {@code Invalid parameter: <what>}. */
    static SnsException invalid(String what) {
        return new SnsException(Code.INVALID_PARAMETER, "Invalid parameter: " + what);
    }

    static SnsException topicNotFound() {
        return new SnsException(Code.NOT_FOUND, "Topic does not exist");
    }

    static SnsException subscriptionNotFound() {
        return new SnsException(Code.NOT_FOUND, "Subscription does not exist");
    }

    public Code code() {
        return code;
    }

    /** Whether the client is at fault ({@code Sender}) rather than the service ({@code Receiver}). */
    public boolean senderFault() {
        return code.status() < 500;
    }
}
