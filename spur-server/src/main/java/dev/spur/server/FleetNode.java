package dev.spur.server;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.spur.auth.ClusterKey;
import dev.spur.common.FunctionKey;
import dev.spur.common.Json;
import dev.spur.edge.FleetEdge;
import dev.spur.edge.PeerCalls;
import dev.spur.pools.ConcurrencyShare;
import dev.spur.pools.Pools;
import dev.spur.pools.ProvisionedStatus;
import dev.spur.store.Membership;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * This node as a member of a fleet: its row in the membership table ({@link Membership}), a heartbeat every
 * {@link #BEAT} carrying its load, the view of the live nodes that routing ({@link PeerRouting}) and the
 * concurrency shares read, and {@code GET /spur/v1/nodes}.
 *
 * <p>Design: one platform thread beats and then reads the whole table (a handful of rows) in the same
 * second, so the view is at most one beat old; a node is dead once its last beat is {@link #DEAD_AFTER} old
 * on the database's clock (three missed beats). Each time the set of live nodes changes, this node's share of
 * the concurrency limits is recomputed ({@link ConcurrencyShare}: rank by name among the live nodes).
 *
 * <p>Failure semantics: a beat that fails (database unreachable) is logged and retried at the next beat; the
 * view keeps its last reading meanwhile, and the others declare this node dead after {@link #DEAD_AFTER}. A
 * beat that finds the row taken by another start of the same name stops beating (that start is the node now).
 */
final class FleetNode implements FleetEdge, AutoCloseable {
    static final Duration BEAT = Duration.ofSeconds(1);
    static final Duration DEAD_AFTER = Duration.ofMillis(3_500);
    private static final Duration LOG_WAIT = Duration.ofSeconds(1);
    private static final System.Logger LOG = System.getLogger(FleetNode.class.getName());

    /**
     * A live node as routing sees it: where it is, its load at its last beat, and its part of each provisioned
     * configuration ({@link #provisionedKey}) as it reported it.
     */
    record Member(
            String name, URI advertise, int inFlight, Map<String, ProvisionedStatus> provisioned, String incarnation) {
        Member(String name, URI advertise, int inFlight) {
            this(name, advertise, inFlight, Map.of(), "");
        }
    }

    private final Membership membership;
    private final String name;
    private final String incarnation = UUID.randomUUID().toString();
    private final ClusterKey key;
    private final Pools pools;
    private final Supplier<Set<String>> polled;
    private volatile URI advertise;
    private volatile Thread beater;
    private volatile List<Member> live = List.of();
    /** Whether the provisioned environments have been placed since joining (the first reading places them). */
    private boolean placed;

    private volatile boolean closed;
    private final HttpClient logClient = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(LOG_WAIT)
            .build();
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** A node not yet {@link #join}ed: it answers peers' and {@code /spur/v1/nodes} requests, routes nothing. */
    FleetNode(Membership membership, String name, ClusterKey key, Pools pools, Supplier<Set<String>> polled) {
        this.membership = membership;
        this.name = name;
        this.key = key;
        this.pools = pools;
        this.polled = polled;
    }

    /**
     * Registers this node, reachable at {@code at}, and starts beating.
     *
     * @throws IllegalStateException if the database cannot be reached or another live node has this name
     */
    void join(URI at) {
        this.advertise = at;
        membership.register(name, incarnation, at, report(), DEAD_AFTER);
        this.live = List.of(new Member(name, at, 0));
        read();
        this.beater = Thread.ofPlatform().name("spur-fleet-beat").daemon().start(this::beatLoop);
    }

    String name() {
        return name;
    }

    URI advertise() {
        return advertise;
    }

    /** The live nodes at the last reading, this one included, by name. */
    List<Member> live() {
        return live;
    }

    /** Signs a peer request's {@link PeerCalls#message} with the fleet's key. */
    String sign(String message) {
        return key.sign(PeerCalls.PURPOSE, message);
    }

    @Override
    public String incarnation() {
        return incarnation;
    }

    @Override
    public boolean verifyPeer(String message, String signature) {
        return key.verify(PeerCalls.PURPOSE, message, signature);
    }

    @Override
    public List<byte[]> peerLogTails(FunctionKey function, int limit) {
        List<CompletableFuture<HttpResponse<byte[]>>> asked = new ArrayList<>();
        for (Member m : live) {
            if (m.name().equals(name)) {
                continue;
            }
            long issued = System.currentTimeMillis();
            String signature = key.sign(
                    PeerCalls.PURPOSE,
                    PeerCalls.logsMessage(name, function.account(), function.region(), function.name(), limit, issued));
            HttpRequest request = HttpRequest.newBuilder(URI.create(m.advertise()
                            + PeerCalls.LOGS_PREFIX
                            + URLEncoder.encode(function.name(), StandardCharsets.UTF_8)))
                    .timeout(LOG_WAIT)
                    .header(PeerCalls.HOP, name)
                    .header(PeerCalls.ACCOUNT, function.account())
                    .header(PeerCalls.REGION, function.region())
                    .header(PeerCalls.LIMIT, Integer.toString(limit))
                    .header(PeerCalls.ISSUED_MILLIS, Long.toString(issued))
                    .header(PeerCalls.SIGNATURE, signature)
                    .GET()
                    .build();
            asked.add(logClient.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()));
        }
        List<byte[]> tails = new ArrayList<>();
        for (CompletableFuture<HttpResponse<byte[]>> answer : asked) {
            try {
                HttpResponse<byte[]> r = answer.get(LOG_WAIT.toMillis() + 200, TimeUnit.MILLISECONDS);
                if (r.statusCode() == 200) {
                    tails.add(r.body());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                LOG.log(Level.WARNING, "a peer did not answer its log tail: " + e.getMessage());
            }
        }
        return tails;
    }

    @Override
    public String nodeName() {
        return name;
    }

    @Override
    public PeerAnswers askPeers(String operation, String account, String region, byte[] body, Duration wait) {
        Map<String, CompletableFuture<HttpResponse<byte[]>>> asked = new LinkedHashMap<>();
        for (Member m : live) {
            if (m.name().equals(name)) {
                continue;
            }
            long issued = System.currentTimeMillis();
            String signature = key.sign(
                    PeerCalls.PURPOSE, PeerCalls.logsApiMessage(name, account, region, operation, issued, body));
            HttpRequest request = HttpRequest.newBuilder(URI.create(m.advertise() + PeerCalls.LOGS_API_PATH))
                    .timeout(wait)
                    .header(PeerCalls.HOP, name)
                    .header(PeerCalls.ACCOUNT, account)
                    .header(PeerCalls.REGION, region)
                    .header(PeerCalls.OPERATION, operation)
                    .header(PeerCalls.ISSUED_MILLIS, Long.toString(issued))
                    .header(PeerCalls.SIGNATURE, signature)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            asked.put(m.name(), logClient.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()));
        }
        long deadline = System.nanoTime() + wait.toNanos();
        List<PeerAnswer> answers = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, CompletableFuture<HttpResponse<byte[]>>> e : asked.entrySet()) {
            try {
                HttpResponse<byte[]> r =
                        e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                answers.add(new PeerAnswer(e.getKey(), r.statusCode(), r.body()));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                missing.add(e.getKey());
            } catch (ExecutionException | TimeoutException failed) {
                e.getValue().cancel(true);
                missing.add(e.getKey());
                LOG.log(
                        Level.WARNING,
                        "node " + e.getKey() + " did not answer " + operation + " within " + wait.toMillis()
                                + " ms; answered without its logs: " + failed);
            }
        }
        return new PeerAnswers(answers, missing);
    }

    @Override
    public List<Map<String, Object>> nodes() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Membership.Node n : membership.nodes(DEAD_AFTER)) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("Name", n.name());
            node.put("Advertise", n.advertise().toString());
            node.put("State", n.state());
            node.put("Live", n.live());
            node.put("Self", n.name().equals(name));
            node.put("StartedAt", n.startedAt().toString());
            node.put("LastHeartbeat", n.heartbeatAt().toString());
            node.put("SinceHeartbeatMillis", n.sinceBeat().toMillis());
            node.put("Report", parse(n.report()));
            out.add(node);
        }
        return out;
    }

    private void beatLoop() {
        while (!closed) {
            try {
                // a latch, not an interrupt, ends the wait: an interrupt in a JDBC call breaks its connection
                if (stopped.await(BEAT.toMillis() + ThreadLocalRandom.current().nextLong(50), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            try {
                if (!membership.beat(name, incarnation, report())) {
                    LOG.log(
                            Level.ERROR,
                            "another start of node " + name + " took over its membership; this one "
                                    + "stops beating and will be treated as dead");
                    return;
                }
                read();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "heartbeat of node " + name + " failed; retrying: " + e.getMessage());
            }
        }
    }

    /** Reads the live nodes and, when they changed, recomputes this node's concurrency share. */
    private void read() {
        List<Member> now = new ArrayList<>();
        for (Membership.Node n : membership.nodes(DEAD_AFTER)) {
            if (n.live()) {
                Map<String, Object> report = parse(n.report());
                now.add(new Member(n.name(), n.advertise(), inFlight(report), provisioned(report), n.incarnation()));
            }
        }
        if (now.stream().noneMatch(m -> m.name().equals(name))) {
            now.add(new Member(name, advertise, pools.stats().inFlight())); // its own beat is late: still here
            now.sort((a, b) -> a.name().compareTo(b.name()));
        }
        List<String> before = live.stream().map(Member::name).toList();
        List<String> after = now.stream().map(Member::name).toList();
        live = List.copyOf(now);
        if (!before.equals(after) || before.size() == 1) {
            pools.shareConcurrency(share(after.indexOf(name), after.size()));
            if (!before.equals(after)) {
                LOG.log(Level.INFO, "fleet: live nodes " + after + " (this node " + name + ")");
            }
        }
        if (!placed || !before.equals(after)) {
            placed = true;
            pools.placeProvisioned(new FleetPlacement(name, after, this::live));
        }
    }

    /**
     * A node's share of every limit among {@code nodes} live nodes: its rank for the account pool; for a
     * function's reservation the rank is offset by the function (so the extra units of small reservations
     * do not all land on the first node).
     */
    static ConcurrencyShare share(int rank, int nodes) {
        if (nodes <= 1) {
            return ConcurrencyShare.WHOLE;
        }
        return new ConcurrencyShare() {
            @Override
            public int ofAccount(String account, int unreserved) {
                return ConcurrencyShare.part(unreserved, nodes, rank);
            }

            @Override
            public int ofReservation(FunctionKey function, int reserved) {
                int offset = Math.floorMod(function.hashCode(), nodes);
                return ConcurrencyShare.part(reserved, nodes, Math.floorMod(rank + offset, nodes));
            }
        };
    }

    private String report() {
        Pools.Stats s = pools.stats();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("InFlight", s.inFlight());
        r.put("LiveEnvironments", s.liveEnvironments());
        r.put("IdleEnvironments", s.idleEnvironments());
        r.put("MemoryUsedMb", s.memoryUsedMb());
        r.put("MemoryCapacityMb", pools.memoryCapacityMb());
        r.put("EnvironmentsStarted", s.environmentsStarted());
        r.put("WarmFunctions", pools.warmFunctions().size());
        r.put(
                "ProvisionedEnvironments",
                pools.provisionedEnvironments().stream()
                        .mapToInt(Pools.ProvisionedEnvironments::environments)
                        .sum());
        List<Map<String, Object>> provisioned = new ArrayList<>();
        pools.provisionedStatuses()
                .forEach((function, byQualifier) -> byQualifier.forEach((qualifier, status) -> {
                    Map<String, Object> part = new LinkedHashMap<>();
                    part.put("Key", provisionedKey(function, qualifier));
                    part.put("Requested", status.requested());
                    part.put("Allocated", status.allocated());
                    part.put("Status", status.status());
                    status.reason().ifPresent(reason -> part.put("Reason", reason));
                    provisioned.add(part);
                }));
        r.put("Provisioned", provisioned);
        r.put("PolledMappings", polled.get());
        try {
            return Json.MAPPER.writeValueAsString(r);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> parse(String report) {
        try {
            return Json.MAPPER.readValue(report, new TypeReference<Map<String, Object>>() {});
        } catch (IOException e) {
            return Map.of();
        }
    }

    private static int inFlight(Map<String, Object> report) {
        Object n = report.get("InFlight");
        return n instanceof Number number ? number.intValue() : 0;
    }

    /** A node's parts of the provisioned configurations, from its report. */
    private static Map<String, ProvisionedStatus> provisioned(Map<String, Object> report) {
        if (!(report.get("Provisioned") instanceof List<?> parts)) {
            return Map.of();
        }
        Map<String, ProvisionedStatus> out = new HashMap<>();
        for (Object o : parts) {
            if (o instanceof Map<?, ?> part
                    && part.get("Key") instanceof String key
                    && part.get("Requested") instanceof Number requested
                    && part.get("Allocated") instanceof Number allocated
                    && part.get("Status") instanceof String status) {
                Optional<String> reason = part.get("Reason") instanceof String r ? Optional.of(r) : Optional.empty();
                out.put(
                        key,
                        new ProvisionedStatus(
                                requested.intValue(), allocated.intValue(), allocated.intValue(), status, reason));
            }
        }
        return Map.copyOf(out);
    }

    /** How a node names a provisioned configuration in its report: {@code account/region/name:qualifier}. */
    static String provisionedKey(FunctionKey function, String qualifier) {
        return Rendezvous.item(function.account(), function.region(), function.name(), qualifier);
    }

    @Override
    public void close() {
        closed = true;
        logClient.close();
        Thread b = beater;
        if (b == null) {
            return;
        }
        stopped.countDown();
        try {
            b.join(5_000);
            membership.leave(name, incarnation);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot mark node " + name + " as left: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "FleetNode[" + name + " at " + Objects.toString(advertise) + "]";
    }
}
