package dev.spur.edge;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The wire of one proxy hop between the nodes of a fleet: {@code POST /spur/v1/peer/functions/{name}/invocations}
 * with the function's account, region, the version the entry node resolved (so an alias's weighted pick is
 * made once), the caller's qualifier, the request id and the remaining deadline in headers, the event as the
 * body, and an HMAC of all of them under the fleet's cluster key. The receiving node runs the invocation
 * itself, never sends it on: {@link #HOP} marks the request as a hop, so a route cannot loop.
 */
public final class PeerCalls {
    public static final String PATH_PREFIX = "/spur/v1/peer/functions/";
    public static final String HOP = "X-Spur-Hop";
    public static final String ACCOUNT = "X-Spur-Account";
    public static final String REGION = "X-Spur-Region";
    public static final String VERSION = "X-Spur-Version";
    public static final String QUALIFIER = "X-Spur-Qualifier";
    public static final String REQUEST_ID = "X-Spur-Request-Id";
    public static final String DEADLINE_MILLIS = "X-Spur-Deadline-Ms";
    public static final String ISSUED_MILLIS = "X-Spur-Issued-Ms";
    public static final String SIGNATURE = "X-Spur-Signature";
    /** {@code 2} on the one retry of a hop whose first attempt got no answer ({@link #INCARNATION} required). */
    public static final String ATTEMPT = "X-Spur-Attempt";
    /** On a retry: the start of the receiving node the first attempt was sent to (membership's incarnation). */
    public static final String INCARNATION = "X-Spur-Incarnation";

    public static final String LOGS_PREFIX = "/spur/v1/peer/logs/";
    public static final String LIMIT = "X-Spur-Limit";
    /** Where a node asks a peer to answer one CloudWatch Logs operation from the peer's own logs. */
    public static final String LOGS_API_PATH = "/spur/v1/peer/logs-api";

    public static final String OPERATION = "X-Spur-Operation";
    /** The purpose the cluster key's signing key is derived for. */
    public static final String PURPOSE = "spur peer invoke";
    /** How far a hop's issue time may be from the receiver's clock. */
    public static final Duration SKEW = Duration.ofMinutes(5);

    private PeerCalls() {}

    /** The text signed for one hop: every header that decides what runs, and the body's SHA-256. */
    public static String message(
            String from,
            String account,
            String region,
            String function,
            String version,
            String qualifier,
            String requestId,
            long deadlineMillis,
            long issuedMillis,
            byte[] body) {
        return String.join(
                "\n",
                from,
                account,
                region,
                function,
                version,
                qualifier,
                requestId,
                Long.toString(deadlineMillis),
                Long.toString(issuedMillis),
                sha256(body));
    }

    /** The text signed for a request of a function's log tail from a peer. */
    public static String logsMessage(
            String from, String account, String region, String function, int limit, long issuedMillis) {
        return String.join(
                "\n", "logs", from, account, region, function, Integer.toString(limit), Long.toString(issuedMillis));
    }

    /** The text signed for one CloudWatch Logs operation a node asks a peer to answer from its own logs. */
    public static String logsApiMessage(
            String from, String account, String region, String operation, long issuedMillis, byte[] body) {
        return String.join(
                "\n", "logs-api", from, account, region, operation, Long.toString(issuedMillis), sha256(body));
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
