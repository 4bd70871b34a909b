package dev.spur.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * One function's log: append-only segments named by the log position they start at, so a reader
 * holding a position can resume across rotations ({@link #read}). Positions count bytes ever
 * written; when old segments are deleted, a position before the oldest kept byte resumes there.
 *
 * <p>Failure semantics: an append is one {@code write} to the segment; losing log lines never fails
 * an invocation (I/O errors are swallowed after the first is reported on stderr).
 */
public final class FunctionLog {
    private static final String SUFFIX = ".log";

    private final Path directory;
    private final long segmentBytes;
    private final int maxSegments;
    private final ReentrantLock lock = new ReentrantLock();
    private FileChannel current;
    private long currentStart = -1;
    private long position = -1;
    private boolean reportedFailure;

    FunctionLog(Path directory, long segmentBytes, int maxSegments) {
        this.directory = directory;
        this.segmentBytes = segmentBytes;
        this.maxSegments = maxSegments;
    }

    /** Appends whole lines. */
    public void append(byte[] lines) {
        lock.lock();
        try {
            if (current == null || position - currentStart >= segmentBytes) {
                roll();
            }
            ByteBuffer buffer = ByteBuffer.wrap(lines);
            while (buffer.hasRemaining()) {
                current.write(buffer);
            }
            position += lines.length;
        } catch (IOException e) {
            if (!reportedFailure) {
                reportedFailure = true;
                System.err.println("spur: cannot write function log in " + directory + ": " + e);
            }
        } finally {
            lock.unlock();
        }
    }

    private void roll() throws IOException {
        Files.createDirectories(directory);
        List<Long> starts = segments();
        if (position < 0) {
            // First use in this process: continue the newest segment.
            if (starts.isEmpty()) {
                position = 0;
            } else {
                long last = starts.getLast();
                position = last + Files.size(segment(last));
            }
        }
        if (current != null) {
            current.close();
        }
        long start = !starts.isEmpty() && position - starts.getLast() < segmentBytes ? starts.getLast() : position;
        current = FileChannel.open(
                segment(start), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        currentStart = start;
        starts = segments();
        while (starts.size() > maxSegments) {
            Files.deleteIfExists(segment(starts.removeFirst()));
        }
    }

    /**
     * Reads up to {@code maxBytes} of whole lines from {@code from} (use {@link #end()} minus a size for
     * a tail). Returns the bytes and the position to continue from.
     */
    public Chunk read(long from, int maxBytes) throws IOException {
        lock.lock();
        try {
            List<Long> starts = segments();
            if (starts.isEmpty()) {
                return new Chunk(new byte[0], 0);
            }
            long end = end();
            long at = Math.max(Math.max(from, 0), starts.getFirst());
            if (at >= end) {
                return new Chunk(new byte[0], end);
            }
            long segStart = starts.getFirst();
            for (long s : starts) {
                if (s <= at) {
                    segStart = s;
                }
            }
            try (FileChannel ch = FileChannel.open(segment(segStart), StandardOpenOption.READ)) {
                long offset = at - segStart;
                int size = (int) Math.min(maxBytes, ch.size() - offset);
                ByteBuffer buf = ByteBuffer.allocate(Math.max(size, 0));
                while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
                    // fill
                }
                byte[] bytes = buf.array();
                int cut = bytes.length;
                while (cut > 0 && bytes[cut - 1] != '\n') {
                    cut--;
                }
                if (cut == 0 && bytes.length > 0 && bytes.length == maxBytes) {
                    cut = bytes.length; // a single line longer than maxBytes: hand it over in pieces
                }
                return new Chunk(Arrays.copyOf(bytes, cut), at + cut);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The position after the last byte written. */
    public long end() throws IOException {
        lock.lock();
        try {
            if (position >= 0) {
                return position;
            }
            List<Long> starts = segments();
            return starts.isEmpty() ? 0 : starts.getLast() + Files.size(segment(starts.getLast()));
        } finally {
            lock.unlock();
        }
    }

    private Path segment(long start) {
        return directory.resolve("%020d%s".formatted(start, SUFFIX));
    }

    private List<Long> segments() throws IOException {
        if (!Files.isDirectory(directory)) {
            return new ArrayList<>();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return new ArrayList<>(files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(SUFFIX))
                    .map(n -> Long.parseLong(n.substring(0, n.length() - SUFFIX.length())))
                    .sorted()
                    .toList());
        }
    }

    /** Bytes read from a log and where to continue. */
    public record Chunk(byte[] bytes, long next) {}
}
