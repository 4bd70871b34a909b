package dev.spur.server;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Rendezvous (highest-random-weight) hashing, as a fleet uses it: the order in which nodes take an item
 * ({@code account/region/name:version}) is the nodes sorted by a stable hash of {@code node + "\n" + item},
 * highest first. Every node computes the same order from the same names, and a node that leaves moves only the
 * items it was first for. Routing ({@link PeerRouting}) and the placement of provisioned environments
 * ({@link FleetPlacement}) use the same order, so invocations go where the environments are.
 */
public final class Rendezvous {
    private Rendezvous() {}

    /** {@code nodes} in the order they take {@code item}. */
    public static List<String> order(String item, Collection<String> nodes) {
        List<String> ranked = new ArrayList<>(nodes);
        ranked.sort(
                Comparator.comparingLong((String node) -> weight(node, item)).reversed());
        return ranked;
    }

    /** The item a function version is placed and routed by. */
    public static String item(String account, String region, String name, String version) {
        return account + "/" + region + "/" + name + ":" + version;
    }

    static long weight(String node, String item) {
        return hash(node + "\n" + item);
    }

    /** A stable 64-bit hash (FNV-1a, then a finaliser); equal on every node. */
    static long hash(String text) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < text.length(); i++) {
            h ^= text.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
