package dev.spur.server;

import dev.spur.auth.ClusterKey;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * How a node takes part in a fleet of nodes sharing one PostgreSQL database ({@link SpurServer.Options#database()});
 * ignored without one.
 *
 * @param clusterKey the key every node is given ({@code $SPUR_CLUSTER_KEY}); empty: the key kept in the
 *                   database (see {@link ClusterKeys})
 * @param nodeName   this node's name, unique among live nodes: its identity in membership, in the hash that
 *                   routes functions to nodes, and as the owner of queue leases (default: the host name)
 * @param advertise  where the other nodes reach this one, {@code http://host:port} (default: the host name
 *                   and the port Spur listens on)
 * @param affinity   whether synchronous invocations go to the node that should hold their function warm (one
 *                   proxy hop); false: each node runs what it receives (for comparisons)
 */
public record Fleet(
        Optional<ClusterKey> clusterKey, Optional<String> nodeName, Optional<URI> advertise, boolean affinity) {
    /** Nothing given: defaults for all. */
    public static final Fleet NONE = new Fleet(Optional.empty(), Optional.empty(), Optional.empty(), true);

    public Fleet {
        Objects.requireNonNull(clusterKey, "clusterKey");
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(advertise, "advertise");
    }

    public Fleet withClusterKey(Optional<ClusterKey> key) {
        return new Fleet(key, nodeName, advertise, affinity);
    }

    public Fleet withNodeName(String name) {
        return new Fleet(clusterKey, Optional.of(name), advertise, affinity);
    }

    public Fleet withAdvertise(URI uri) {
        return new Fleet(clusterKey, nodeName, Optional.of(uri), affinity);
    }

    public Fleet withAffinity(boolean on) {
        return new Fleet(clusterKey, nodeName, advertise, on);
    }
}
