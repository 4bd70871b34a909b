package dev.spur.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.ErrorCode;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.edge.PeerCalls;
import dev.spur.invoke.InvokeCommand;
import dev.spur.invoke.InvokeResult;
import dev.spur.invoke.Routing;
import dev.spur.pools.Pools;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

/**
 * Routes a synchronous invocation to the node of the fleet that should hold its function version warm.
 *
 * <p>Order: rendezvous (highest-random-weight) hashing of {@code function:version} over the live nodes, so
 * every node computes the same order and a node's death moves only its own functions. Bounded loads: a node
 * whose load (invocations in flight: this node's own count now; a peer's from its last beat, or what this
 * node has in flight there if more) is at or above {@code max(8, ⌈(1+ε)·(total+1)/nodes⌉)}, ε = 0.25, is passed over, the walk going on
 * down the order; if every node is at the cap the first in the order takes it.
 *
 * <p>At most one hop: the entry node runs the invocation itself or sends it to one peer, which runs it
 * ({@link PeerCalls#HOP}); the peer never sends it on. The entry node may try the next node in the order
 * when a node refuses without running anything: a throttle (its share of a concurrency limit is used up) or
 * a connection that could not be opened (it is dead or gone, not yet declared so), or a 503 (it is draining:
 * it refuses new requests before it runs them). Peers are called over one
 * shared {@link HttpClient} (HTTP/1.1 keep-alive, so a hop costs a request on a warm connection).
 *
 * <p>Deadline: the hop says how long this node waits (the function's timeout + {@link #HOP_MARGIN}, less
 * {@link #WIRE}); the peer ends the invocation by then (a timeout, as Lambda answers one), so its answer arrives
 * before this node gives up on it.
 *
 * <p>Failure semantics: a connection that cannot be opened delivered nothing: the next node takes the call. An
 * attempt whose connection broke before a byte of the answer came back (a kept-alive connection the peer had
 * closed, or a peer that died after reading it) is retried once, on a new connection to the same node, and
 * the peer runs the retry only if it never received the first attempt in this start of its process (it keeps
 * the request ids it received); so a retry never runs an invocation twice. When that cannot be shown — the
 * peer refuses the retry, has restarted, or cannot be reached (it died: it may have died while running the
 * first attempt) — or the connection broke after the answer began, or the peer did not answer in time, the
 * function may have run there: the caller gets 500 ServiceException naming the node, and nothing runs it
 * again. A peer's API error is passed on as it was (its type, message, reason).
 */
final class PeerRouting implements Routing, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PeerRouting.class.getName());
    static final double EPSILON = 0.25;
    static final int LOAD_FLOOR = 8;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration SUSPECT_FOR = Duration.ofSeconds(5);
    /** How much longer than the function's timeout a hop may take (the peer's own queueing, the wire). */
    private static final Duration HOP_MARGIN = Duration.ofSeconds(10);
    /** What the wire may add to the peer's answer: the peer must end the invocation this long before the wait ends. */
    private static final Duration WIRE = Duration.ofSeconds(1);

    private final FleetNode fleet;
    private final Pools pools;
    private final InstantSource clock;
    private final HttpClient client;
    /** For the retries of hops that got no answer: a pool of its own, so a retry opens a new connection. */
    private final HttpClient retries;

    private final ConcurrentMap<String, AtomicInteger> sent = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Long> suspects = new ConcurrentHashMap<>();

    PeerRouting(FleetNode fleet, Pools pools, InstantSource clock) {
        this.fleet = fleet;
        this.pools = pools;
        this.clock = clock;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
        this.retries = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    @Override
    public InvokeResult route(Call call, Here here) throws InterruptedException {
        List<FleetNode.Member> live = fleet.live();
        if (live.size() <= 1) {
            return here.run();
        }
        LambdaException refused = null;
        for (FleetNode.Member node : order(call, live)) {
            if (suspect(node)) {
                continue;
            }
            try {
                return node.name().equals(fleet.name()) ? here.run() : send(node, call);
            } catch (LambdaException e) {
                if (e.code() != ErrorCode.TOO_MANY_REQUESTS) {
                    throw e;
                }
                refused = e; // its share is used up: the next node may have room
            } catch (NotSent e) {
                suspects.put(node.name(), System.nanoTime());
                LOG.log(
                        Level.WARNING,
                        "node " + node.name() + " cannot be reached; trying the next: " + e.getMessage());
            }
        }
        if (refused != null) {
            throw refused;
        }
        return here.run(); // every peer unreachable: this node serves
    }

    /**
     * The nodes in the order this call tries them: rendezvous order, nodes at the load cap moved last, except
     * that a node holding provisioned environments of the version stays in place up to as many as it holds.
     */
    List<FleetNode.Member> order(Call call, List<FleetNode.Member> live) {
        String item = Rendezvous.item(
                call.function().account(),
                call.function().region(),
                call.function().name(),
                call.version());
        int provisioned = pools.provisionedCount(call.function(), call.version());
        return order(item, live, this::load, provisioned);
    }

    /** As {@link #order(String, List, ToIntFunction, int)} for a version without provisioned environments. */
    static List<FleetNode.Member> order(
            String item, List<FleetNode.Member> live, ToIntFunction<FleetNode.Member> load) {
        return order(item, live, load, 0);
    }

    /**
     * {@code live} in the order an invocation of {@code item} ({@code account/region/name:version}) tries them:
     * highest rendezvous weight first, except that nodes whose {@code load} is at or above the {@link #cap} go
     * last (in their rendezvous order). A node that holds {@code k} of the version's {@code provisioned}
     * environments ({@link FleetPlacement}) is at its cap only at {@code max(cap, k)}: the environments it keeps
     * warm for the version are used before another node starts one.
     */
    static List<FleetNode.Member> order(
            String item, List<FleetNode.Member> live, ToIntFunction<FleetNode.Member> load, int provisioned) {
        Map<String, FleetNode.Member> byName = new HashMap<>();
        live.forEach(m -> byName.put(m.name(), m));
        List<FleetNode.Member> ranked = new ArrayList<>(live.size());
        for (String name : Rendezvous.order(item, byName.keySet())) {
            ranked.add(byName.get(name));
        }
        int total = 0;
        int[] loads = new int[ranked.size()];
        for (int i = 0; i < ranked.size(); i++) {
            loads[i] = load.applyAsInt(ranked.get(i));
            total += loads[i];
        }
        int cap = cap(total, ranked.size());
        List<FleetNode.Member> under = new ArrayList<>();
        List<FleetNode.Member> over = new ArrayList<>();
        for (int i = 0; i < ranked.size(); i++) {
            int room = Math.max(cap, FleetPlacement.part(provisioned, ranked.size(), i));
            (loads[i] < room ? under : over).add(ranked.get(i));
        }
        under.addAll(over);
        return under;
    }

    /**
     * Consistent hashing with bounded loads: no node above ⌈(1+ε)·mean⌉, the new call counted, but never below
     * {@link #LOAD_FLOOR}: while the fleet is nearly idle the cap would be 1 or 2 and every second concurrent call
     * of a function would start an environment on another node; balance matters once the nodes are busy.
     */
    static int cap(int total, int nodes) {
        return Math.max(LOAD_FLOOR, (int) Math.ceil((1 + EPSILON) * (total + 1) / nodes));
    }

    private int load(FleetNode.Member node) {
        if (node.name().equals(fleet.name())) {
            return pools.stats().inFlight();
        }
        AtomicInteger mine = sent.get(node.name());
        return Math.max(node.inFlight(), mine == null ? 0 : mine.get());
    }

    private boolean suspect(FleetNode.Member node) {
        Long since = suspects.get(node.name());
        if (since == null) {
            return false;
        }
        if (System.nanoTime() - since > SUSPECT_FOR.toNanos()) {
            suspects.remove(node.name(), since);
            return false;
        }
        return true;
    }

    /**
     * One hop: the invocation to {@code node}, its answer back; retried once when the first attempt got no answer
     * at all ({@link #retry}).
     */
    private InvokeResult send(FleetNode.Member node, Call call) throws InterruptedException {
        InvokeCommand command = call.command();
        String qualifier = call.qualifier().orElse("");
        Duration wait = Duration.ofSeconds(call.timeoutSeconds()).plus(HOP_MARGIN);
        // the peer must have answered before this node stops waiting: it ends the invocation by then
        long deadline = wait.minus(WIRE).toMillis();
        long issued = clock.millis();
        String message = PeerCalls.message(
                fleet.name(),
                call.function().account(),
                call.function().region(),
                call.function().name(),
                call.version(),
                qualifier,
                command.requestId(),
                deadline,
                issued,
                command.payload());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.advertise() + PeerCalls.PATH_PREFIX
                        + URLEncoder.encode(call.function().name(), StandardCharsets.UTF_8) + "/invocations"))
                .timeout(wait)
                .header(PeerCalls.HOP, fleet.name())
                .header(PeerCalls.ACCOUNT, call.function().account())
                .header(PeerCalls.REGION, call.function().region())
                .header(PeerCalls.VERSION, call.version())
                .header(PeerCalls.REQUEST_ID, command.requestId())
                .header(PeerCalls.DEADLINE_MILLIS, Long.toString(deadline))
                .header(PeerCalls.ISSUED_MILLIS, Long.toString(issued))
                .header(PeerCalls.SIGNATURE, fleet.sign(message))
                .POST(HttpRequest.BodyPublishers.ofByteArray(command.payload()));
        if (!qualifier.isEmpty()) {
            request.header(PeerCalls.QUALIFIER, qualifier);
        }
        command.logType().ifPresent(t -> request.header("X-Amz-Log-Type", t));
        command.clientContext().ifPresent(c -> request.header("X-Amz-Client-Context", c));
        AtomicInteger outstanding = sent.computeIfAbsent(node.name(), n -> new AtomicInteger());
        outstanding.incrementAndGet();
        HttpResponse<byte[]> response;
        try {
            try {
                response = exchange(client, request.build());
            } catch (NoAnswer e) {
                response = retry(node, request, e);
            }
        } finally {
            outstanding.decrementAndGet();
        }
        if (response.statusCode() == 503) {
            throw new NotSent(new IOException("node " + node.name() + " is draining (503)"));
        }
        return answer(node, response);
    }

    /**
     * The one retry of a hop whose first attempt got no answer: on a new connection (the first may have been a
     * kept-alive connection the peer had closed), to the same node, marked as a retry for the start of the node
     * the first was sent to. The peer runs it only if that first attempt never reached it ({@code FleetApi}); if
     * it did, or the node restarted, or cannot be reached now, the caller gets 500 and nothing runs it again:
     * only the peer can prove the first attempt was not delivered.
     */
    private HttpResponse<byte[]> retry(FleetNode.Member node, HttpRequest.Builder request, NoAnswer first)
            throws InterruptedException {
        LOG.log(
                Level.INFO,
                "hop to node " + node.name() + " got no answer (" + first.getMessage() + "); retrying once on a new "
                        + "connection");
        request.header(PeerCalls.ATTEMPT, "2").header(PeerCalls.INCARNATION, node.incarnation());
        try {
            return exchange(retries, request.build());
        } catch (NotSent e) {
            // it is gone: other calls skip it (their kept-alive connections to it are as stale as this one was)
            suspects.put(node.name(), System.nanoTime());
            throw LambdaException.internal(
                    "The node " + node.name() + " running this invocation failed; the function may have run.", e);
        } catch (NoAnswer e) {
            throw LambdaException.internal(
                    "The node " + node.name() + " running this invocation failed; the function may have run.", e);
        }
    }

    /**
     * One attempt. {@link NotSent}: no connection could be opened (nothing was delivered). {@link NoAnswer}: the
     * request may have been sent but not a byte of an answer came back. After the answer's headers, a broken
     * connection is a 500: the function ran or is running there.
     */
    private static HttpResponse<byte[]> exchange(HttpClient via, HttpRequest request) throws InterruptedException {
        AtomicBoolean answered = new AtomicBoolean();
        try {
            return via.send(request, info -> {
                answered.set(true);
                return HttpResponse.BodySubscribers.ofByteArray();
            });
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new NotSent(e);
        } catch (HttpTimeoutException e) {
            throw LambdaException.internal(
                    "The node running this invocation did not answer in time; the function may have run.", e);
        } catch (IOException e) {
            if (!answered.get()) {
                throw new NoAnswer(e);
            }
            throw LambdaException.internal("The node running this invocation failed; the function may have run.", e);
        }
    }

    private static InvokeResult answer(FleetNode.Member node, HttpResponse<byte[]> response) {
        int status = response.statusCode();
        if (status == 200 || status == 204) {
            return new InvokeResult(
                    status,
                    status == 204 ? new byte[0] : response.body(),
                    response.headers().firstValue("X-Amz-Function-Error"),
                    response.headers().firstValue("X-Amz-Log-Result"),
                    response.headers().firstValue("X-Amz-Executed-Version").orElse(null));
        }
        String type = response.headers().firstValue("x-amzn-ErrorType").orElse("");
        String message = "The node " + node.name() + " answered " + status;
        Optional<String> reason = Optional.empty();
        try {
            JsonNode body = Json.MAPPER.readTree(response.body());
            message = body.path("message").asText(message);
            reason = Optional.ofNullable(body.get("Reason")).map(JsonNode::asText);
        } catch (IOException | RuntimeException e) {
            // not JSON: keep the generic message
        }
        for (ErrorCode code : ErrorCode.values()) {
            if (code.type().equals(type)) {
                if (code == ErrorCode.TOO_MANY_REQUESTS) {
                    int retry = response.headers()
                            .firstValue("Retry-After")
                            .map(Integer::parseInt)
                            .orElse(1);
                    return throwing(LambdaException.throttled(reason.orElse("Rate Exceeded."), retry, message));
                }
                if (code == ErrorCode.SERVICE) {
                    return throwing(LambdaException.internal(message, null));
                }
                return throwing(LambdaException.of(code, "%s", message));
            }
        }
        return throwing(LambdaException.internal(message, null));
    }

    private static InvokeResult throwing(LambdaException e) {
        throw e;
    }

    /** An attempt whose connection broke before any byte of an answer: it may or may not have been delivered. */
    private static final class NoAnswer extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoAnswer(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** A hop that failed before the peer received anything: the next node may take the call. */
    private static final class NotSent extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotSent(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** Closes the peer connections. */
    @Override
    public void close() {
        client.close();
        retries.close();
    }
}
