package dev.spur.pools;

import dev.spur.logs.PlatformLog;
import java.io.IOException;
import java.time.Duration;

/**
 * Why an environment could not initialise, in Lambda's words: an error type, and either a message
 * or the body the runtime posted to {@code /runtime/init/error}. The invocation that waited for the
 * environment answers with it ({@link #payload}); a provisioned configuration reports it.
 *
 * @param message    null when the runtime posted a body
 * @param postedBody null unless the runtime posted one
 */
record InitFailure(String errorType, String message, byte[] postedBody) {

    /** A function without a network on a server whose sandbox cannot take it off the network. */
    static InitFailure networkNoneUnsupported(String sandbox) {
        return new InitFailure(
                "Runtime.InitError",
                "Error: SpurNetwork none needs the linux sandbox; this server runs --sandbox " + sandbox
                        + ", which cannot take a function off the network",
                null);
    }

    /** The sandbox could not start the environment: its runtime cannot be executed, say. */
    static InitFailure cannotStart(IOException e, boolean offline) {
        return offline
                ? new InitFailure(
                        "Runtime.InitError",
                        "Error: cannot start the environment without a network: " + e.getMessage(),
                        null)
                : new InitFailure("Runtime.InvalidEntrypoint", "Error: " + Launch.describeStartFailure(e), null);
    }

    static InitFailure timedOut(Duration initTimeout) {
        return new InitFailure(
                "Runtime.InitError",
                "Error: init phase timed out after " + PlatformLog.seconds(initTimeout.toNanos()) + " seconds",
                null);
    }

    static InitFailure interrupted() {
        return new InitFailure("Runtime.InitError", "Error: interrupted during init", null);
    }

    /** The runtime exited during init ({@code how}: Lambda's wording), killed by the OOM killer or not. */
    static InitFailure exited(String how, boolean oomKilled) {
        return new InitFailure(
                oomKilled ? "Runtime.OutOfMemory" : "Runtime.InitError",
                "Error: Runtime exited with error: " + how,
                null);
    }

    /** The runtime posted {@code /runtime/init/error}. */
    static InitFailure posted(String errorType, byte[] body) {
        String type = errorType != null && !errorType.isBlank() ? errorType : "Runtime.Unknown";
        return new InitFailure(type, null, body.length == 0 ? null : body);
    }

    /** The error type of {@code failure}, which is null when the environment stopped during init for no recorded reason. */
    static String errorType(InitFailure failure) {
        return failure == null ? "Runtime.InitError" : failure.errorType();
    }

    /** What the invocation {@code requestId} that waited for the environment answers. */
    static byte[] payload(InitFailure failure, String requestId) {
        if (failure != null && failure.postedBody() != null) {
            return failure.postedBody();
        }
        String detail = failure == null || failure.message() == null
                ? "Error: environment stopped during init"
                : failure.message();
        return ErrorJson.bytes(errorType(failure), "RequestId: " + requestId + " " + detail);
    }
}
