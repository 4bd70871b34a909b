package dev.spur.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.common.FunctionKey;
import dev.spur.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a log as events: by time through the index, by stream, forward and back, and retention. */
class LogQueryTest {
    private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    @TempDir
    Path dir;

    private final FunctionKey key = new FunctionKey("000000000000", "us-east-1", "fn");

    /** {@code n} lines one second apart, alternating between streams a and b, ten per append. */
    private static void write(FunctionLog log, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            LogLines.appendTime(sb, T0 + i * 1000L)
                    .append(i % 2 == 0 ? " a " : " b ")
                    .append("line ")
                    .append(i)
                    .append('\n');
            if (i % 10 == 9) {
                log.append(sb.toString().getBytes(StandardCharsets.UTF_8));
                sb.setLength(0);
            }
        }
        log.append(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static LogFilter window(long from, long to, long position, int limit) {
        return new LogFilter(s -> true, from, to, FilterPattern.any(), position, limit, 1 << 20);
    }

    @Test
    void aTimeBoundedQueryReturnsExactlyTheEventsInItsInclusiveRange() throws Exception {
        FunctionLog log = new LogStore(dir, 4096, 100).of(key);
        write(log, 2000);
        LogPage page = log.filter(window(T0 + 500_000, T0 + 509_000, 0, 100));
        assertThat(page.events()).extracting(LogEvent::message).first().isEqualTo("line 500");
        assertThat(page.events())
                .hasSize(10)
                .last()
                .extracting(LogEvent::message)
                .isEqualTo("line 509");
        assertThat(page.next()).as("the end of the log was reached").isEmpty();
    }

    @Test
    void aLimitedPageContinuesFromItsPositionWithoutLosingOrRepeating() throws Exception {
        FunctionLog log = new LogStore(dir, 4096, 100).of(key);
        write(log, 300);
        List<String> all = new ArrayList<>();
        long from = 0;
        for (int pages = 0; pages < 100; pages++) {
            LogPage page = log.filter(window(Long.MIN_VALUE, Long.MAX_VALUE, from, 7));
            page.events().forEach(e -> all.add(e.message()));
            if (page.next().isEmpty()) {
                break;
            }
            from = page.next().getAsLong();
        }
        assertThat(all).hasSize(300).startsWith("line 0").endsWith("line 299").doesNotHaveDuplicates();
    }

    @Test
    void theIndexIsRebuiltFromSealedSegmentIndexesAndTheOpenSegmentAfterARestart() throws Exception {
        write(new LogStore(dir, 4096, 100).of(key), 1000);
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".idx"))).isNotEmpty();
        }
        FunctionLog reopened = new LogStore(dir, 4096, 100).of(key);
        assertThat(reopened.filter(window(T0 + 990_000, Long.MAX_VALUE, 0, 100)).events())
                .extracting(LogEvent::message)
                .containsExactly(
                        "line 990",
                        "line 991",
                        "line 992",
                        "line 993",
                        "line 994",
                        "line 995",
                        "line 996",
                        "line 997",
                        "line 998",
                        "line 999");
        assertThat(reopened.streams()).containsOnlyKeys("a", "b");
        assertThat(reopened.streams().get("a").first()).isEqualTo(T0);
        assertThat(reopened.streams().get("b").last()).isEqualTo(T0 + 999_000);
    }

    @Test
    void aCleanStopCheckpointsTheOpenSegmentsIndexAndARestartScansOnlyWhatCameAfter() throws Exception {
        LogStore first = new LogStore(dir, 1 << 20, 100); // one segment: every line is in the open one
        write(first.of(key), 500);
        first.close();
        Path checkpoint;
        try (Stream<Path> files = Files.walk(dir)) {
            checkpoint =
                    files.filter(p -> p.toString().endsWith(".idx")).findFirst().orElseThrow();
        }
        Path segment =
                checkpoint.resolveSibling(checkpoint.getFileName().toString().replace(".idx", ".log"));
        List<String> lines = new ArrayList<>(Files.readAllLines(checkpoint));
        assertThat(lines.getFirst()).isEqualTo("C " + Files.size(segment));

        // the restart reads the checkpoint instead of the segment: a figure only the checkpoint holds shows
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("S a " + T0 + " ")) {
                lines.set(i, lines.get(i).replace("S a " + T0 + " ", "S a " + (T0 - 7) + " "));
            }
        }
        Files.write(checkpoint, lines);
        FunctionLog second = new LogStore(dir, 1 << 20, 100).of(key);
        assertThat(second.streams().get("a").first()).isEqualTo(T0 - 7);
        // lines appended after the checkpoint, then a stop without one (a crash): scanned from where it ends
        String more = LogLines.appendTime(new StringBuilder(), T0 + 600_000L)
                .append(" c after\n")
                .toString();
        second.append(more.getBytes(StandardCharsets.UTF_8));
        FunctionLog third = new LogStore(dir, 1 << 20, 100).of(key);
        assertThat(third.filter(window(Long.MIN_VALUE, Long.MAX_VALUE, 0, 10_000))
                        .events())
                .extracting(LogEvent::message)
                .hasSize(501)
                .doesNotHaveDuplicates()
                .startsWith("line 0")
                .endsWith("line 499", "after");
        assertThat(third.streams()).containsOnlyKeys("a", "b", "c");

        // a checkpoint that claims more than the segment holds is not trusted: the segment is scanned again
        lines.set(0, "C " + (Files.size(segment) + 1_000));
        Files.write(checkpoint, lines);
        FunctionLog fourth = new LogStore(dir, 1 << 20, 100).of(key);
        assertThat(fourth.streams().get("a").first()).isEqualTo(T0);
        assertThat(fourth.filter(window(Long.MIN_VALUE, Long.MAX_VALUE, 0, 10_000))
                        .events())
                .hasSize(501);
    }

    @Test
    void readingBackwardGivesAStreamsNewestEventsOldestFirst() throws Exception {
        FunctionLog log = new LogStore(dir, 4096, 100).of(key);
        write(log, 100);
        assertThat(log.before("b", Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 3))
                .extracting(LogEvent::message)
                .containsExactly("line 95", "line 97", "line 99");
    }

    @Test
    void retentionHidesAndDeletesEventsOlderThanItsDays() throws Exception {
        FakeClock clock = FakeClock.at(Instant.ofEpochMilli(T0 + 2 * 86_400_000L));
        LogStore store = new LogStore(dir, 4096, 1000, Long.MAX_VALUE, clock);
        FunctionLog log = store.of(key);
        write(log, 1000);
        StringBuilder recent = new StringBuilder();
        LogLines.appendTime(recent, clock.millis()).append(" a recent\n");
        log.append(recent.toString().getBytes(StandardCharsets.UTF_8));
        long before = log.storedBytes();

        log.retention(OptionalInt.of(1));

        assertThat(log.filter(window(Long.MIN_VALUE, Long.MAX_VALUE, 0, 10_000)).events())
                .extracting(LogEvent::message)
                .containsExactly("recent");
        assertThat(log.storedBytes()).isLessThan(before / 2);
        assertThat(new LogStore(dir, 4096, 1000, Long.MAX_VALUE, clock).of(key).retention())
                .hasValue(1);
    }

    @Test
    void theStoreKeepsAllGroupsTogetherWithinItsOverallBound() throws Exception {
        LogStore store = new LogStore(dir, 2048, 1000, 20_000, FakeClock.at(Instant.ofEpochMilli(T0)));
        for (String name : List.of("one", "two", "three")) {
            write(store.of(new FunctionKey("000000000000", "us-east-1", name)), 1000);
        }
        long total;
        try (Stream<Path> files = Files.walk(dir)) {
            total = files.filter(p -> p.toString().endsWith(".log"))
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
        assertThat(total).isLessThanOrEqualTo(20_000 + 3 * 2048 + 3 * 200);
        assertThat(store.groups("000000000000", "us-east-1"))
                .containsExactly("/aws/lambda/one", "/aws/lambda/three", "/aws/lambda/two");
    }

    @Test
    void customGroupsLiveApartFromFunctionGroups() throws Exception {
        LogStore store = new LogStore(dir, 4096, 10);
        store.group("000000000000", "us-east-1", "/custom/shared").append("x\n".getBytes(StandardCharsets.UTF_8));
        store.of(key).append("y\n".getBytes(StandardCharsets.UTF_8));
        assertThat(store.groups("000000000000", "us-east-1")).containsExactly("/aws/lambda/fn", "/custom/shared");
        assertThat(store.existing("000000000000", "us-east-1", "/custom/other")).isEmpty();
        assertThat(store.existing("111111111111", "us-east-1", "/custom/shared"))
                .isEmpty();
    }
}
