package dev.spur.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.common.FunctionKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lambda's platform lines, character for character (AWS's documented examples). */
class PlatformLogTest {
    @TempDir
    Path dir;

    @Test
    void reportLineMatchesLambdasFormatOnAColdStart() {
        assertThat(PlatformLog.reportLine("6f5a8e1e-0000-4000-8000-000000000000", 38_660_000, 39, 128, 54, 203_690_000))
                .isEqualTo("REPORT RequestId: 6f5a8e1e-0000-4000-8000-000000000000\tDuration: 38.66 ms\t"
                        + "Billed Duration: 39 ms\tMemory Size: 128 MB\tMax Memory Used: 54 MB\t"
                        + "Init Duration: 203.69 ms\t");
    }

    @Test
    void warmReportHasNoInitDuration() {
        assertThat(PlatformLog.reportLine("id", 1_000_000, 1, 256, 20, -1))
                .isEqualTo("REPORT RequestId: id\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 256 MB\t"
                        + "Max Memory Used: 20 MB\t");
    }

    @Test
    void startAndEndLines() {
        assertThat(PlatformLog.startLine("id", "$LATEST")).isEqualTo("START RequestId: id Version: $LATEST");
        assertThat(PlatformLog.endLine("id")).isEqualTo("END RequestId: id");
    }

    @Test
    void initStartInitErrorAndTimeoutLines() {
        assertThat(PlatformLog.initStartLine("python3.12")).isEqualTo("INIT_START Runtime Version: spur:python3.12");
        assertThat(PlatformLog.initErrorLine(12_345_678, "Runtime.ExitError"))
                .isEqualTo(
                        "INIT_REPORT Init Duration: 12.35 ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError");
        assertThat(PlatformLog.initErrorLine(-1, "Runtime.InitError"))
                .startsWith("INIT_REPORT Init Duration: 0.00 ms\t");
        assertThat(PlatformLog.timedOutLine(Instant.parse("2026-01-02T03:04:05.006Z"), "id", 3_000_000_000L))
                .isEqualTo("2026-01-02T03:04:05.006Z id Task timed out after 3.00 seconds");
    }

    @Test
    void billedDurationRoundsUpToTheMillisecondAndIncludesInit() {
        assertThat(PlatformLog.billedMillis(38_660_000, -1)).isEqualTo(39);
        assertThat(PlatformLog.billedMillis(2_000_000, -1)).isEqualTo(2);
        assertThat(PlatformLog.billedMillis(2_000_001, -1)).isEqualTo(3);
        assertThat(PlatformLog.billedMillis(100_000, -1)).isEqualTo(1);
        assertThat(PlatformLog.billedMillis(38_660_000, 203_690_000)).isEqualTo(243);
    }

    @Test
    void durationsHaveTwoDecimals() {
        assertThat(PlatformLog.millis(5_000)).isEqualTo("0.01");
        assertThat(PlatformLog.millis(1_234_567_891)).isEqualTo("1234.57");
        assertThat(PlatformLog.seconds(3_000_000_000L)).isEqualTo("3.00");
    }

    @Test
    void anInvocationsLinesAreWrittenInLambdasOrderWithTheBilledDurationComputed() {
        InvocationLog log = new InvocationLog(
                new LogStore(dir, 1 << 20, 2).of(new FunctionKey("000000000000", "us-east-1", "fn")), "stream");
        PlatformLog.initStart(log, "provided.al2023");
        PlatformLog.start(log, "id", "1");
        log.line("what the function printed");
        PlatformLog.endAndReport(log, "id", 2_000_001, 128, 20, 5_000_000);
        assertThat(new String(Base64.getDecoder().decode(log.tailBase64()), StandardCharsets.UTF_8))
                .isEqualTo("INIT_START Runtime Version: spur:provided.al2023\n"
                        + "START RequestId: id Version: 1\n"
                        + "what the function printed\n"
                        + "END RequestId: id\n"
                        + "REPORT RequestId: id\tDuration: 2.00 ms\tBilled Duration: 8 ms\tMemory Size: 128 MB\t"
                        + "Max Memory Used: 20 MB\tInit Duration: 5.00 ms\t\n");
    }
}
