package dev.spur.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.common.FunctionKey;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

/** Where a fleet sends an invocation: rendezvous order over the live nodes, bounded loads. */
class PeerRoutingTest {
    private static final List<FleetNode.Member> THREE = List.of(member("a"), member("b"), member("c"));

    private static FleetNode.Member member(String name) {
        return new FleetNode.Member(name, URI.create("http://" + name + ":9000"), 0);
    }

    private static String owner(String item, List<FleetNode.Member> live) {
        return PeerRouting.order(item, live, m -> 0).getFirst().name();
    }

    @Test
    void everyNodeComputesTheSameOrderWhateverTheOrderOfItsList() {
        List<FleetNode.Member> reversed = List.of(member("c"), member("b"), member("a"));
        for (int i = 0; i < 200; i++) {
            String item = "123456789012/us-east-1/f" + i + ":$LATEST";
            assertThat(PeerRouting.order(item, reversed, m -> 0)).isEqualTo(PeerRouting.order(item, THREE, m -> 0));
        }
    }

    @Test
    void functionsSpreadOverTheNodesAndADeadNodeMovesOnlyItsOwn() {
        Map<String, Integer> owned = new HashMap<>();
        List<FleetNode.Member> withoutB = List.of(member("a"), member("c"));
        int moved = 0;
        for (int i = 0; i < 3000; i++) {
            String item = "123456789012/us-east-1/f" + i + ":1";
            String before = owner(item, THREE);
            owned.merge(before, 1, Integer::sum);
            String after = owner(item, withoutB);
            if (!before.equals("b")) {
                assertThat(after).as("a function of a live node stays there").isEqualTo(before);
            } else {
                moved++;
            }
        }
        assertThat(owned.values()).allSatisfy(n -> assertThat(n).isBetween(800, 1200));
        assertThat(moved).isEqualTo(owned.get("b"));
    }

    @Test
    void aNodeAtTheLoadCapGoesLastAndTheWalkGoesOnInRendezvousOrder() {
        String item = "123456789012/us-east-1/hot:$LATEST";
        List<FleetNode.Member> idle = PeerRouting.order(item, THREE, m -> 0);
        String first = idle.get(0).name();
        // loads 30, 0, 0: cap ⌈1.25 · 31/3⌉ = 13: the owner is over it
        List<FleetNode.Member> busy =
                PeerRouting.order(item, THREE, m -> m.name().equals(first) ? 30 : 0);
        assertThat(busy)
                .extracting(FleetNode.Member::name)
                .containsExactly(idle.get(1).name(), idle.get(2).name(), first);
        // loads 7, 0, 0: under the floor of 8, it keeps its place
        assertThat(PeerRouting.order(item, THREE, m -> m.name().equals(first) ? 7 : 0)
                        .getFirst()
                        .name())
                .isEqualTo(first);
    }

    @Test
    void theCapIsTheCeilingOfOnePlusEpsilonTimesTheMeanWithTheNewCallAndAtLeastTheFloor() {
        assertThat(PeerRouting.cap(0, 3)).isEqualTo(PeerRouting.LOAD_FLOOR);
        assertThat(PeerRouting.cap(11, 3)).isEqualTo(PeerRouting.LOAD_FLOOR);
        assertThat(PeerRouting.cap(30, 3)).isEqualTo(13);
        assertThat(PeerRouting.cap(99, 1)).isEqualTo(125);
    }

    @Test
    void theSharesOfTheLiveNodesAddUpToEachLimit() {
        for (int nodes = 1; nodes <= 4; nodes++) {
            int account = 0;
            int reserved = 0;
            for (int rank = 0; rank < nodes; rank++) {
                var share = FleetNode.share(rank, nodes);
                account += share.ofAccount("123456789012", 1000);
                reserved += share.ofReservation(new FunctionKey("123456789012", "us-east-1", "f"), 5);
            }
            assertThat(account).isEqualTo(1000);
            assertThat(reserved).isEqualTo(5);
        }
    }

    @Test
    void provisionedEnvironmentsGoDownTheRendezvousOrderInChunksThatAddUpToTheCount() {
        assertThat(List.of(FleetPlacement.part(4, 3, 0), FleetPlacement.part(4, 3, 1), FleetPlacement.part(4, 3, 2)))
                .containsExactly(4, 0, 0);
        assertThat(List.of(FleetPlacement.part(20, 3, 0), FleetPlacement.part(20, 3, 1), FleetPlacement.part(20, 3, 2)))
                .containsExactly(8, 8, 4);
        assertThat(List.of(FleetPlacement.part(30, 3, 0), FleetPlacement.part(30, 3, 1), FleetPlacement.part(30, 3, 2)))
                .containsExactly(10, 10, 10);
        for (int nodes = 1; nodes <= 5; nodes++) {
            for (int count = 0; count <= 100; count++) {
                int sum = 0;
                for (int rank = 0; rank < nodes; rank++) {
                    sum += FleetPlacement.part(count, nodes, rank);
                }
                assertThat(sum).as("%d over %d nodes", count, nodes).isEqualTo(count);
            }
        }
    }

    @Test
    void eachNodeHoldsItsPartAndWhenTheOwnerLeavesTheNextInTheOrderHoldsAll() {
        FunctionKey function = new FunctionKey("123456789012", "us-east-1", "warm");
        List<String> names = List.of("a", "b", "c");
        List<String> order = Rendezvous.order(Rendezvous.item("123456789012", "us-east-1", "warm", "1"), names);
        int total = 0;
        for (String node : names) {
            int here = new FleetPlacement(node, names, List::of).here(function, "1", 4);
            assertThat(here).isEqualTo(node.equals(order.get(0)) ? 4 : 0);
            total += here;
        }
        assertThat(total).isEqualTo(4);
        List<String> survivors =
                names.stream().filter(n -> !n.equals(order.get(0))).toList();
        assertThat(new FleetPlacement(order.get(1), survivors, List::of).here(function, "1", 4))
                .isEqualTo(4);
        assertThat(new FleetPlacement(order.get(2), survivors, List::of).here(function, "1", 4))
                .isZero();
    }

    @Test
    void aNodeHoldingProvisionedEnvironmentsKeepsItsPlaceUpToAsManyAsItHolds() {
        String item = "123456789012/us-east-1/big:1";
        List<FleetNode.Member> idle = PeerRouting.order(item, THREE, m -> 0);
        String first = idle.get(0).name();
        // loads 9, 0, 0: over the cap of 8, but the owner holds 10 of 30 provisioned environments
        ToIntFunction<FleetNode.Member> load = m -> m.name().equals(first) ? 9 : 0;
        assertThat(PeerRouting.order(item, THREE, load, 30).getFirst().name()).isEqualTo(first);
        assertThat(PeerRouting.order(item, THREE, load, 0).getFirst().name()).isNotEqualTo(first);
    }
}
