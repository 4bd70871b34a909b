package dev.spur.logs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A sparse index by time over one log's segments: the log is cut into blocks of about
 * {@value #BLOCK_BYTES} bytes of whole lines (a block never spans two segments), and each block
 * records the earliest and latest event time in it and, per log stream, its first and last event
 * time and byte count. A time-bounded query reads only the blocks whose time range meets its own
 * (lines of concurrent invocations arrive a little out of time order, so a block's range is a
 * min/max, not its first and last line); a stream query reads only blocks holding that stream; log
 * stream summaries are the sum of the blocks' ones.
 *
 * <p>Kept in memory and rebuilt by one sequential read of the segments the first time a log is used
 * in a process (about 1 s per 100 MB here); {@link FunctionLog} extends it on every append, under its
 * lock. {@link #snapshot()} hands readers immutable blocks, so reads run without the lock.
 */
final class LogIndex {
    static final int BLOCK_BYTES = 64 * 1024;

    private final List<Block> sealed = new ArrayList<>();
    private OpenBlock open;

    /** Indexes the line {@code [from, to)} of {@code bytes} (newline excluded) that starts at {@code position}. */
    void line(byte[] bytes, int from, int to, long position, long segmentStart) {
        if (open == null || open.segmentStart != segmentStart || open.length >= BLOCK_BYTES) {
            if (open != null) {
                sealed.add(open.freeze());
            }
            open = new OpenBlock(position, segmentStart);
        }
        int lineBytes = to - from + 1;
        open.length += lineBytes;
        long time = LogLines.time(bytes, from, to);
        if (time == Long.MIN_VALUE) {
            return;
        }
        int streamFrom = LogLines.indexOf(bytes, from, to, (byte) ' ') + 1;
        int streamTo = LogLines.indexOf(bytes, streamFrom, to, (byte) ' ');
        if (streamTo < 0) {
            return;
        }
        open.minTime = Math.min(open.minTime, time);
        open.maxTime = Math.max(open.maxTime, time);
        String stream = open.intern(bytes, streamFrom, streamTo);
        long[] stat = open.streams.computeIfAbsent(stream, s -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0});
        stat[0] = Math.min(stat[0], time);
        stat[1] = Math.max(stat[1], time);
        stat[2] += lineBytes;
    }

    /**
     * Writes the blocks of the segment starting at {@code segmentStart} to {@code file} (replaced
     * atomically): one {@code B start length min max} line per block, then one
     * {@code S stream first last bytes} line per stream in it. Failing to write costs only a rescan.
     */
    static void write(Path file, List<Block> blocks, long segmentStart) {
        write(file, blocks, segmentStart, -1);
    }

    /**
     * Writes a checkpoint of the segment being written: {@code C covered} (the bytes of the segment its blocks
     * cover), then its blocks, so that a restart reads them and scans only the bytes written after.
     */
    static void checkpoint(Path file, List<Block> blocks, long segmentStart, long covered) {
        write(file, blocks, segmentStart, covered);
    }

    private static void write(Path file, List<Block> blocks, long segmentStart, long covered) {
        StringBuilder sb = new StringBuilder();
        if (covered >= 0) {
            sb.append("C ").append(covered).append('\n');
        }
        for (Block b : blocks) {
            if (b.segmentStart() != segmentStart) {
                continue;
            }
            sb.append("B ")
                    .append(b.start())
                    .append(' ')
                    .append(b.length())
                    .append(' ')
                    .append(b.minTime())
                    .append(' ')
                    .append(b.maxTime())
                    .append('\n');
            b.streams()
                    .forEach((name, st) -> sb.append("S ")
                            .append(name)
                            .append(' ')
                            .append(st.first())
                            .append(' ')
                            .append(st.last())
                            .append(' ')
                            .append(st.bytes())
                            .append('\n'));
        }
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, sb);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // the segment is scanned instead
        }
    }

    /**
     * Adds the blocks stored in {@code file} as sealed blocks, when they describe at most {@code size} bytes of
     * the segment.
     *
     * @return the bytes of the segment the blocks cover ({@link Long#MAX_VALUE} for a sealed segment's whole
     *     index, less for a checkpoint), or -1 when there is no readable index (the segment must be scanned)
     */
    long read(Path file, long size) {
        List<Block> blocks = new ArrayList<>();
        long covered = Long.MAX_VALUE;
        try {
            // Only the B lines are parsed here; each block keeps its S lines as text, parsed on first use
            // (a time-bounded query touches a few blocks' streams, not the ~50 per block of every segment).
            String text = Files.readString(file);
            long segment = segmentOf(file);
            String[] b = null;
            int streamsFrom = 0;
            int i = 0;
            while (i < text.length()) {
                int nl = text.indexOf('\n', i);
                int end = nl < 0 ? text.length() : nl;
                char kind = text.charAt(i);
                if (kind == 'C' && i == 0) {
                    covered = Long.parseLong(text.substring(2, end));
                    if (covered < 0 || covered > size) {
                        return -1;
                    }
                } else if (kind == 'B') {
                    if (b != null) {
                        blocks.add(lazyBlock(b, segment, text.substring(streamsFrom, i)));
                    }
                    b = text.substring(i, end).split(" ");
                    if (b.length != 5) {
                        return -1;
                    }
                    streamsFrom = end + 1;
                } else if (kind != 'S' || b == null) {
                    return -1;
                }
                i = end + 1;
            }
            if (b != null) {
                blocks.add(lazyBlock(b, segment, text.substring(Math.min(streamsFrom, text.length()))));
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        if (open != null) {
            sealed.add(open.freeze());
            open = null;
        }
        sealed.addAll(blocks);
        return covered;
    }

    private static Block lazyBlock(String[] b, long segment, String streamLines) {
        return new Block(
                Long.parseLong(b[1]),
                Integer.parseInt(b[2]),
                segment,
                Long.parseLong(b[3]),
                Long.parseLong(b[4]),
                new Streams(streamLines));
    }

    private static long segmentOf(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(0, name.indexOf('.')));
    }

    /** Forgets the blocks of segments before {@code oldestKept} (they were deleted). */
    void dropBefore(long oldestKept) {
        sealed.removeIf(b -> b.segmentStart() < oldestKept);
        if (open != null && open.segmentStart < oldestKept) {
            open = null;
        }
    }

    void clear() {
        sealed.clear();
        open = null;
    }

    /** The blocks as they are now, oldest first. */
    List<Block> snapshot() {
        List<Block> all = new ArrayList<>(sealed.size() + 1);
        all.addAll(sealed);
        if (open != null) {
            all.add(open.freeze());
        }
        return all;
    }

    /**
     * Lines {@code [start, start + length)} of the log, in the segment starting at {@code segmentStart};
     * event times within {@code [minTime, maxTime]} (MAX/MIN when the block has no events).
     */
    record Block(long start, int length, long segmentStart, long minTime, long maxTime, Streams figures) {
        /** Per log stream in this block: its first and last event time and bytes. */
        Map<String, StreamSummary> streams() {
            return figures.map();
        }

        long end() {
            return start + length;
        }

        boolean meets(long from, long to) {
            return maxTime >= from && minTime <= to;
        }
    }

    private static final class OpenBlock {
        final long start;
        final long segmentStart;
        int length;
        long minTime = Long.MAX_VALUE;
        long maxTime = Long.MIN_VALUE;
        final Map<String, long[]> streams = new HashMap<>();
        private String lastStream;

        OpenBlock(long start, long segmentStart) {
            this.start = start;
            this.segmentStart = segmentStart;
        }

        /** The stream name of the bytes, reusing the previous line's string when it is the same. */
        String intern(byte[] bytes, int from, int to) {
            String last = lastStream;
            if (last != null && last.length() == to - from) {
                boolean same = true;
                for (int i = 0; i < last.length() && same; i++) {
                    same = last.charAt(i) == bytes[from + i];
                }
                if (same) {
                    return last;
                }
            }
            lastStream = new String(bytes, from, to - from, StandardCharsets.UTF_8);
            return lastStream;
        }

        Block freeze() {
            Map<String, StreamSummary> stats = HashMap.newHashMap(streams.size());
            streams.forEach((name, s) -> stats.put(name, new StreamSummary(s[0], s[1], s[2])));
            return new Block(start, length, segmentStart, minTime, maxTime, new Streams(Map.copyOf(stats)));
        }
    }

    /**
     * A block's per-stream figures: built in memory, or read from an index file and kept as its {@code S} lines
     * until first asked for (then parsed once; a malformed line is skipped). Safe to share between threads.
     */
    static final class Streams {
        private String lines;
        private Map<String, StreamSummary> map;

        Streams(Map<String, StreamSummary> map) {
            this.map = map;
        }

        Streams(String lines) {
            this.lines = lines;
        }

        synchronized Map<String, StreamSummary> map() {
            if (map == null) {
                Map<String, StreamSummary> parsed = new HashMap<>();
                for (String line : lines.split("\n")) {
                    String[] f = line.split(" ");
                    if (f.length == 5 && f[0].equals("S")) {
                        try {
                            parsed.put(
                                    f[1],
                                    new StreamSummary(
                                            Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])));
                        } catch (NumberFormatException e) {
                            // skipped, as said above
                        }
                    }
                }
                map = Map.copyOf(parsed);
                lines = null;
            }
            return map;
        }
    }
}
