package dev.spur.logs;

/**
 * One line of a log as an event: its stream, time (epoch ms), text, and where it sits in the log
 * ({@code position} of its first byte, {@code next} of the byte after its newline), which is also
 * its identity: positions never repeat within a log.
 */
public record LogEvent(String stream, long timestamp, String message, long position, long next) {}
