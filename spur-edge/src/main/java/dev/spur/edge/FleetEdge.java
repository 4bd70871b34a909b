package dev.spur.edge;

import java.util.List;
import java.util.Map;

/**
 * What the edge needs of the fleet a node belongs to (a node alone has none): the node list of {@code GET
 * /spur/v1/nodes}, and the check that a request on the peer route ({@link PeerCalls}) comes from a node of the
 * fleet.
 */
public interface FleetEdge {

    /** Every node the membership table knows, live or not, as JSON-ready maps. */
    List<Map<String, Object>> nodes();

    /** Whether {@code signature} is the fleet's signature of {@code message} ({@link PeerCalls#message}). */
    boolean verifyPeer(String message, String signature);
}
