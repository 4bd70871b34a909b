package dev.spur.edge;

import dev.spur.common.FunctionKey;
import java.time.Duration;
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

    /** This node's name in the fleet. */
    String nodeName();

    /**
     * Asks every other live node, in parallel, to answer one CloudWatch Logs operation from its own logs
     * ({@code POST} {@link PeerCalls#LOGS_API_PATH}, signed like a hop) and waits at most {@code wait} for all.
     *
     * <p>Failure semantics: the operations asked are reads, or writes that are idempotent on the node that
     * applies them, so nothing is retried; a node that cannot be reached or does not answer within
     * {@code wait} is named in {@link PeerAnswers#missing} and its answer is left out (never an error of the
     * whole call). A node that answers with an error is an answer: its status and body are returned.
     */
    PeerAnswers askPeers(String operation, String account, String region, byte[] body, Duration wait);

    /** One node's answer to {@link #askPeers}: its HTTP status and JSON body. */
    record PeerAnswer(String node, int status, byte[] body) {}

    /** The answers of the nodes that answered in time, and the names of those that did not. */
    record PeerAnswers(List<PeerAnswer> answers, List<String> missing) {
        public PeerAnswers {
            answers = List.copyOf(answers);
            missing = List.copyOf(missing);
        }
    }
    /**
     * This start of this node (a random id per process, as membership lists it): a retried hop names the start
     * it was meant for, so that a node that restarted does not run an invocation its previous start may have run.
     */
    String incarnation();
}
