package dev.spur.server;

import dev.spur.auth.ClusterKey;
import dev.spur.store.Database;
import java.util.Optional;

/**
 * Where the nodes of a fleet get their shared {@link ClusterKey} (it seals access keys' secrets and signs
 * requests between nodes), decided once per database:
 *
 * <ul>
 *   <li>given to every node ({@code $SPUR_CLUSTER_KEY}, e.g. from a Kubernetes Secret): the first node
 *       stores the key's check value in {@code cluster_settings}; a node given another key refuses to start
 *       (it could not open the keys the others sealed, nor talk to them);
 *   <li>given to none: the first node makes one and stores it in the database, and every node reads it
 *       there. Simple, and access keys are usable on every node — but whoever can read the database can
 *       then unseal their secrets, so give the key to the nodes for anything shared.
 * </ul>
 *
 * A fleet does not mix the two: a node given no key joining nodes that were given one refuses to start,
 * naming the variable.
 */
final class ClusterKeys {
    static final String CHECK = "cluster-key-check";
    static final String STORED = "cluster-key";

    private ClusterKeys() {}

    /** @throws IllegalStateException naming the remedy when this node's key is not the fleet's */
    static ClusterKey resolve(Database database, Optional<ClusterKey> configured) {
        if (configured.isPresent()) {
            ClusterKey key = configured.get();
            String check = database.clusterSetting(CHECK, key.checkValue());
            if (!check.equals(key.checkValue())) {
                throw new IllegalStateException("The cluster key given to this node ($SPUR_CLUSTER_KEY) is not the one "
                        + "the other nodes of " + database.describe() + " use: give every node the same key");
            }
            return key;
        }
        ClusterKey key = ClusterKey.parse(
                database.clusterSetting(STORED, ClusterKey.random().encoded()));
        String check = database.clusterSetting(CHECK, key.checkValue());
        if (!check.equals(key.checkValue())) {
            throw new IllegalStateException("The nodes of " + database.describe() + " are given their cluster key "
                    + "($SPUR_CLUSTER_KEY); give this node the same key");
        }
        return key;
    }
}
