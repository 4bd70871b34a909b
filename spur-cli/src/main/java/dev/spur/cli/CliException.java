package dev.spur.cli;

/**
 * The CLI's one unchecked error: a message fit to show the user as is, and the exit code it maps
 * to. {@link Main} prints {@code spur: <message>} and exits with {@link #exitCode()}; nothing else
 * reaches the terminal, so users never see a stack trace for an expected failure.
 */
final class CliException extends RuntimeException {
    /** The function ran and failed ({@code spur invoke}). */
    static final int FUNCTION_ERROR = 1;
    /** Bad arguments or local input (picocli's own code for usage errors). */
    static final int USAGE = 2;
    /** Spur answered with an API error. */
    static final int API_ERROR = 3;
    /** Spur could not be reached, or the connection failed mid-request. */
    static final int UNREACHABLE = 4;

    private final int exitCode;

    private CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }

    /** A local problem with what the user asked for: a missing directory, a symlink, an unreadable file. */
    static CliException usage(String format, Object... args) {
        return new CliException(USAGE, String.format(format, args), null);
    }

    /** Spur answered {@code errorType} (AWS's {@code x-amzn-ErrorType}) with {@code message}. */
    static CliException api(String errorType, String message) {
        return new CliException(API_ERROR, errorType + ": " + message, null);
    }

    /** No connection could be made: nothing was sent. */
    static CliException unreachable(String endpoint, Throwable cause) {
        return new CliException(
                UNREACHABLE,
                "cannot reach Spur at " + endpoint + ": " + reason(cause) + ". Is `./spur server` running?",
                cause);
    }

    /** The connection failed after the request was (perhaps partly) sent: it may have taken effect. */
    static CliException connectionLost(String endpoint, Throwable cause) {
        return new CliException(
                UNREACHABLE,
                "lost the connection to Spur at " + endpoint + ": " + reason(cause)
                        + ". The request may or may not have taken effect.",
                cause);
    }

    private static String reason(Throwable cause) {
        String message = cause.getMessage();
        String type = cause.getClass().getSimpleName();
        return message == null || message.isBlank() ? type : message;
    }
}
