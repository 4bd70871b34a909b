package dev.spur.edge;

import static dev.spur.edge.LogsRequests.string;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Caller;
import dev.spur.common.Json;
import dev.spur.edge.FleetEdge.PeerAnswer;
import dev.spur.edge.FleetEdge.PeerAnswers;
import dev.spur.edge.LogsApi.GroupFacts;
import dev.spur.edge.LogsRequests.LogsError;
import dev.spur.logs.FunctionLog;
import dev.spur.logs.LogEvent;
import dev.spur.logs.LogFilter;
import dev.spur.logs.LogPage;
import dev.spur.logs.StreamSummary;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * CloudWatch Logs' operations answered for a whole fleet through any node. A function's log streams live on
 * the nodes that ran it (a stream is one environment, so streams never collide across nodes); the node asked
 * answers from its own logs and, in parallel, asks every other live node the same question about theirs
 * ({@link FleetEdge#askPeers}, signed like a hop, {@link #WAIT} at most), then merges:
 *
 * <ul>
 *   <li>{@code FilterLogEvents}: each node reads forward from its own position, at most the request's limit;
 *       the pages are merged by (timestamp, node name, position), taking from each node a prefix of its page
 *       in log order until the limit (or ~1 MB) is reached. {@code nextToken} is a fleet cursor: every node's
 *       position ({@code m/} + base64url of a JSON object, node name to position), each node continuing where
 *       its taken prefix ended, so a follow loop sees every line once; it is returned while any node has more.
 *       Event ids are {@code <node>:<position>}, unique across the fleet.
 *   <li>{@code GetLogEvents}: a stream lives on one node; the node that has it answers (its tokens are its
 *       positions, and the next page finds it the same way).
 *   <li>{@code DescribeLogStreams}: the union of every node's streams; {@code DescribeLogGroups}: every
 *       node's groups, bytes summed, creation time the oldest.
 *   <li>Retention and {@code DeleteLogGroup} apply on every node that has the group.
 * </ul>
 *
 * <p>Failure semantics: a node that does not answer within {@link #WAIT} (dead, slow, unreachable) is skipped,
 * never an error of the whole call: it is named in the server log and in the answer's
 * {@value #MISSING_HEADER} header, and its position in a cursor is carried on unchanged, so its lines are read
 * on a later page once it answers again (a follow loop that had moved its start time past them misses them,
 * as it misses late events on one node). A write applied on some nodes and not on a skipped one stays so
 * until asked again.
 */
final class LogsFleet {
    static final Duration WAIT = Duration.ofSeconds(2);
    static final String MISSING_HEADER = "x-spur-missing-nodes";
    static final String FILTER_LOCAL = "Spur.FilterLocal";
    static final String GROUPS_LOCAL = "Spur.Groups";
    static final String STREAMS_LOCAL = "Spur.Streams";
    private static final String CURSOR_MEMBER = "spurCursor";
    private static final String CURSOR = "m/";
    private static final String NOT_FOUND = "ResourceNotFoundException";
    private static final int MAX_BYTES = 1 << 20;
    private static final System.Logger LOG = System.getLogger(LogsFleet.class.getName());

    private final FleetEdge fleet;
    private final LogsApi local;

    LogsFleet(FleetEdge fleet, LogsApi local) {
        this.fleet = fleet;
        this.local = local;
    }

    /** The answer for the fleet, and the nodes left out of it. */
    record Answer(ObjectNode out, List<String> missing) {}

    Answer answer(Caller caller, String operation, JsonNode in) throws IOException {
        return switch (operation) {
            case "FilterLogEvents" -> filter(caller, in);
            case "GetLogEvents" -> getLogEvents(caller, in);
            case "DescribeLogGroups" -> groups(caller, in);
            case "DescribeLogStreams" -> streams(caller, in);
            case "PutRetentionPolicy", "DeleteRetentionPolicy", "DeleteLogGroup" -> everywhere(caller, operation, in);
            default -> new Answer(local.local(caller, operation, in), List.of());
        };
    }

    /** A peer's question about this node's own logs: the public operations, and the three partial reads. */
    ObjectNode peerLocal(Caller caller, String operation, JsonNode in) throws IOException {
        return switch (operation) {
            case FILTER_LOCAL -> {
                Map<String, Long> cursor = Json.MAPPER.convertValue(in.path(CURSOR_MEMBER), POSITIONS);
                long from = cursor == null ? 0 : cursor.getOrDefault(fleet.nodeName(), 0L);
                yield page(local.existingGroup(caller, in).filter(LogsApi.filter(in, from)));
            }
            case GROUPS_LOCAL -> {
                ObjectNode out = Json.MAPPER.createObjectNode();
                ArrayNode groups = out.putArray("groups");
                local.localGroups(caller).forEach((name, g) -> {
                    ObjectNode node = groups.addObject().put("name", name).put("storedBytes", g.storedBytes());
                    g.created().ifPresent(t -> node.put("created", t));
                    g.retention().ifPresent(d -> node.put("retention", d));
                });
                yield out;
            }
            case STREAMS_LOCAL -> {
                ObjectNode out = Json.MAPPER.createObjectNode();
                ArrayNode streams = out.putArray("streams");
                local.existingGroup(caller, in)
                        .streams()
                        .forEach((name, s) -> streams.addObject()
                                .put("name", name)
                                .put("first", s.first())
                                .put("last", s.last())
                                .put("bytes", s.bytes()));
                yield out;
            }
            default -> local.local(caller, operation, in);
        };
    }

    private static final TypeReference<TreeMap<String, Long>> POSITIONS = new TypeReference<>() {};

    // ---- FilterLogEvents

    /** One node's page: its events in log order, where it stopped, the end it saw, where it started. */
    record Part(String node, List<LogEvent> events, OptionalLong next, long end, long from) {}

    private Answer filter(Caller caller, JsonNode in) throws IOException {
        Map<String, Long> cursor = cursor(string(in, "nextToken"));
        Read read = read(caller, in, cursor);
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode events = out.putArray("events");
        for (Picked p : read.merged().events()) {
            LogsApi.event(events.addObject().put("logStreamName", p.event().stream()), p.event())
                    .put("eventId", p.node() + ":" + p.event().position());
        }
        out.putArray("searchedLogStreams");
        if (read.merged().more()) {
            out.put("nextToken", token(read.merged().next()));
        }
        return new Answer(out, read.missing());
    }

    /** An event and the node whose log holds it. */
    record Picked(String node, LogEvent event) {}

    /** A merged page: events by time, the cursor after them (every node's position), whether any node has more. */
    record Merged(List<Picked> events, Map<String, Long> next, boolean more) {}

    private record Read(Merged merged, List<String> missing) {}

    /**
     * The fleet's events of {@code group} timed from {@code startTime}, after {@code cursor}: for the console's
     * live log, which keeps the cursor (always returned) and asks again.
     *
     * @throws LogsError ResourceNotFoundException when no node has the group
     */
    Merged follow(Caller caller, String group, long startTime, Map<String, Long> cursor) throws IOException {
        ObjectNode in =
                Json.MAPPER.createObjectNode().put("logGroupName", group).put("startTime", startTime);
        return read(caller, in, cursor).merged();
    }

    private Read read(Caller caller, JsonNode in, Map<String, Long> cursor) throws IOException {
        String self = fleet.nodeName();
        LogFilter mine = LogsApi.filter(in, cursor.getOrDefault(self, 0L)); // refuses a malformed request first
        ObjectNode asked = in.deepCopy();
        asked.remove("nextToken");
        asked.set(CURSOR_MEMBER, Json.MAPPER.valueToTree(cursor));
        CompletableFuture<PeerAnswers> peers = ask(FILTER_LOCAL, caller, asked);
        List<Part> parts = new ArrayList<>();
        boolean found = false;
        Optional<FunctionLog> log = group(caller, in);
        if (log.isPresent()) {
            found = true;
            LogPage page = log.get().filter(mine);
            parts.add(new Part(self, page.events(), page.next(), page.end(), mine.from()));
        }
        PeerAnswers answers = join(peers);
        for (PeerAnswer a : answers.answers()) {
            JsonNode body = body(a, FILTER_LOCAL);
            if (body != null) {
                found = true;
                parts.add(part(a.node(), body, cursor.getOrDefault(a.node(), 0L)));
            }
        }
        if (!found) {
            throw notFound("The specified log group does not exist.");
        }
        return new Read(merge(parts, mine.limit(), cursor), answers.missing());
    }

    /** The fleet's page: a prefix of each node's page, by time, and the cursor after it. */
    static Merged merge(List<Part> parts, int limit, Map<String, Long> before) {
        parts.sort(Comparator.comparing(Part::node));
        int[] taken = new int[parts.size()];
        List<Integer> order = new ArrayList<>();
        int bytes = 0;
        while (order.size() < limit && bytes < MAX_BYTES) {
            int best = -1;
            for (int i = 0; i < parts.size(); i++) {
                if (taken[i] < parts.get(i).events().size()
                        && (best < 0 || earlier(parts.get(i), taken[i], parts.get(best), taken[best]))) {
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            LogEvent e = parts.get(best).events().get(taken[best]++);
            order.add(best);
            bytes += e.message().length() + 26;
        }
        List<Picked> picked = new ArrayList<>();
        int[] emitted = new int[parts.size()];
        for (int i : order) {
            picked.add(new Picked(parts.get(i).node(), parts.get(i).events().get(emitted[i]++)));
        }
        picked.sort(Comparator.comparingLong((Picked p) -> p.event().timestamp())
                .thenComparing(Picked::node)
                .thenComparingLong(p -> p.event().position()));
        Map<String, Long> next = new TreeMap<>(before); // a node that did not answer keeps its position
        boolean more = false;
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            if (taken[i] == p.events().size()) {
                next.put(p.node(), p.next().orElse(p.end()));
                more |= p.next().isPresent();
            } else {
                next.put(
                        p.node(),
                        taken[i] == 0 ? p.from() : p.events().get(taken[i] - 1).next());
                more = true;
            }
        }
        return new Merged(picked, next, more);
    }

    private static boolean earlier(Part a, int i, Part b, int j) {
        LogEvent x = a.events().get(i);
        LogEvent y = b.events().get(j);
        if (x.timestamp() != y.timestamp()) {
            return x.timestamp() < y.timestamp();
        }
        int byNode = a.node().compareTo(b.node());
        return byNode != 0 ? byNode < 0 : x.position() < y.position();
    }

    private static ObjectNode page(LogPage page) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode events = out.putArray("events");
        for (LogEvent e : page.events()) {
            events.addObject()
                    .put("s", e.stream())
                    .put("t", e.timestamp())
                    .put("m", e.message())
                    .put("p", e.position())
                    .put("n", e.next());
        }
        page.next().ifPresent(n -> out.put("next", n));
        out.put("end", page.end());
        return out;
    }

    private static Part part(String node, JsonNode body, long from) {
        List<LogEvent> events = new ArrayList<>();
        for (JsonNode e : body.path("events")) {
            events.add(new LogEvent(
                    e.path("s").asText(),
                    e.path("t").asLong(),
                    e.path("m").asText(),
                    e.path("p").asLong(),
                    e.path("n").asLong()));
        }
        OptionalLong next =
                body.hasNonNull("next") ? OptionalLong.of(body.get("next").asLong()) : OptionalLong.empty();
        return new Part(node, events, next, body.path("end").asLong(from), from);
    }

    /** The per-node positions of a fleet cursor; none for no token. */
    static Map<String, Long> cursor(String token) {
        if (token == null) {
            return new TreeMap<>();
        }
        if (token.startsWith(CURSOR)) {
            try {
                TreeMap<String, Long> positions = Json.MAPPER.readValue(
                        Base64.getUrlDecoder().decode(token.substring(CURSOR.length())), POSITIONS);
                if (positions != null && positions.values().stream().allMatch(p -> p != null && p >= 0)) {
                    return positions;
                }
            } catch (IOException | IllegalArgumentException e) {
                // answered below
            }
        }
        throw LogsRequests.invalid("The specified nextToken is invalid.");
    }

    static String token(Map<String, Long> positions) {
        try {
            return CURSOR
                    + Base64.getUrlEncoder().withoutPadding().encodeToString(Json.MAPPER.writeValueAsBytes(positions));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the other operations

    private Answer getLogEvents(Caller caller, JsonNode in) throws IOException {
        try {
            return new Answer(local.local(caller, "GetLogEvents", in), List.of());
        } catch (LogsError e) {
            if (!NOT_FOUND.equals(e.type)) {
                throw e;
            }
            PeerAnswers answers = join(ask("GetLogEvents", caller, in));
            for (PeerAnswer a : answers.answers()) {
                JsonNode body = body(a, "GetLogEvents");
                if (body != null) {
                    return new Answer((ObjectNode) body, answers.missing());
                }
            }
            throw e;
        }
    }

    private Answer streams(Caller caller, JsonNode in) throws IOException {
        CompletableFuture<PeerAnswers> peers = ask(STREAMS_LOCAL, caller, in);
        Map<String, StreamSummary> all = new HashMap<>();
        Optional<FunctionLog> log = group(caller, in);
        boolean found = log.isPresent();
        log.ifPresent(l -> all.putAll(l.streams()));
        PeerAnswers answers = join(peers);
        for (PeerAnswer a : answers.answers()) {
            JsonNode body = body(a, STREAMS_LOCAL);
            if (body != null) {
                found = true;
                for (JsonNode s : body.path("streams")) {
                    StreamSummary summary = new StreamSummary(
                            s.path("first").asLong(),
                            s.path("last").asLong(),
                            s.path("bytes").asLong());
                    all.merge(
                            s.path("name").asText(),
                            summary,
                            (x, y) -> new StreamSummary(
                                    Math.min(x.first(), y.first()),
                                    Math.max(x.last(), y.last()),
                                    x.bytes() + y.bytes()));
                }
            }
        }
        if (!found) {
            throw notFound("The specified log group does not exist.");
        }
        return new Answer(local.describeLogStreams(caller, in, all), answers.missing());
    }

    private Answer groups(Caller caller, JsonNode in) throws IOException {
        CompletableFuture<PeerAnswers> peers = ask(GROUPS_LOCAL, caller, Json.MAPPER.createObjectNode());
        Map<String, GroupFacts> all = new HashMap<>(local.localGroups(caller));
        PeerAnswers answers = join(peers);
        for (PeerAnswer a : answers.answers()) {
            JsonNode body = body(a, GROUPS_LOCAL);
            if (body != null) {
                for (JsonNode g : body.path("groups")) {
                    GroupFacts facts = new GroupFacts(
                            g.hasNonNull("created")
                                    ? OptionalLong.of(g.get("created").asLong())
                                    : OptionalLong.empty(),
                            g.hasNonNull("retention")
                                    ? OptionalInt.of(g.get("retention").asInt())
                                    : OptionalInt.empty(),
                            g.path("storedBytes").asLong());
                    all.merge(g.path("name").asText(), facts, GroupFacts::plus);
                }
            }
        }
        return new Answer(local.describeLogGroups(caller, in, all), answers.missing());
    }

    /** A write applied on every node that has the group; not found only when no node has it. */
    private Answer everywhere(Caller caller, String operation, JsonNode in) throws IOException {
        LogsError notFound = null;
        ObjectNode out = null;
        try {
            out = local.local(caller, operation, in);
        } catch (LogsError e) {
            if (!NOT_FOUND.equals(e.type)) {
                throw e;
            }
            notFound = e;
        }
        PeerAnswers answers = join(ask(operation, caller, in));
        for (PeerAnswer a : answers.answers()) {
            JsonNode body = body(a, operation);
            if (body != null && out == null) {
                out = (ObjectNode) body;
            }
        }
        if (out == null) {
            throw notFound;
        }
        return new Answer(out, answers.missing());
    }

    // ---- asking the peers

    private Optional<FunctionLog> group(Caller caller, JsonNode in) {
        try {
            return Optional.of(local.existingGroup(caller, in));
        } catch (LogsError e) {
            if (NOT_FOUND.equals(e.type)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private CompletableFuture<PeerAnswers> ask(String operation, Caller caller, JsonNode in) throws IOException {
        byte[] body = Json.MAPPER.writeValueAsBytes(in);
        return CompletableFuture.supplyAsync(
                () -> fleet.askPeers(operation, caller.account(), caller.region(), body, WAIT),
                command -> Thread.ofVirtual().name("spur-logs-fleet").start(command));
    }

    private static PeerAnswers join(CompletableFuture<PeerAnswers> answers) throws IOException {
        try {
            return answers.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking the fleet's nodes", e);
        } catch (ExecutionException e) {
            throw new IOException("asking the fleet's nodes failed", e.getCause());
        }
    }

    /** A peer's answer body, or null when it has nothing (the group or stream is not there, or it failed). */
    private static JsonNode body(PeerAnswer a, String operation) {
        try {
            JsonNode body = Json.MAPPER.readTree(a.body());
            if (a.status() == 200 && body != null && body.isObject()) {
                return body;
            }
            if (body == null || !NOT_FOUND.equals(body.path("__type").asText())) {
                LOG.log(
                        Level.WARNING,
                        "node " + a.node() + " answered " + operation + " with " + a.status() + ": "
                                + new String(a.body(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "node " + a.node() + " answered " + operation + " with a malformed body: " + e);
        }
        return null;
    }

    private static LogsError notFound(String message) {
        return new LogsError(400, NOT_FOUND, message);
    }
}
