package dev.spur.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Leases of event-source mappings on PostgreSQL: one holder at a time, renewed, released, taken over after expiry. */
class MappingLeasesTest {

    @Test
    void aNodeAloneHoldsEveryMapping() {
        assertThat(MappingLeases.all().hold(List.of("m1", "m2"))).containsExactlyInAnyOrder("m1", "m2");
    }

    @Test
    void oneNodeHoldsEachMappingAndAnotherTakesItOnlyAfterTheLeaseExpiredOrWasReleased() throws Exception {
        try (Database database = Database.postgres(TestPostgres.freshDatabase())) {
            MappingLeases a = MappingLeases.postgres(database, "a", Duration.ofMillis(400));
            MappingLeases b = MappingLeases.postgres(database, "b", Duration.ofSeconds(30));
            assertThat(a.hold(List.of("m1", "m2"))).containsExactlyInAnyOrder("m1", "m2");
            assertThat(b.hold(List.of("m1", "m2", "m3")))
                    .as("a's leases are live")
                    .containsExactly("m3");
            assertThat(a.hold(List.of("m1", "m2", "m3")))
                    .as("renewed; m3 is b's")
                    .containsExactlyInAnyOrder("m1", "m2");
            assertThat(a.hold(List.of("m1")))
                    .as("m2 given up (disabled or deleted)")
                    .containsExactly("m1");
            assertThat(b.hold(List.of("m1", "m2", "m3"))).containsExactlyInAnyOrder("m2", "m3");
            Thread.sleep(600); // a stops renewing: its lease on m1 expires on the database's clock
            assertThat(b.hold(List.of("m1", "m2", "m3"))).containsExactlyInAnyOrder("m1", "m2", "m3");
            assertThat(a.hold(List.of("m1")))
                    .as("taken over: a no longer holds it")
                    .isEmpty();
            b.release();
            assertThat(a.hold(List.of("m1", "m3"))).as("released: free at once").isEqualTo(Set.of("m1", "m3"));
        }
    }
}
