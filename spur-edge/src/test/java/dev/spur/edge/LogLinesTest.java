package dev.spur.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Several nodes' log tails merged into one by the time each line starts with. */
class LogLinesTest {
    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void linesOfTwoNodesInterleaveByTimeAndALineWithoutOneStaysWithTheLineBefore() {
        byte[] a = text("2026-12-06T10:00:00.100Z stdout a1\ncontinued a1\n2026-12-06T10:00:00.300Z stdout a2\n");
        byte[] b = text("2026-12-06T10:00:00.200Z stdout b1\n2026-12-06T10:00:00.400Z stdout b2");
        assertThat(new String(LogLines.merge(List.of(a, b)), StandardCharsets.UTF_8))
                .isEqualTo("2026-12-06T10:00:00.100Z stdout a1\ncontinued a1\n2026-12-06T10:00:00.200Z stdout b1\n"
                        + "2026-12-06T10:00:00.300Z stdout a2\n2026-12-06T10:00:00.400Z stdout b2\n");
    }

    @Test
    void oneTailIsReturnedAsItIs() {
        byte[] only = text("no time\n");
        assertThat(LogLines.merge(List.of(only))).isSameAs(only);
    }
}
