package dev.spur.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * One log group's log (a function's, unless functions share a custom group): append-only segments
 * named by the log position they start at, so a reader holding a position can resume across
 * rotations ({@link #read}). Positions count bytes ever written; when old segments are deleted, a
 * position before the oldest kept byte resumes there. A {@link LogIndex} by time lets
 * {@link #filter} and {@link #before} read only the blocks that can hold what they want.
 *
 * <p>Disk use is bounded by segment count and size; a retention in days ({@link #retention}) deletes
 * segments whose newest event is older than that (at each rollover and each change of retention)
 * and hides older events from readers at once.
 *
 * <p>Failure semantics: an append is one {@code write} to the segment; losing log lines never fails
 * an invocation (I/O errors are swallowed after the first is reported on stderr). Readers take the
 * lock only to copy the index, then read files without it; a segment deleted under a reader reads
 * as empty.
 */
public final class FunctionLog {
    private static final String SUFFIX = ".log";
    private static final String INDEX_SUFFIX = ".idx";
    private static final String RETENTION_FILE = "retention";
    private static final long DAY_MILLIS = 86_400_000L;

    private final Path directory;
    private final long segmentBytes;
    private final int maxSegments;
    private final InstantSource clock;
    private final Runnable afterRoll;
    private final ReentrantLock lock = new ReentrantLock();
    private final LogIndex index = new LogIndex();
    private boolean indexed;
    private FileChannel current;
    private long currentStart = -1;
    private long position = -1;
    private int retentionDays;
    private boolean reportedFailure;

    FunctionLog(Path directory, long segmentBytes, int maxSegments, InstantSource clock, Runnable afterRoll) {
        this.directory = directory;
        this.segmentBytes = segmentBytes;
        this.maxSegments = maxSegments;
        this.clock = clock;
        this.afterRoll = afterRoll;
        this.retentionDays = readRetention(directory);
    }

    /** Appends whole lines. */
    public void append(byte[] lines) {
        boolean rolled = false;
        lock.lock();
        try {
            ensureIndexed();
            if (current == null || position - currentStart >= segmentBytes) {
                roll();
                rolled = true;
            }
            ByteBuffer buffer = ByteBuffer.wrap(lines);
            while (buffer.hasRemaining()) {
                current.write(buffer);
            }
            indexLines(lines, lines.length, position, currentStart);
            position += lines.length;
        } catch (IOException e) {
            if (!reportedFailure) {
                reportedFailure = true;
                System.err.println("spur: cannot write function log in " + directory + ": " + e);
            }
        } finally {
            lock.unlock();
        }
        if (rolled) {
            afterRoll.run(); // the store's bound over all groups, taken without this log's lock
        }
    }

    /** Deletes the segment starting at {@code start} unless it is the one being written (the store's overall bound). */
    boolean dropSegment(long start) throws IOException {
        lock.lock();
        try {
            List<Long> kept = segments();
            if (start == currentStart || kept.isEmpty() || start == kept.getLast()) {
                return false; // the segment being (or next to be) written: positions must never go back
            }
            boolean deleted = deleteSegment(start);
            List<Long> starts = segments();
            if (!starts.isEmpty()) {
                index.dropBefore(starts.getFirst());
            }
            return deleted;
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
            if (position - currentStart >= segmentBytes) {
                LogIndex.write(indexFile(currentStart), index.snapshot(), currentStart);
            }
        }
        long start = !starts.isEmpty() && position - starts.getLast() < segmentBytes ? starts.getLast() : position;
        current = FileChannel.open(
                segment(start), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        currentStart = start;
        starts = segments();
        while (starts.size() > maxSegments) {
            deleteSegment(starts.removeFirst());
        }
        expire(starts);
    }

    /** Deletes the sealed segments all of whose events are past retention. */
    private void expire(List<Long> starts) throws IOException {
        long cutoff = cutoff();
        if (cutoff != Long.MIN_VALUE) {
            Map<Long, Long> newest = new HashMap<>();
            for (LogIndex.Block b : index.snapshot()) {
                newest.merge(b.segmentStart(), b.maxTime(), Math::max);
            }
            while (starts.size() > 1 && newest.getOrDefault(starts.getFirst(), Long.MIN_VALUE) < cutoff) {
                deleteSegment(starts.removeFirst());
            }
        }
        if (!starts.isEmpty()) {
            index.dropBefore(starts.getFirst());
        }
    }

    /** Events older than this are past retention ({@code Long.MIN_VALUE}: kept until the size bound). */
    private long cutoff() {
        return retentionDays <= 0 ? Long.MIN_VALUE : clock.millis() - retentionDays * DAY_MILLIS;
    }

    /** The retention in days, if one is set. */
    public OptionalInt retention() {
        lock.lock();
        try {
            return retentionDays <= 0 ? OptionalInt.empty() : OptionalInt.of(retentionDays);
        } finally {
            lock.unlock();
        }
    }

    /** Sets (or with empty, removes) the retention in days, stored beside the segments, and applies it. */
    public void retention(OptionalInt days) throws IOException {
        lock.lock();
        try {
            Files.createDirectories(directory);
            Path file = directory.resolve(RETENTION_FILE);
            if (days.isPresent()) {
                Path tmp = directory.resolve(RETENTION_FILE + ".tmp");
                Files.writeString(tmp, Integer.toString(days.getAsInt()));
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.deleteIfExists(file);
            }
            retentionDays = days.orElse(0);
            ensureIndexed();
            expire(segments());
        } finally {
            lock.unlock();
        }
    }

    private static int readRetention(Path directory) {
        try {
            return Integer.parseInt(
                    Files.readString(directory.resolve(RETENTION_FILE)).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Closes the segment being written and checkpoints its index beside it, so that the next start reads the
     * index instead of scanning the segment. A later append opens it again. Failing to write the checkpoint
     * costs only that scan.
     */
    public void close() {
        lock.lock();
        try {
            if (current != null) {
                current.close();
                current = null;
                LogIndex.checkpoint(indexFile(currentStart), index.snapshot(), currentStart, position - currentStart);
            }
        } catch (IOException e) {
            // closing a file we only appended to: nothing was lost
        } finally {
            lock.unlock();
        }
    }

    /** Loads the index now (at start, off the request path), so the first read finds it ready. */
    public void warm() {
        snapshot();
    }

    /** Deletes every segment and the retention (DeleteLogGroup); the log starts again at position 0. */
    public void deleteAll() throws IOException {
        lock.lock();
        try {
            if (current != null) {
                current.close();
                current = null;
            }
            for (long s : segments()) {
                deleteSegment(s);
            }
            Files.deleteIfExists(directory.resolve(RETENTION_FILE));
            Files.deleteIfExists(directory);
            index.clear();
            indexed = false;
            position = -1;
            currentStart = -1;
            retentionDays = 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Events read forward as {@code filter} asks: at most its limit; the page's {@code next} is where
     * to continue, or empty when the end of the log was reached.
     */
    public LogPage filter(LogFilter filter) throws IOException {
        Snapshot snap = snapshot();
        long from = Math.max(filter.startTime(), snap.cutoff);
        List<LogEvent> events = new ArrayList<>();
        int bytes = 0;
        for (LogIndex.Block block : snap.blocks) {
            if (block.end() <= filter.from()
                    || !block.meets(from, filter.endTime())
                    || block.streams().keySet().stream().noneMatch(filter.stream())) {
                continue;
            }
            for (LogEvent e : events(block, filter.from())) {
                if (e.timestamp() >= from
                        && e.timestamp() <= filter.endTime()
                        && filter.stream().test(e.stream())
                        && filter.pattern().matches(e.message())) {
                    events.add(e);
                    bytes += e.message().length() + 26;
                    if (events.size() >= filter.limit() || bytes >= filter.maxBytes()) {
                        return new LogPage(
                                events,
                                e.next() < snap.end ? OptionalLong.of(e.next()) : OptionalLong.empty(),
                                snap.end);
                    }
                }
            }
        }
        return new LogPage(events, OptionalLong.empty(), snap.end);
    }

    /**
     * The last {@code limit} events of {@code stream} that start before position {@code before}, timed
     * within {@code [startTime, endTime)}, oldest first.
     */
    public List<LogEvent> before(String stream, long startTime, long endTime, long before, int limit)
            throws IOException {
        Snapshot snap = snapshot();
        long from = Math.max(startTime, snap.cutoff);
        List<LogEvent> newestFirst = new ArrayList<>();
        for (int i = snap.blocks.size() - 1; i >= 0 && newestFirst.size() < limit; i--) {
            LogIndex.Block block = snap.blocks.get(i);
            if (block.start() >= before
                    || !block.meets(from, endTime - 1)
                    || !block.streams().containsKey(stream)) {
                continue;
            }
            List<LogEvent> inBlock = events(block, block.start());
            for (int j = inBlock.size() - 1; j >= 0 && newestFirst.size() < limit; j--) {
                LogEvent e = inBlock.get(j);
                if (e.position() < before
                        && e.stream().equals(stream)
                        && e.timestamp() >= from
                        && e.timestamp() < endTime) {
                    newestFirst.add(e);
                }
            }
        }
        return newestFirst.reversed();
    }

    /** Each log stream's first and last event time and bytes, over the segments kept. */
    public Map<String, StreamSummary> streams() {
        Snapshot snap = snapshot();
        Map<String, StreamSummary> all = new HashMap<>();
        for (LogIndex.Block b : snap.blocks) {
            b.streams().forEach((name, stat) -> all.merge(name, stat, StreamSummary::plus));
        }
        if (snap.cutoff != Long.MIN_VALUE) {
            all.values().removeIf(s -> s.last() < snap.cutoff);
        }
        return all;
    }

    /** Bytes on disk. */
    public long storedBytes() throws IOException {
        long total = 0;
        for (long s : segments()) {
            try {
                total += Files.size(segment(s));
            } catch (NoSuchFileException e) {
                // deleted meanwhile
            }
        }
        return total;
    }

    /** The time of the oldest event kept, if any. */
    public OptionalLong oldestEvent() {
        long oldest = Long.MAX_VALUE;
        for (LogIndex.Block b : snapshot().blocks) {
            oldest = Math.min(oldest, b.minTime());
        }
        return oldest == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(oldest);
    }

    private List<LogEvent> events(LogIndex.Block block, long from) throws IOException {
        byte[] bytes = new byte[block.length()];
        try (FileChannel ch = FileChannel.open(segment(block.segmentStart()), StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            long offset = block.start() - block.segmentStart();
            while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
                // fill
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<LogEvent> out = new ArrayList<>();
        int i = 0;
        while (i < bytes.length) {
            int nl = LogLines.indexOf(bytes, i, bytes.length, (byte) '\n');
            int end = nl < 0 ? bytes.length : nl;
            long at = block.start() + i;
            if (at >= from) {
                LogEvent e = event(bytes, i, end, at, block.start() + end + 1);
                if (e != null) {
                    out.add(e);
                }
            }
            i = end + 1;
        }
        return out;
    }

    private static LogEvent event(byte[] bytes, int from, int to, long position, long next) {
        long time = LogLines.time(bytes, from, to);
        if (time == Long.MIN_VALUE) {
            return null;
        }
        int streamFrom = LogLines.indexOf(bytes, from, to, (byte) ' ') + 1;
        int streamTo = LogLines.indexOf(bytes, streamFrom, to, (byte) ' ');
        if (streamTo < 0) {
            return null;
        }
        return new LogEvent(
                new String(bytes, streamFrom, streamTo - streamFrom, StandardCharsets.UTF_8),
                time,
                new String(bytes, streamTo + 1, to - streamTo - 1, StandardCharsets.UTF_8),
                position,
                next);
    }

    private record Snapshot(List<LogIndex.Block> blocks, long end, long cutoff) {}

    private Snapshot snapshot() {
        lock.lock();
        try {
            ensureIndexed();
            return new Snapshot(index.snapshot(), end(), cutoff());
        } catch (IOException e) {
            return new Snapshot(List.of(), 0, cutoff());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Builds the index from the segments on disk, once per process (under the lock): a sealed segment's index
     * file, the open segment's checkpoint ({@link #close}) and a scan of what was written after it, or a scan of
     * a segment without either.
     */
    private void ensureIndexed() throws IOException {
        if (indexed) {
            return;
        }
        index.clear();
        List<Long> all = segments();
        for (long s : all) {
            long size;
            try {
                size = Files.size(segment(s));
            } catch (NoSuchFileException e) {
                continue; // deleted meanwhile
            }
            long covered = Files.exists(indexFile(s)) ? index.read(indexFile(s), size) : -1;
            if (covered >= size) {
                continue; // its index covers it
            }
            try (FileChannel ch = FileChannel.open(segment(s), StandardOpenOption.READ)) {
                byte[] carry = new byte[0];
                long at = s + Math.max(covered, 0);
                ch.position(Math.max(covered, 0));
                ByteBuffer buf = ByteBuffer.allocate(1 << 20);
                while (ch.read(buf) > 0 || buf.position() > 0) {
                    byte[] chunk = Arrays.copyOf(carry, carry.length + buf.position());
                    System.arraycopy(buf.array(), 0, chunk, carry.length, buf.position());
                    buf.clear();
                    int last = chunk.length;
                    while (last > 0 && chunk[last - 1] != '\n') {
                        last--;
                    }
                    indexLines(chunk, last, at, s);
                    at += last;
                    carry = Arrays.copyOfRange(chunk, last, chunk.length);
                    if (ch.position() >= ch.size()) {
                        break;
                    }
                }
            } catch (NoSuchFileException e) {
                // deleted meanwhile
            }
        }
        indexed = true;
    }

    private void indexLines(byte[] bytes, int length, long at, long segmentStart) {
        int i = 0;
        while (i < length) {
            int nl = LogLines.indexOf(bytes, i, length, (byte) '\n');
            int end = nl < 0 ? length : nl;
            index.line(bytes, i, end, at + i, segmentStart);
            i = end + 1;
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

    /** The index of a sealed segment, written when it is sealed and read instead of the segment. */
    private Path indexFile(long start) {
        return directory.resolve("%020d%s".formatted(start, INDEX_SUFFIX));
    }

    private boolean deleteSegment(long start) throws IOException {
        Files.deleteIfExists(indexFile(start));
        return Files.deleteIfExists(segment(start));
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
