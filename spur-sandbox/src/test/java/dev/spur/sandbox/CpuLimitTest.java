package dev.spur.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;

/** The CPU share's formula: Lambda's proportion over a period short enough that a spent quota stalls briefly. */
class CpuLimitTest {

    @Test
    void aMidSizedFunctionGetsItsShareOverAFiveMillisecondPeriodWithOnePeriodOfBurst() {
        CpuLimit limit = CpuLimit.forMemory(512, 2);
        assertThat(limit.periodMicros()).isEqualTo(5_000);
        assertThat(limit.quotaMicros()).isEqualTo(1_447); // 512/1769 of 5 ms
        assertThat(limit.burstMicros()).isEqualTo(limit.quotaMicros());
        assertThat(limit.vcpus()).isCloseTo(512 / 1769.0, offset(0.001));
        assertThat(limit.periodMicros() - limit.quotaMicros())
                .as("the longest a spent quota holds the environment back, µs")
                .isLessThanOrEqualTo(3_600);
    }

    @Test
    void belowTheKernelsOneMillisecondQuotaThePeriodStretchesInstead() {
        CpuLimit smallest = CpuLimit.forMemory(128, 2);
        assertThat(smallest.quotaMicros()).isEqualTo(1_000);
        assertThat(smallest.periodMicros()).isEqualTo(13_821);
        assertThat(smallest.vcpus()).isCloseTo(128 / 1769.0, offset(0.001));
        CpuLimit edge = CpuLimit.forMemory(354, 2);
        assertThat(edge.periodMicros()).isEqualTo(5_000);
        assertThat(edge.quotaMicros()).isEqualTo(1_000);
    }

    @Test
    void aLargeFunctionIsCappedAtTheNodesCores() {
        assertThat(CpuLimit.forMemory(1769, 2).quotaMicros()).isEqualTo(5_000);
        CpuLimit capped = CpuLimit.forMemory(10_240, 2);
        assertThat(capped.quotaMicros()).isEqualTo(10_000);
        assertThat(capped.vcpus()).isEqualTo(2.0);
        assertThat(capped.weight()).isEqualTo(5927); // the weight is not capped: it divides a busy node
    }

    @Test
    void withoutQuotaKeepsTheWeightAndDropsTheBurst() {
        CpuLimit none = CpuLimit.forMemory(512, 2).withoutQuota();
        assertThat(none.hasQuota()).isFalse();
        assertThat(none.burstMicros()).isZero();
        assertThat(none.weight()).isEqualTo(296);
    }
}
