package dev.spur.events;

/**
 * An EventBridge error as the JSON 1.1 protocol carries it: {@code {"__type": "<Code>", "message": …}}
 * with status 400 (500 for {@code InternalException}). Its message is always safe to show the client.
 */
public final class EventsException extends RuntimeException {

    /** EventBridge's error codes used here. */
    public enum Code {
        VALIDATION("ValidationException", 400),
        NOT_FOUND("ResourceNotFoundException", 400),
        ALREADY_EXISTS("ResourceAlreadyExistsException", 400),
        INVALID_PATTERN("InvalidEventPatternException", 400),
        LIMIT_EXCEEDED("LimitExceededException", 400),
        ACCESS_DENIED("AccessDeniedException", 400),
        UNKNOWN_OPERATION("UnknownOperationException", 400),
        SERIALIZATION("SerializationException", 400),
        INTERNAL("InternalException", 500);

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

    private EventsException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public static EventsException of(Code code, String format, Object... args) {
        return new EventsException(code, args.length == 0 ? format : String.format(format, args));
    }

    static EventsException validation(String format, Object... args) {
        return of(Code.VALIDATION, format, args);
    }

    public Code code() {
        return code;
    }
}
