package dev.spur.edge;

import dev.spur.common.FunctionKey;
import java.util.List;
import java.util.Map;

/**
 * What the edge needs of the fleet a node belongs to (a node alone has none): the node list of {@code GET
 * /spur/v1/nodes}, the check that a request on the peer routes ({@link PeerCalls}) comes from a node of the
 * fleet, and the other nodes' lines of a function's log.
 */
public interface FleetEdge {

    /** Every node the membership table knows, live or not, as JSON-ready maps. */
    List<Map<String, Object>> nodes();

    /** Whether {@code signature} is the fleet's signature of {@code message} ({@link PeerCalls#message}). */
    boolean verifyPeer(String message, String signature);

    /**
     * The last {@code limit} bytes (whole lines) of a function's log on every other live node, one entry per
     * node that answered; a node that does not answer within a second is left out.
     */
    List<byte[]> peerLogTails(FunctionKey function, int limit);

    /**
     * This start of this node (a random id per process, as membership lists it): a retried hop names the start
     * it was meant for, so that a node that restarted does not run an invocation its previous start may have run.
     */
    String incarnation();
}
