package dev.spur.logs;

import dev.spur.common.FunctionKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Function logs on disk: {@code <dir>/<account>/<region>/<function>/}, each function's log a
 * sequence of segment files whose total size is bounded (oldest segments are deleted first).
 * Logs outlive the function, as CloudWatch logs do; re-creating a function appends to them.
 */
public final class LogStore {
    /** Default bound per function: 4 segments of 8 MB. */
    public static final long DEFAULT_SEGMENT_BYTES = 8L * 1024 * 1024;

    public static final int DEFAULT_SEGMENTS = 4;

    private final Path directory;
    private final long segmentBytes;
    private final int maxSegments;
    private final ConcurrentMap<FunctionKey, FunctionLog> logs = new ConcurrentHashMap<>();

    public LogStore(Path directory, long segmentBytes, int maxSegments) {
        this.directory = directory;
        this.segmentBytes = segmentBytes;
        this.maxSegments = maxSegments;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static LogStore open(Path directory) {
        return new LogStore(directory, DEFAULT_SEGMENT_BYTES, DEFAULT_SEGMENTS);
    }

    public FunctionLog of(FunctionKey key) {
        return logs.computeIfAbsent(
                key,
                k -> new FunctionLog(
                        directory.resolve(k.account()).resolve(k.region()).resolve(k.name()),
                        segmentBytes,
                        maxSegments));
    }
}
