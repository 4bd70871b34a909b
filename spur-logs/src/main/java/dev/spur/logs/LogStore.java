package dev.spur.logs;

import dev.spur.common.FunctionKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Log groups on disk: {@code <dir>/<account>/<region>/<group dir>/}, each group's log a sequence of
 * segment files whose total size is bounded (oldest segments are deleted first), so the whole store
 * is bounded by segment size × segments × groups. A function's default group
 * {@code /aws/lambda/<function>} lives in the directory named after the function; any other group
 * name in {@code ~} followed by the name with {@code /} as {@code ~} ({@code ~} is in no group or
 * function name, so the two never meet). Logs outlive the function, as CloudWatch logs do;
 * re-creating a function appends to them.
 *
 * <p>Everything a reader needs is in the group's directory (segments and retention), so a log
 * written on one node can be served by that node to any other that asks with the same queries.
 */
public final class LogStore {
    /** Default bound per log group: 16 segments of 16 MB (256 MB, about 2 M lines). */
    public static final long DEFAULT_SEGMENT_BYTES = 16L * 1024 * 1024;

    public static final int DEFAULT_SEGMENTS = 16;

    /** Default bound over every group together: 2 GB; past it the oldest segments anywhere go first. */
    public static final long DEFAULT_TOTAL_BYTES = 2L * 1024 * 1024 * 1024;

    /** The prefix of a function's default log group. */
    public static final String LAMBDA_PREFIX = "/aws/lambda/";

    private static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z0-9_-]{1,140}");
    private static final Pattern GROUP_NAME = Pattern.compile("[.\\-_/#A-Za-z0-9]{1,512}");

    private final Path directory;
    private final long segmentBytes;
    private final int maxSegments;
    private final InstantSource clock;
    private final long totalBytes;
    private final ConcurrentMap<GroupKey, FunctionLog> logs = new ConcurrentHashMap<>();

    public LogStore(Path directory, long segmentBytes, int maxSegments) {
        this(directory, segmentBytes, maxSegments, Long.MAX_VALUE, InstantSource.system());
    }

    /**
     * A store bounded per group ({@code segmentBytes × maxSegments}) and over all groups
     * ({@code totalBytes}), whose retention is judged on {@code clock}.
     */
    public LogStore(Path directory, long segmentBytes, int maxSegments, long totalBytes, InstantSource clock) {
        this.directory = directory;
        this.segmentBytes = segmentBytes;
        this.maxSegments = maxSegments;
        this.totalBytes = totalBytes;
        this.clock = clock;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static LogStore open(Path directory) {
        return new LogStore(
                directory, DEFAULT_SEGMENT_BYTES, DEFAULT_SEGMENTS, DEFAULT_TOTAL_BYTES, InstantSource.system());
    }

    /** A function's default log group, {@code /aws/lambda/<function>}. */
    public FunctionLog of(FunctionKey key) {
        return group(key.account(), key.region(), LAMBDA_PREFIX + key.name());
    }

    /** The log of a group (created on disk by its first line). */
    public FunctionLog group(String account, String region, String group) {
        if (!validGroupName(group)) {
            throw new IllegalArgumentException("invalid log group name: " + group);
        }
        return logs.computeIfAbsent(
                new GroupKey(account, region, group),
                k -> new FunctionLog(
                        directory.resolve(k.account()).resolve(k.region()).resolve(directoryName(k.group())),
                        segmentBytes,
                        maxSegments,
                        clock,
                        this::enforceTotal));
    }

    /** The log of a group that exists on disk. */
    public Optional<FunctionLog> existing(String account, String region, String group) {
        if (!validGroupName(group) || !Files.isDirectory(groupDirectory(account, region, group))) {
            return Optional.empty();
        }
        return Optional.of(group(account, region, group));
    }

    /**
     * Creates an empty group.
     *
     * @return false when it existed
     */
    public boolean create(String account, String region, String group) throws IOException {
        Path dir = groupDirectory(account, region, group);
        if (Files.isDirectory(dir)) {
            return false;
        }
        Files.createDirectories(dir);
        return true;
    }

    /**
     * Loads the index of every group on disk, one after the other (run at start on a thread of its own, so the
     * first query after a restart finds its group's index ready instead of building it). Best effort: a group
     * that cannot be read is left for its first reader.
     */
    public List<GroupRef> warm() {
        List<GroupRef> warmed = new ArrayList<>();
        try (Stream<Path> accounts = Files.list(directory)) {
            for (Path account : accounts.filter(Files::isDirectory).toList()) {
                try (Stream<Path> regions = Files.list(account)) {
                    for (Path region : regions.filter(Files::isDirectory).toList()) {
                        String a = account.getFileName().toString();
                        String r = region.getFileName().toString();
                        for (String group : groups(a, r)) {
                            group(a, r, group).warm();
                            warmed.add(new GroupRef(a, r, group));
                        }
                    }
                }
            }
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            // left for the first reader
        }
        return warmed;
    }

    /** A log group by its account, region and name. */
    public record GroupRef(String account, String region, String group) {}

    /** Checkpoints every open group's index ({@link FunctionLog#close}); at a clean stop. */
    public void close() {
        logs.values().forEach(FunctionLog::close);
    }

    /** The names of the account's groups in a region, sorted. */
    public List<String> groups(String account, String region) throws IOException {
        Path dir = directory.resolve(account).resolve(region);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(Files::isDirectory)
                    .map(p -> groupName(p.getFileName().toString()))
                    .filter(LogStore::validGroupName)
                    .forEach(names::add);
        }
        names.sort(null);
        return names;
    }

    /**
     * Keeps the segments of all groups within the overall bound: while they sum past it, the least
     * recently written segment anywhere is deleted (never a group's segment being written). Runs after
     * a group rolls to a new segment, holding no group's lock but taking each one it trims.
     */
    synchronized void enforceTotal() {
        if (totalBytes == Long.MAX_VALUE) {
            return;
        }
        record Segment(Path file, long size, long modified) {}
        List<Segment> all = new ArrayList<>();
        long sum = 0;
        try (Stream<Path> files = Files.find(
                directory, 4, (p, a) -> a.isRegularFile() && p.toString().endsWith(".log"))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                try {
                    Segment s = new Segment(
                            p, Files.size(p), Files.getLastModifiedTime(p).toMillis());
                    all.add(s);
                    sum += s.size();
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException | UncheckedIOException e) {
            return;
        }
        all.sort(Comparator.comparingLong(Segment::modified));
        for (Segment s : all) {
            if (sum <= totalBytes) {
                return;
            }
            Path group = s.file().getParent();
            Path region = group.getParent();
            Path account = region.getParent();
            if (!directory.equals(account.getParent())) {
                continue; // not a group's segment (an HTTP API's access log, say)
            }
            String name = s.file().getFileName().toString();
            try {
                FunctionLog log = group(
                        account.getFileName().toString(),
                        region.getFileName().toString(),
                        groupName(group.getFileName().toString()));
                if (log.dropSegment(Long.parseLong(name.substring(0, name.length() - 4)))) {
                    sum -= s.size();
                }
            } catch (IOException | IllegalArgumentException e) {
                // skip what cannot be read as a group's segment
            }
        }
    }

    /** Whether {@code name} is a valid log group name (CloudWatch Logs' pattern and length). */
    public static boolean validGroupName(String name) {
        return name != null && GROUP_NAME.matcher(name).matches();
    }

    private Path groupDirectory(String account, String region, String group) {
        return directory.resolve(account).resolve(region).resolve(directoryName(group));
    }

    static String directoryName(String group) {
        if (group.startsWith(LAMBDA_PREFIX)) {
            String function = group.substring(LAMBDA_PREFIX.length());
            if (FUNCTION_NAME.matcher(function).matches()) {
                return function;
            }
        }
        return "~" + group.replace('/', '~');
    }

    static String groupName(String directoryName) {
        return directoryName.startsWith("~")
                ? directoryName.substring(1).replace('~', '/')
                : LAMBDA_PREFIX + directoryName;
    }

    private record GroupKey(String account, String region, String group) {}
}
