package dev.spur.edge;

import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionKey;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.invoke.InvokeCommand;
import dev.spur.invoke.InvokeResult;
import dev.spur.invoke.Invoker;
import dev.spur.logs.LogStore;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A fleet's routes: {@code GET /spur/v1/nodes} (membership, for {@code spur nodes}), the peer route a node
 * sends a synchronous invocation to when this node should hold its function warm ({@link PeerCalls}), and the
 * peer route that answers this node's tail of a function's log. A peer
 * request whose signature does not verify is refused with 403 and runs nothing.
 *
 * <p>Retried hops ({@link PeerCalls#ATTEMPT} 2): the sending node retries a hop once when its first attempt got
 * no answer at all (the connection broke before any response header). This node remembers the request ids of
 * the last {@value #RECEIPTS} hops it received (this process only). A retry runs only if it is meant for this
 * start of the node ({@link PeerCalls#INCARNATION}) and its request id was never received here: then the first
 * attempt provably never reached this process, and nothing ran. Otherwise it answers 500 without running
 * anything ("the first attempt reached this node" or "another start of this node"), and the sending node
 * passes that on: the function may have run once, it never runs twice.
 */
final class FleetApi implements EdgeApi {
    private final FleetEdge fleet;
    private final Invoker invoker;
    private final Authentication auth;
    private final InstantSource clock;
    private final LogStore logs;
    private final LogsApi logsApi;
    /** Request ids of the hops this process received, oldest first, at most {@link #RECEIPTS}. */
    private final Map<String, Boolean> received = new LinkedHashMap<>(1024, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > RECEIPTS;
        }
    };

    /** How many hops' request ids this node remembers to refuse a retry of one it received. */
    static final int RECEIPTS = 65_536;

    FleetApi(
            FleetEdge fleet,
            Invoker invoker,
            Authentication auth,
            InstantSource clock,
            LogStore logs,
            LogsApi logsApi) {
        this.fleet = fleet;
        this.invoker = invoker;
        this.auth = auth;
        this.clock = clock;
        this.logs = logs;
        this.logsApi = logsApi;
    }

    @Override
    public void register(Router router) {
        router.add("GET", "/spur/v1/nodes", this::nodes)
                .add("POST", PeerCalls.PATH_PREFIX + "{name}/invocations", this::peerInvoke)
                .add("GET", PeerCalls.LOGS_PREFIX + "{name}", this::peerLogs)
                .add("POST", PeerCalls.LOGS_API_PATH, this::peerLogsApi);
    }

    private void nodes(Exchange x) {
        String requestId = RequestIds.next();
        try {
            auth.caller(x, x.body(0));
            x.send(200, Map.of(), "application/json", Json.MAPPER.writeValueAsBytes(Map.of("Nodes", fleet.nodes())));
        } catch (Throwable t) {
            WireErrors.send(x, requestId, t);
        }
    }

    /**
     * Records a hop's request id; refuses a retry ({@link PeerCalls#ATTEMPT} 2) of one this process may have run:
     * one meant for another start of this node, or one whose first attempt reached this process.
     */
    private void receive(Exchange x, String requestId) {
        boolean retry = x.header(PeerCalls.ATTEMPT).map("2"::equals).orElse(false);
        boolean first;
        synchronized (received) {
            first = received.putIfAbsent(requestId, Boolean.TRUE) == null;
        }
        if (!retry) {
            return;
        }
        if (!x.header(PeerCalls.INCARNATION).orElse("").equals(fleet.incarnation())) {
            throw LambdaException.internal(
                    "The node that received the first attempt of this invocation has restarted since; the function "
                            + "may have run.",
                    null);
        }
        if (!first) {
            throw LambdaException.internal(
                    "The first attempt of this invocation reached this node; the function may have run.", null);
        }
    }

    /** Runs here the invocation another node of the fleet resolved and sent: no further hop. */
    private void peerInvoke(Exchange x) {
        String requestId = x.header(PeerCalls.REQUEST_ID).orElseGet(RequestIds::next);
        try {
            byte[] body = x.body(Invoker.MAX_REQUEST_PAYLOAD);
            String from = required(x, PeerCalls.HOP);
            String account = required(x, PeerCalls.ACCOUNT);
            String region = required(x, PeerCalls.REGION);
            String version = required(x, PeerCalls.VERSION);
            String qualifier = x.header(PeerCalls.QUALIFIER).orElse("");
            long deadline = Long.parseLong(required(x, PeerCalls.DEADLINE_MILLIS));
            long issued = Long.parseLong(required(x, PeerCalls.ISSUED_MILLIS));
            String name = x.pathParameter("name");
            String message = PeerCalls.message(
                    from, account, region, name, version, qualifier, requestId, deadline, issued, body);
            if (!fleet.verifyPeer(message, x.header(PeerCalls.SIGNATURE).orElse(""))
                    || Math.abs(clock.millis() - issued) > PeerCalls.SKEW.toMillis()) {
                throw LambdaException.of(
                        ErrorCode.ACCESS_DENIED, "This peer request is not signed with the fleet's cluster key.");
            }
            receive(x, requestId);
            if (deadline <= 0) {
                throw LambdaException.invalid("the peer request's deadline must be positive: %d ms", deadline);
            }
            // The sending node stops waiting `deadline` ms after it sent this: the invocation must end by then.
            long notAfter = clock.millis() + deadline;
            InvokeResult result = invoker.invokeHere(
                    new InvokeCommand(
                            new Caller(account, region),
                            name,
                            qualifier.isEmpty() ? Optional.empty() : Optional.of(qualifier),
                            Optional.empty(),
                            x.header("X-Amz-Log-Type"),
                            x.header("X-Amz-Client-Context"),
                            body,
                            body.length,
                            requestId),
                    Optional.of(version),
                    notAfter);
            Map<String, String> headers = new LinkedHashMap<>(4);
            headers.put("x-amzn-RequestId", requestId);
            if (result.executedVersion() != null) {
                headers.put("X-Amz-Executed-Version", result.executedVersion());
            }
            result.functionError().ifPresent(e -> headers.put("X-Amz-Function-Error", e));
            result.logResult().ifPresent(l -> headers.put("X-Amz-Log-Result", l));
            x.send(result.status(), headers, "application/json", result.status() == 204 ? null : result.payload());
        } catch (NumberFormatException e) {
            WireErrors.send(x, requestId, LambdaException.invalid("malformed peer request headers"));
        } catch (Throwable t) {
            WireErrors.send(x, requestId, t);
        }
    }

    /** This node's tail of a function's log, for the peer that serves {@code spur logs}. */
    private void peerLogs(Exchange x) {
        String requestId = RequestIds.next();
        try {
            String from = required(x, PeerCalls.HOP);
            String account = required(x, PeerCalls.ACCOUNT);
            String region = required(x, PeerCalls.REGION);
            int limit = Integer.parseInt(required(x, PeerCalls.LIMIT));
            long issued = Long.parseLong(required(x, PeerCalls.ISSUED_MILLIS));
            String name = x.pathParameter("name");
            if (!fleet.verifyPeer(
                            PeerCalls.logsMessage(from, account, region, name, limit, issued),
                            x.header(PeerCalls.SIGNATURE).orElse(""))
                    || Math.abs(clock.millis() - issued) > PeerCalls.SKEW.toMillis()) {
                throw LambdaException.of(
                        ErrorCode.ACCESS_DENIED, "This peer request is not signed with the fleet's cluster key.");
            }
            byte[] tail = SpurApi.tail(logs.of(new FunctionKey(account, region, name)), limit);
            x.send(200, Map.of(), "text/plain; charset=utf-8", tail);
        } catch (NumberFormatException e) {
            WireErrors.send(x, requestId, LambdaException.invalid("malformed peer request headers"));
        } catch (Throwable t) {
            WireErrors.send(x, requestId, t);
        }
    }

    /** One CloudWatch Logs operation answered from this node's own logs, for the peer serving the fleet's. */
    private void peerLogsApi(Exchange x) {
        String requestId = RequestIds.next();
        try {
            byte[] body = x.body(1 << 20);
            String from = required(x, PeerCalls.HOP);
            String account = required(x, PeerCalls.ACCOUNT);
            String region = required(x, PeerCalls.REGION);
            String operation = required(x, PeerCalls.OPERATION);
            long issued = Long.parseLong(required(x, PeerCalls.ISSUED_MILLIS));
            if (!fleet.verifyPeer(
                            PeerCalls.logsApiMessage(from, account, region, operation, issued, body),
                            x.header(PeerCalls.SIGNATURE).orElse(""))
                    || Math.abs(clock.millis() - issued) > PeerCalls.SKEW.toMillis()) {
                throw LambdaException.of(
                        ErrorCode.ACCESS_DENIED, "This peer request is not signed with the fleet's cluster key.");
            }
            logsApi.answerPeer(x, new Caller(account, region), operation, body);
        } catch (NumberFormatException e) {
            WireErrors.send(x, requestId, LambdaException.invalid("malformed peer request headers"));
        } catch (Throwable t) {
            WireErrors.send(x, requestId, t);
        }
    }

    private static String required(Exchange x, String header) {
        return x.header(header)
                .orElseThrow(() -> LambdaException.invalid("a peer request needs the header %s", header));
    }
}
