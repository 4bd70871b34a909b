package dev.spur.server;

import dev.spur.common.FunctionKey;
import dev.spur.pools.ProvisionedPlacement;
import dev.spur.pools.ProvisionedStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where a fleet keeps provisioned environments: on the nodes routing sends the version to. A version's
 * {@code count} environments go down its rendezvous order ({@link Rendezvous}) in chunks of
 * {@code max(8, ⌈count/nodes⌉)}: the first node holds up to a chunk, the next the following chunk, and so on.
 * Routing sends a version to the first node until it reaches the load cap (at least 8 in flight), then to the
 * next: a small configuration sits whole on the node its invocations go to, a large one is spread over as many
 * nodes as it needs, each holding about what routing gives it. The parts add up to {@code count} exactly.
 *
 * <p>A placement is computed from one reading of the live nodes; a new reading with other names makes a new
 * placement ({@link FleetNode}), after which each node starts what it now holds and stops what it no longer
 * does. Until every node has read the change (≤ ~1 s after a node is declared dead, which takes 3.5 s) the
 * fleet may hold fewer (a dead node's part is gone) or, when a node joins, briefly more.
 */
final class FleetPlacement implements ProvisionedPlacement {
    private final String self;
    private final List<String> names;
    private final Supplier<List<FleetNode.Member>> live;

    /**
     * @param self  this node's name
     * @param names the live nodes' names at this reading (this node included)
     * @param live  the latest reading, with each node's report of what it holds
     */
    FleetPlacement(String self, List<String> names, Supplier<List<FleetNode.Member>> live) {
        this.self = self;
        this.names = List.copyOf(names);
        this.live = live;
    }

    @Override
    public int here(FunctionKey function, String version, int count) {
        String item = Rendezvous.item(function.account(), function.region(), function.name(), version);
        int rank = Rendezvous.order(item, names).indexOf(self);
        return rank < 0 ? 0 : part(count, names.size(), rank);
    }

    @Override
    public List<ProvisionedStatus> elsewhere(FunctionKey function, String qualifier) {
        String key = FleetNode.provisionedKey(function, qualifier);
        List<ProvisionedStatus> parts = new ArrayList<>();
        for (FleetNode.Member m : live.get()) {
            if (!m.name().equals(self)) {
                ProvisionedStatus s = m.provisioned().get(key);
                if (s != null) {
                    parts.add(s);
                }
            }
        }
        return parts;
    }

    /** The environments the node ranked {@code rank} (0 first) of {@code nodes} holds of {@code count}. */
    static int part(int count, int nodes, int rank) {
        int chunk = chunk(count, nodes);
        return Math.clamp((long) count - (long) chunk * rank, 0, chunk);
    }

    static int chunk(int count, int nodes) {
        return Math.max(PeerRouting.LOAD_FLOOR, (count + nodes - 1) / Math.max(1, nodes));
    }
}
