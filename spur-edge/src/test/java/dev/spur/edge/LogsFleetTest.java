package dev.spur.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.edge.LogsFleet.Merged;
import dev.spur.edge.LogsFleet.Part;
import dev.spur.edge.LogsFleet.Picked;
import dev.spur.logs.LogEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The fleet's merge of the nodes' pages and its cursor ({@link LogsFleet}), on pages made here. */
class LogsFleetTest {

    /** A node's log: one 10-byte line per time, positions from 0; the page from {@code from}, at most {@code limit}. */
    private static Part page(String node, long[] times, long from, int limit) {
        List<LogEvent> events = new ArrayList<>();
        long end = times.length * 10L;
        for (int i = 0; i < times.length; i++) {
            long at = i * 10L;
            if (at >= from && events.size() < limit) {
                events.add(new LogEvent("s-" + node, times[i], node + "-" + times[i], at, at + 10));
            }
        }
        long last = events.isEmpty() ? from : events.getLast().next();
        return new Part(node, events, last < end ? OptionalLong.of(last) : OptionalLong.empty(), end, from);
    }

    @Test
    void pagesMergeByTimeThenNodeAndTheCursorSeesEveryEventOnce() {
        long[] a = {1, 3, 3, 7, 9};
        long[] b = {2, 3, 4, 8};
        Map<String, Long> cursor = new TreeMap<>();
        List<String> seen = new ArrayList<>();
        long previous = Long.MIN_VALUE;
        for (int round = 0; round < 10; round++) {
            List<Part> parts = new ArrayList<>(List.of(
                    page("b", b, cursor.getOrDefault("b", 0L), 3), page("a", a, cursor.getOrDefault("a", 0L), 3)));
            Merged merged = LogsFleet.merge(parts, 3, cursor);
            assertThat(merged.events()).hasSizeLessThanOrEqualTo(3);
            for (Picked p : merged.events()) {
                assertThat(p.event().timestamp()).isGreaterThanOrEqualTo(previous);
                previous = p.event().timestamp();
                seen.add(p.event().message());
            }
            cursor = merged.next();
            if (!merged.more()) {
                break;
            }
        }
        assertThat(seen).containsExactly("a-1", "b-2", "a-3", "a-3", "b-3", "b-4", "a-7", "b-8", "a-9");
        assertThat(cursor).containsEntry("a", 50L).containsEntry("b", 40L);
    }

    @Test
    void aNodeThatDidNotAnswerKeepsItsPositionInTheCursor() {
        Map<String, Long> before = new TreeMap<>(Map.of("a", 10L, "gone", 1234L));
        Merged merged = LogsFleet.merge(new ArrayList<>(List.of(page("a", new long[] {1, 2}, 10, 100))), 100, before);
        assertThat(merged.events()).extracting(p -> p.event().message()).containsExactly("a-2");
        assertThat(merged.more()).isFalse();
        assertThat(merged.next()).containsEntry("a", 20L).containsEntry("gone", 1234L);
    }

    @Test
    void theCursorTokenRoundTripsAndAMalformedOneIsRefused() {
        Map<String, Long> positions = new TreeMap<>(Map.of("node-a", 5L, "node-b", 0L));
        assertThat(LogsFleet.cursor(LogsFleet.token(positions))).isEqualTo(positions);
        assertThat(LogsFleet.cursor(null)).isEmpty();
        for (String bad : List.of("n/12", "m/!!", "m/WzFd", LogsFleet.token(Map.of("a", -1L)))) {
            assertThatThrownBy(() -> LogsFleet.cursor(bad))
                    .as(bad)
                    .isInstanceOf(LogsRequests.LogsError.class)
                    .hasMessage("The specified nextToken is invalid.");
        }
    }
}
