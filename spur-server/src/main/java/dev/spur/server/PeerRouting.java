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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
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
 * <p>Failure semantics: if a request to a peer fails after it was sent (the peer died while running it, the
 * connection broke), the function may have run there; the caller gets 500 ServiceException naming the
 * node, and nothing runs it again. A peer's API error is passed on as it was (its type, message, reason).
 */
final class PeerRouting implements Routing, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PeerRouting.class.getName());
    static final double EPSILON = 0.25;
    static final int LOAD_FLOOR = 8;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration SUSPECT_FOR = Duration.ofSeconds(5);
    /** How much longer than the function's timeout a hop may take (the peer's own queueing, the wire). */
    private static final Duration HOP_MARGIN = Duration.ofSeconds(10);

    private final FleetNode fleet;
    private final Pools pools;
    private final InstantSource clock;
    private final HttpClient client;
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

    /** The nodes in the order this call tries them: rendezvous order, nodes at the load cap moved last. */
    List<FleetNode.Member> order(Call call, List<FleetNode.Member> live) {
        String item = call.function().account() + "/" + call.function().region() + "/"
                + call.function().name() + ":" + call.version();
        return order(item, live, this::load);
    }

    /**
     * {@code live} in the order an invocation of {@code item} ({@code account/region/name:version}) tries them:
     * highest rendezvous weight first, except that nodes whose {@code load} is at or above the {@link #cap} go
     * last (in their rendezvous order).
     */
    static List<FleetNode.Member> order(
            String item, List<FleetNode.Member> live, ToIntFunction<FleetNode.Member> load) {
        List<FleetNode.Member> ranked = new ArrayList<>(live);
        ranked.sort(Comparator.comparingLong((FleetNode.Member m) -> FleetNode.hash(m.name() + "\n" + item))
                .reversed());
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
            (loads[i] < cap ? under : over).add(ranked.get(i));
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

    /** One hop: the invocation to {@code node}, its answer back. */
    private InvokeResult send(FleetNode.Member node, Call call) throws InterruptedException {
        InvokeCommand command = call.command();
        String qualifier = call.qualifier().orElse("");
        long deadline = Duration.ofSeconds(call.timeoutSeconds()).toMillis();
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
                .timeout(Duration.ofMillis(deadline).plus(HOP_MARGIN))
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
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new NotSent(e);
        } catch (IOException e) {
            throw LambdaException.internal(
                    "The node " + node.name() + " running this invocation failed; the function may have run.", e);
        } finally {
            outstanding.decrementAndGet();
        }
        if (response.statusCode() == 503) {
            throw new NotSent(new IOException("node " + node.name() + " is draining (503)"));
        }
        return answer(node, response);
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
    }
}
