package dev.spur.runtime.java;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code context.getLogger()}: writes to standard output, which Spur collects as the function's log.
 * AWS frames every call as one log event; on a plain stream the same is achieved by ending each
 * message with a newline when it lacks one. Leveled messages get AWS's text prefix {@code [LEVEL] }.
 */
final class StdoutLogger implements LambdaLogger {
    static final StdoutLogger INSTANCE = new StdoutLogger();

    private StdoutLogger() {}

    @Override
    public void log(String message) {
        log(message, LogLevel.UNDEFINED);
    }

    @Override
    public void log(byte[] message) {
        log(message, LogLevel.UNDEFINED);
    }

    @Override
    public void log(String message, LogLevel level) {
        String text = level == LogLevel.UNDEFINED ? String.valueOf(message) : "[" + level + "] " + message;
        log(text.getBytes(StandardCharsets.UTF_8), LogLevel.UNDEFINED);
    }

    @Override
    public void log(byte[] message, LogLevel level) {
        PrintStream out = System.out;
        synchronized (out) {
            out.write(message, 0, message.length);
            if (message.length == 0 || message[message.length - 1] != '\n') {
                out.write('\n');
            }
            out.flush();
        }
    }
}
