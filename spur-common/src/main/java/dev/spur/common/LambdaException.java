package dev.spur.common;

import java.util.Optional;

/**
 * The one unchecked error every module throws when a request must fail with a Lambda API error.
 * The message is always safe to show to the client: it names the problem in the caller's terms and
 * never carries internal paths or stack traces. Internal failures that are not the caller's fault
 * become {@link ErrorCode#SERVICE} with a generic message; the cause is kept for the server log.
 */
public final class LambdaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String reason;
    private final int retryAfterSeconds;

    private LambdaException(ErrorCode code, String message, String reason, int retryAfterSeconds, Throwable cause) {
        super(message, cause, false, false);
        this.code = code;
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static LambdaException of(ErrorCode code, String format, Object... args) {
        return new LambdaException(code, args.length == 0 ? format : format.formatted(args), null, 0, null);
    }

    public static LambdaException notFound(String format, Object... args) {
        return of(ErrorCode.RESOURCE_NOT_FOUND, format, args);
    }

    public static LambdaException invalid(String format, Object... args) {
        return of(ErrorCode.INVALID_PARAMETER_VALUE, format, args);
    }

    public static LambdaException conflict(String format, Object... args) {
        return of(ErrorCode.RESOURCE_CONFLICT, format, args);
    }

    /** 429 with the {@code Reason} Lambda reports and a {@code Retry-After} hint in seconds. */
    public static LambdaException throttled(String reason, int retryAfterSeconds, String message) {
        return new LambdaException(ErrorCode.TOO_MANY_REQUESTS, message, reason, retryAfterSeconds, null);
    }

    /** 500 for a failure that is not the caller's fault; the cause stays in the server log only. */
    public static LambdaException internal(String message, Throwable cause) {
        return new LambdaException(ErrorCode.SERVICE, message, null, 0, cause);
    }

    /** Checks an argument precondition, failing with 400 InvalidParameterValueException. */
    public static void requireValid(boolean condition, String format, Object... args) {
        if (!condition) {
            throw invalid(format, args);
        }
    }

    public ErrorCode code() {
        return code;
    }

    /** The {@code Reason} field of throttling errors. */
    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
