package dev.spur.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import dev.spur.store.UsageStore.UsageRow;
import org.junit.jupiter.api.Test;

/** The arithmetic of a bill: billed milliseconds as the REPORT line prints them, GB-seconds, prices. */
class BillingTest {

    @Test
    void billedDurationRoundsEveryStartedMillisecondUp() {
        assertThat(Billing.billedMillis(1, -1)).isEqualTo(1);
        assertThat(Billing.billedMillis(999_999, -1)).isEqualTo(1);
        assertThat(Billing.billedMillis(1_000_000, -1)).isEqualTo(1);
        assertThat(Billing.billedMillis(1_000_001, -1)).isEqualTo(2);
        assertThat(Billing.billedMillis(38_660_000, -1)).isEqualTo(39);
        assertThat(Billing.billedMillis(0, -1))
                .as("a zero duration still bills 1 ms")
                .isEqualTo(1);
    }

    @Test
    void coldStartsBillTheInitPhaseTogetherWithTheDuration() {
        // 38.66 ms + 203.69 ms = 242.35 ms → 243 ms, as one rounding (not 39 + 204)
        assertThat(Billing.billedMillis(38_660_000, 203_690_000)).isEqualTo(243);
        assertThat(Billing.initBilledMillis(38_660_000, 203_690_000)).isEqualTo(243 - 39);
        assertThat(Billing.initBilledMillis(38_660_000, -1)).isZero();
    }

    @Test
    void gbSecondsAreMegabyteMillisecondsOverOneMillionTwentyFourThousand() {
        // 1 GB for 1 s
        assertThat(Billing.gbSeconds(1024L * 1000)).isEqualTo(1.0);
        // 128 MB for 100 ms = 0.0125 GB-s
        assertThat(Billing.gbSeconds(128L * 100)).isEqualTo(0.0125);
    }

    @Test
    void theEstimatedBillUsesEachPriceOnItsOwnQuantity() {
        // 1 M requests, 1,000,000 GB-s in all, 400,000 of them on provisioned environments,
        // 100,000 GB-s of provisioned concurrency kept, 50,000 GB-s of ephemeral storage
        long gbs = Billing.MB_MS_PER_GB_SECOND;
        UsageRow row = new UsageRow(
                "a",
                "r",
                "f",
                "1",
                0,
                1_000_000,
                0,
                0,
                0,
                0,
                0,
                0,
                1_000_000 * gbs,
                10,
                400_000 * gbs,
                100_000 * gbs,
                50_000 * gbs);
        Billing.Cost cost = Billing.cost(row, PriceTable.US_EAST_1);
        assertThat(cost.requests()).isCloseTo(0.20, within(1e-9));
        assertThat(cost.duration()).isCloseTo(600_000 * 0.0000166667, within(1e-6));
        assertThat(cost.provisionedDuration()).isCloseTo(400_000 * 0.0000097222, within(1e-6));
        assertThat(cost.provisioned()).isCloseTo(100_000 * 0.0000041667, within(1e-6));
        assertThat(cost.ephemeral()).isCloseTo(50_000 * 0.0000000309, within(1e-9));
        assertThat(cost.total())
                .isCloseTo(
                        cost.requests()
                                + cost.duration()
                                + cost.provisionedDuration()
                                + cost.provisioned()
                                + cost.ephemeral(),
                        within(1e-12));
    }

    @Test
    void anOperatorOverridesSomePricesAndKeepsTheOthers() {
        ObjectNode overrides = Json.MAPPER.createObjectNode().put("gbSecond", 0.00001);
        PriceTable prices = PriceTable.US_EAST_1.with(overrides);
        assertThat(prices.gbSecond()).isEqualTo(0.00001);
        assertThat(prices.requestsPerMillion()).isEqualTo(0.20);

        assertThatThrownBy(() ->
                        PriceTable.US_EAST_1.with(Json.MAPPER.createObjectNode().put("gbSeconds", 1)))
                .hasMessageContaining("unknown price gbSeconds");
        assertThatThrownBy(() ->
                        PriceTable.US_EAST_1.with(Json.MAPPER.createObjectNode().put("gbSecond", "cheap")))
                .hasMessageContaining("must be a number");
        assertThatThrownBy(() ->
                        PriceTable.US_EAST_1.with(Json.MAPPER.createObjectNode().put("gbSecond", -1)))
                .hasMessageContaining("≥ 0");
    }
}
