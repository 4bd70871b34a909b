package dev.spur.common;

import java.util.List;
import java.util.Locale;

/**
 * A function's {@code LoggingConfig}: the log format ({@code Text} or {@code JSON}), with JSON the
 * application and system log levels that filter what reaches the log, and the log group (empty: the
 * function's default {@code /aws/lambda/<function>}). Levels are empty with {@code Text}, as Lambda
 * returns them; stored with the configuration, so published versions keep theirs.
 */
public record LoggingConfig(String logFormat, String applicationLogLevel, String systemLogLevel, String logGroup) {
    public static final String TEXT = "Text";
    public static final String JSON = "JSON";

    /** {@code LogFormat}'s values. */
    public static final List<String> FORMATS = List.of(JSON, TEXT);

    /** {@code ApplicationLogLevel}'s values, most verbose first. */
    public static final List<String> APPLICATION_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL");

    /** {@code SystemLogLevel}'s values, most verbose first. */
    public static final List<String> SYSTEM_LEVELS = List.of("DEBUG", "INFO", "WARN");

    /** Lambda's default: text, no levels, the default group. */
    public static final LoggingConfig DEFAULT = new LoggingConfig(TEXT, "", "", "");

    public LoggingConfig {
        logFormat = logFormat == null || logFormat.isEmpty() ? TEXT : logFormat;
        applicationLogLevel = applicationLogLevel == null ? "" : applicationLogLevel;
        systemLogLevel = systemLogLevel == null ? "" : systemLogLevel;
        logGroup = logGroup == null ? "" : logGroup;
    }

    public boolean json() {
        return JSON.equals(logFormat);
    }

    /** The log group lines go to: the configured one, else {@code /aws/lambda/<function>}. */
    public String logGroup(FunctionKey function) {
        return logGroup.isEmpty() ? "/aws/lambda/" + function.name() : logGroup;
    }

    /**
     * Whether an application record at {@code level} passes the application log level (always with
     * text, or without a level, or for a level Lambda does not know).
     */
    public boolean passesApplication(String level) {
        return passes(APPLICATION_LEVELS, applicationLogLevel, level);
    }

    /** Whether a platform record at {@code level} ({@code INFO} for start and report) passes the system log level. */
    public boolean passesSystem(String level) {
        return passes(SYSTEM_LEVELS, systemLogLevel, level);
    }

    private boolean passes(List<String> levels, String threshold, String level) {
        if (!json() || threshold.isEmpty() || level == null) {
            return true;
        }
        String upper = level.toUpperCase(Locale.ROOT);
        int at = levels.indexOf(
                switch (upper) {
                    case "WARNING" -> "WARN";
                    case "CRITICAL" -> "FATAL";
                    default -> upper;
                });
        return at < 0 || at >= levels.indexOf(threshold);
    }
}
