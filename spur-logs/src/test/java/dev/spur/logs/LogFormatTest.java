package dev.spur.logs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Lambda's platform lines, character for character (AWS's documented examples). */
class LogFormatTest {
    @Test
    void reportLineMatchesLambdasFormatOnAColdStart() {
        assertThat(LogFormat.report("6f5a8e1e-0000-4000-8000-000000000000", 38_660_000, 39, 128, 54, 203_690_000))
                .isEqualTo("REPORT RequestId: 6f5a8e1e-0000-4000-8000-000000000000\tDuration: 38.66 ms\t"
                        + "Billed Duration: 39 ms\tMemory Size: 128 MB\tMax Memory Used: 54 MB\t"
                        + "Init Duration: 203.69 ms\t");
    }

    @Test
    void warmReportHasNoInitDuration() {
        assertThat(LogFormat.report("id", 1_000_000, 1, 256, 20, -1))
                .isEqualTo("REPORT RequestId: id\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 256 MB\t"
                        + "Max Memory Used: 20 MB\t");
    }

    @Test
    void startAndEndLines() {
        assertThat(LogFormat.start("id", "$LATEST")).isEqualTo("START RequestId: id Version: $LATEST");
        assertThat(LogFormat.end("id")).isEqualTo("END RequestId: id");
    }

    @Test
    void billedDurationRoundsUpToTheMillisecondAndIncludesInit() {
        assertThat(LogFormat.billedMillis(38_660_000, -1)).isEqualTo(39);
        assertThat(LogFormat.billedMillis(2_000_000, -1)).isEqualTo(2);
        assertThat(LogFormat.billedMillis(2_000_001, -1)).isEqualTo(3);
        assertThat(LogFormat.billedMillis(100_000, -1)).isEqualTo(1);
        assertThat(LogFormat.billedMillis(38_660_000, 203_690_000)).isEqualTo(243);
    }

    @Test
    void durationsHaveTwoDecimals() {
        assertThat(LogFormat.millis(5_000)).isEqualTo("0.01");
        assertThat(LogFormat.millis(1_234_567_891)).isEqualTo("1234.57");
        assertThat(LogFormat.seconds(3_000_000_000L)).isEqualTo("3.00");
    }
}
