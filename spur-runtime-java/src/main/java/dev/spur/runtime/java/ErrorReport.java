package dev.spur.runtime.java;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A failure as the Runtime API receives it: {@code {"errorMessage", "errorType", "stackTrace",
 * "cause"}}, the shape AWS's Java runtimes report. The type is the throwable's fully-qualified class
 * name, the message its localized message (or the class name when it has none), the trace its frames
 * as {@link StackTraceElement#toString()} prints them, and {@code cause} the same object for the
 * cause, recursively (a cycle ends the chain).
 *
 * <p>Frames of this runtime are cut from every trace in the chain (the throwable is changed in
 * place, as AWS's runtime does), so users see their code on top and nothing of the machinery that
 * called it, in the report and in the log alike.
 */
record ErrorReport(String errorType, String errorMessage, Throwable throwable) {
    private static final String RUNTIME_PACKAGE = ErrorReport.class.getPackageName() + ".";

    /** A handler (or user constructor) failure. */
    static ErrorReport of(Throwable t) {
        return of(t.getClass().getName(), messageOf(t), t);
    }

    /** A failure the runtime describes itself, e.g. {@code Class not found: x.Y}, optionally with the throwable behind it. */
    static ErrorReport of(String errorType, String errorMessage, Throwable cause) {
        if (cause != null) {
            cutRuntimeFrames(cause, Collections.newSetFromMap(new IdentityHashMap<>()));
        }
        return new ErrorReport(errorType, errorMessage, cause);
    }

    byte[] toJson() {
        StringBuilder json = new StringBuilder(512);
        append(json, errorType, errorMessage, throwable, Collections.newSetFromMap(new IdentityHashMap<>()));
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The text Spur logs when it reports the error, as AWS does: message, type, then the trace. */
    String toLogText() {
        StringBuilder text = new StringBuilder(errorMessage).append(": ").append(errorType);
        if (throwable != null) {
            StringWriter trace = new StringWriter();
            throwable.printStackTrace(new PrintWriter(trace));
            text.append('\n').append(trace);
        }
        return text.toString();
    }

    private static void append(StringBuilder json, String type, String message, Throwable t, Set<Throwable> seen) {
        json.append("{\"errorMessage\":");
        Json.quote(json, message).append(",\"errorType\":");
        Json.quote(json, type).append(",\"stackTrace\":[");
        if (t != null) {
            seen.add(t);
            StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < frames.length; i++) {
                Json.quote(i == 0 ? json : json.append(','), frames[i].toString());
            }
        }
        json.append(']');
        Throwable cause = t == null ? null : t.getCause();
        if (cause != null && !seen.contains(cause)) {
            json.append(",\"cause\":");
            append(json, cause.getClass().getName(), messageOf(cause), cause, seen);
        }
        json.append('}');
    }

    private static String messageOf(Throwable t) {
        String message = t.getLocalizedMessage();
        return message == null ? t.getClass().getName() : message;
    }

    private static void cutRuntimeFrames(Throwable t, Set<Throwable> seen) {
        if (!seen.add(t)) {
            return;
        }
        StackTraceElement[] frames = t.getStackTrace();
        for (int i = 0; i < frames.length; i++) {
            if (frames[i].getClassName().startsWith(RUNTIME_PACKAGE)) {
                StackTraceElement[] kept = new StackTraceElement[trimReflection(frames, i)];
                System.arraycopy(frames, 0, kept, 0, kept.length);
                t.setStackTrace(kept);
                break;
            }
        }
        if (t.getCause() != null) {
            cutRuntimeFrames(t.getCause(), seen);
        }
        for (Throwable suppressed : t.getSuppressed()) {
            cutRuntimeFrames(suppressed, seen);
        }
    }

    /**
     * Drops the JDK frames just above the runtime's own: the reflection or class loading through
     * which the runtime called user code.
     */
    private static int trimReflection(StackTraceElement[] frames, int end) {
        while (end > 0) {
            String c = frames[end - 1].getClassName();
            if (!c.startsWith("java.") && !c.startsWith("jdk.")) {
                break;
            }
            end--;
        }
        return end;
    }
}
