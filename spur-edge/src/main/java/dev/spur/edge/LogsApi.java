package dev.spur.edge;

import static dev.spur.edge.LogsRequests.bool;
import static dev.spur.edge.LogsRequests.describeLimit;
import static dev.spur.edge.LogsRequests.groupName;
import static dev.spur.edge.LogsRequests.invalid;
import static dev.spur.edge.LogsRequests.limit;
import static dev.spur.edge.LogsRequests.position;
import static dev.spur.edge.LogsRequests.string;
import static dev.spur.edge.LogsRequests.strings;
import static dev.spur.edge.LogsRequests.timestamp;
import static dev.spur.edge.LogsRequests.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.edge.LogsRequests.LogsError;
import dev.spur.logs.FilterPattern;
import dev.spur.logs.FunctionLog;
import dev.spur.logs.LogEvent;
import dev.spur.logs.LogFilter;
import dev.spur.logs.LogPage;
import dev.spur.logs.LogStore;
import dev.spur.logs.StreamSummary;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;

/**
 * CloudWatch Logs' API on Spur's port, the subset that reads Lambda's logs: the JSON 1.1 protocol
 * ({@code POST /}, {@code X-Amz-Target: Logs_20140328.<Operation>}, SigV4 service {@code logs}),
 * shapes and error codes as in the service model. Every group is looked up in the caller's account
 * and region only.
 *
 * <p>Tokens: {@code FilterLogEvents}' {@code nextToken} is a log position to continue from and is
 * only returned while the read stopped before the end of the log (the CLI's {@code tail --follow}
 * asks again at once while it gets one, and otherwise sleeps and asks from its newest timestamp,
 * {@code startTime} inclusive). {@code GetLogEvents}' forward and backward tokens are positions too;
 * at the end of a stream the forward token comes back unchanged, which is how paginators stop.
 * Event ids are log positions; ingestion time is the event's time.
 *
 * <p>In a fleet the read operations answer for every live node ({@link LogsFleet}); the operations here then
 * also answer a peer's question about this node's own logs ({@link #answerPeer}).
 */
final class LogsApi {
    static final String TARGET_PREFIX = "Logs_20140328.";
    static final String SERVICE = "logs";

    private static final System.Logger LOG = System.getLogger(LogsApi.class.getName());
    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    private static final int MAX_EVENTS = 10_000;
    private static final int MAX_BYTES = 1 << 20;
    private static final Set<Integer> RETENTION_DAYS = Set.of(
            1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653);

    private final LogStore logs;
    private final Authentication auth;
    private final LogsFleet fleet;

    LogsApi(LogStore logs, Authentication auth, Optional<FleetEdge> fleet) {
        this.logs = logs;
        this.auth = auth;
        this.fleet = fleet.map(f -> new LogsFleet(f, this)).orElse(null);
    }

    /** The fleet-wide reads, when this node is in a fleet. */
    Optional<LogsFleet> fleet() {
        return Optional.ofNullable(fleet);
    }

    /**
     * Loads the logs' indexes and runs this API's read path once in-process (request parsing, a time-bounded
     * filter over the first group, the answer's JSON), so that the first FilterLogEvents after a restart pays
     * neither the index load nor the classes' loading and first compilation. Best effort, off the request path.
     */
    void warm() {
        List<LogStore.GroupRef> groups = logs.warm();
        if (groups.isEmpty()) {
            return;
        }
        LogStore.GroupRef g = groups.getFirst();
        try {
            ObjectNode in = Json.MAPPER
                    .createObjectNode()
                    .put("logGroupName", g.group())
                    .put("startTime", 0)
                    .put("filterPattern", "-spur-warm-up")
                    .put("limit", 10);
            Json.MAPPER.writeValueAsBytes(local(
                    new Caller(g.account(), g.region()), "FilterLogEvents", parse(Json.MAPPER.writeValueAsBytes(in))));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "warming the logs API failed: " + e);
        }
    }

    /** Whether a request is addressed to this API (the one place the edge asks). */
    static boolean accepts(String method, String target) {
        return "POST".equals(method) && target != null && target.startsWith(TARGET_PREFIX);
    }

    void handle(Exchange x) {
        String requestId = RequestIds.next();
        try {
            byte[] body = x.body(1 << 20);
            if (body.length > 1 << 20) {
                throw new LogsError(413, "RequestEntityTooLarge", "The request is larger than 1 MB.");
            }
            Caller caller = caller(x, body);
            String operation = x.header("X-Amz-Target").orElse("").substring(TARGET_PREFIX.length());
            JsonNode in = parse(body);
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("x-amzn-RequestId", requestId);
            ObjectNode out;
            if (fleet == null) {
                out = local(caller, operation, in);
            } else {
                LogsFleet.Answer answer = fleet.answer(caller, operation, in);
                out = answer.out();
                if (!answer.missing().isEmpty()) {
                    // named for the caller too: the answer lacks those nodes' logs
                    headers.put(LogsFleet.MISSING_HEADER, String.join(",", answer.missing()));
                }
            }
            x.send(200, headers, CONTENT_TYPE, Json.MAPPER.writeValueAsBytes(out));
        } catch (Throwable t) {
            error(x, requestId, t);
        }
    }

    /** One operation answered from this node's logs alone (the whole answer on a node without a fleet). */
    ObjectNode local(Caller caller, String operation, JsonNode in) throws IOException {
        return switch (operation) {
            case "FilterLogEvents" -> filterLogEvents(caller, in);
            case "GetLogEvents" -> getLogEvents(caller, in);
            case "DescribeLogGroups" -> describeLogGroups(caller, in, localGroups(caller));
            case "DescribeLogStreams" ->
                describeLogStreams(caller, in, existingGroup(caller, in).streams());
            case "PutRetentionPolicy" -> putRetentionPolicy(caller, in);
            case "DeleteRetentionPolicy" -> deleteRetentionPolicy(caller, in);
            case "CreateLogGroup" -> createLogGroup(caller, in);
            case "DeleteLogGroup" -> deleteLogGroup(caller, in);
            default -> throw new LogsError(400, "UnknownOperationException", "Unknown operation " + operation);
        };
    }

    /**
     * A peer's question about this node's own logs ({@link LogsFleet}), already verified as the fleet's: the
     * answer or the error in the JSON 1.1 shape, as to a client.
     */
    void answerPeer(Exchange x, Caller caller, String operation, byte[] body) {
        String requestId = RequestIds.next();
        try {
            JsonNode in = parse(body);
            ObjectNode out = fleet == null ? local(caller, operation, in) : fleet.peerLocal(caller, operation, in);
            x.send(200, Map.of("x-amzn-RequestId", requestId), CONTENT_TYPE, Json.MAPPER.writeValueAsBytes(out));
        } catch (Throwable t) {
            error(x, requestId, t);
        }
    }

    private Caller caller(Exchange x, byte[] body) {
        try {
            return auth.caller(x, body, SERVICE);
        } catch (LambdaException e) {
            throw new LogsError(e.code().status(), e.code().type(), e.getMessage());
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return Json.MAPPER.createObjectNode();
        }
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (IOException e) {
            // answered below
        }
        throw new LogsError(400, "SerializationException", "The request body is not a JSON object.");
    }

    private ObjectNode filterLogEvents(Caller caller, JsonNode in) throws IOException {
        LogFilter filter = filter(in, token(in, "n/"));
        LogPage page = existingGroup(caller, in).filter(filter);
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode events = out.putArray("events");
        page.events().stream()
                .sorted(Comparator.comparingLong(LogEvent::timestamp))
                .forEach(e -> event(events.addObject().put("logStreamName", e.stream()), e)
                        .put("eventId", Long.toString(e.position())));
        out.putArray("searchedLogStreams");
        page.next().ifPresent(next -> out.put("nextToken", "n/" + next));
        return out;
    }

    /** What a FilterLogEvents request asks, read from {@code from}; every malformed member refused. */
    static LogFilter filter(JsonNode in, long from) {
        List<String> names = strings(in, "logStreamNames");
        String prefix = string(in, "logStreamNamePrefix");
        if (!names.isEmpty() && prefix != null) {
            throw invalid("You cannot specify both logStreamNames and logStreamNamePrefix.");
        }
        Set<String> wanted = new HashSet<>(names);
        Predicate<String> stream =
                !names.isEmpty() ? wanted::contains : prefix != null ? s -> s.startsWith(prefix) : s -> true;
        FilterPattern pattern;
        try {
            pattern = FilterPattern.parse(string(in, "filterPattern"));
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        return new LogFilter(
                stream,
                timestamp(in, "startTime", Long.MIN_VALUE),
                timestamp(in, "endTime", Long.MAX_VALUE),
                pattern,
                from,
                limit(in, MAX_EVENTS),
                MAX_BYTES);
    }

    private ObjectNode getLogEvents(Caller caller, JsonNode in) throws IOException {
        FunctionLog log = existingGroup(caller, in);
        String stream = string(in, "logStreamName");
        if (stream == null) {
            throw invalid("1 validation error detected: Value null at 'logStreamName' failed to satisfy constraint: "
                    + "Member must not be null");
        }
        long start = timestamp(in, "startTime", Long.MIN_VALUE);
        long end = timestamp(in, "endTime", Long.MAX_VALUE);
        int limit = limit(in, MAX_EVENTS);
        String token = string(in, "nextToken");
        if (!log.streams().containsKey(stream)) {
            throw new LogsError(400, "ResourceNotFoundException", "The specified log stream does not exist.");
        }
        boolean backward = token != null && token.startsWith("b/");
        long at = token == null ? -1 : backward ? position(token.substring(2)) : token(in, "f/");
        List<LogEvent> events;
        if (at >= 0 && !backward || token == null && bool(in, "startFromHead")) {
            long from = Math.max(at, 0);
            events = log.filter(
                            new LogFilter(stream::equals, start, end - 1, FilterPattern.any(), from, limit, MAX_BYTES))
                    .events();
        } else {
            events = log.before(stream, start, end, at >= 0 ? at : Long.MAX_VALUE, limit);
        }
        long here = at >= 0 ? at : token == null && bool(in, "startFromHead") ? 0 : log.end();
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode array = out.putArray("events");
        events.forEach(e -> event(array.addObject(), e));
        out.put(
                "nextForwardToken",
                "f/" + (events.isEmpty() ? here : events.getLast().next()));
        out.put(
                "nextBackwardToken",
                "b/" + (events.isEmpty() ? here : events.getFirst().position()));
        return out;
    }

    static ObjectNode event(ObjectNode node, LogEvent e) {
        return node.put("timestamp", e.timestamp()).put("message", e.message()).put("ingestionTime", e.timestamp());
    }

    /** What DescribeLogGroups says of one group: on one node, or summed over the fleet's nodes. */
    record GroupFacts(OptionalLong created, OptionalInt retention, long storedBytes) {
        GroupFacts plus(GroupFacts other) {
            return new GroupFacts(
                    created.isEmpty()
                            ? other.created
                            : other.created.isEmpty()
                                    ? created
                                    : OptionalLong.of(Math.min(created.getAsLong(), other.created.getAsLong())),
                    retention.isPresent() ? retention : other.retention,
                    storedBytes + other.storedBytes);
        }
    }

    /** This node's groups of the caller's account and region. */
    Map<String, GroupFacts> localGroups(Caller caller) throws IOException {
        Map<String, GroupFacts> out = new LinkedHashMap<>();
        for (String name : logs.groups(caller.account(), caller.region())) {
            FunctionLog log = logs.group(caller.account(), caller.region(), name);
            out.put(name, new GroupFacts(log.oldestEvent(), log.retention(), log.storedBytes()));
        }
        return out;
    }

    ObjectNode describeLogGroups(Caller caller, JsonNode in, Map<String, GroupFacts> facts) {
        String prefix = string(in, "logGroupNamePrefix");
        String pattern = string(in, "logGroupNamePattern");
        if (prefix != null && pattern != null) {
            throw invalid("You cannot specify both logGroupNamePrefix and logGroupNamePattern.");
        }
        int limit = describeLimit(in);
        String after = string(in, "nextToken");
        List<String> names = facts.keySet().stream()
                .sorted()
                .filter(n -> prefix == null || n.startsWith(prefix))
                .filter(n -> pattern == null || n.toLowerCase().contains(pattern.toLowerCase()))
                .filter(n -> after == null || n.compareTo(after.substring(Math.min(2, after.length()))) > 0)
                .toList();
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode groups = out.putArray("logGroups");
        for (String name : names.subList(0, Math.min(limit, names.size()))) {
            GroupFacts group = facts.get(name);
            ObjectNode g = groups.addObject();
            g.put("logGroupName", name);
            g.put("creationTime", group.created().orElse(0));
            group.retention().ifPresent(days -> g.put("retentionInDays", days));
            g.put("metricFilterCount", 0);
            g.put("arn", groupArn(caller, name) + ":*");
            g.put("logGroupArn", groupArn(caller, name));
            g.put("storedBytes", group.storedBytes());
            g.put("logGroupClass", "STANDARD");
        }
        if (names.size() > limit) {
            out.put("nextToken", "g/" + names.get(limit - 1));
        }
        return out;
    }

    ObjectNode describeLogStreams(Caller caller, JsonNode in, Map<String, StreamSummary> summaries) {
        String prefix = string(in, "logStreamNamePrefix");
        boolean byTime = "LastEventTime".equals(string(in, "orderBy"));
        String orderBy = string(in, "orderBy");
        if (orderBy != null && !byTime && !orderBy.equals("LogStreamName")) {
            throw invalid("1 validation error detected: Value '" + orderBy + "' at 'orderBy' failed to satisfy "
                    + "constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]");
        }
        if (byTime && prefix != null) {
            throw invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
        }
        Comparator<Map.Entry<String, StreamSummary>> order = byTime
                ? Comparator.comparingLong((Map.Entry<String, StreamSummary> e) ->
                                e.getValue().last())
                        .thenComparing(Map.Entry::getKey)
                : Map.Entry.comparingByKey();
        if (bool(in, "descending")) {
            order = order.reversed();
        }
        List<Map.Entry<String, StreamSummary>> streams = new ArrayList<>(summaries.entrySet());
        streams.removeIf(e -> prefix != null && !e.getKey().startsWith(prefix));
        streams.sort(order);
        int skip = (int) Math.min(token(in, "s/"), streams.size());
        int limit = describeLimit(in);
        String group = groupName(caller, in);
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode array = out.putArray("logStreams");
        for (Map.Entry<String, StreamSummary> e : streams.subList(skip, Math.min(streams.size(), skip + limit))) {
            StreamSummary s = e.getValue();
            array.addObject()
                    .put("logStreamName", e.getKey())
                    .put("creationTime", s.first())
                    .put("firstEventTimestamp", s.first())
                    .put("lastEventTimestamp", s.last())
                    .put("lastIngestionTime", s.last())
                    .put("arn", groupArn(caller, group) + ":log-stream:" + e.getKey())
                    .put("storedBytes", s.bytes());
        }
        if (skip + limit < streams.size()) {
            out.put("nextToken", "s/" + (skip + limit));
        }
        return out;
    }

    private ObjectNode putRetentionPolicy(Caller caller, JsonNode in) throws IOException {
        JsonNode days = in.get("retentionInDays");
        if (days == null || !days.canConvertToInt() || !RETENTION_DAYS.contains(days.intValue())) {
            throw invalid("1 validation error detected: Value '" + (days == null ? "null" : days.asText())
                    + "' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: "
                    + RETENTION_DAYS.stream().sorted().toList());
        }
        existingGroup(caller, in).retention(OptionalInt.of(days.intValue()));
        return Json.MAPPER.createObjectNode();
    }

    private ObjectNode deleteRetentionPolicy(Caller caller, JsonNode in) throws IOException {
        existingGroup(caller, in).retention(OptionalInt.empty());
        return Json.MAPPER.createObjectNode();
    }

    private ObjectNode createLogGroup(Caller caller, JsonNode in) throws IOException {
        String name = groupName(caller, in);
        if (!logs.create(caller.account(), caller.region(), name)) {
            throw new LogsError(400, "ResourceAlreadyExistsException", "The specified log group already exists");
        }
        return Json.MAPPER.createObjectNode();
    }

    private ObjectNode deleteLogGroup(Caller caller, JsonNode in) throws IOException {
        existingGroup(caller, in).deleteAll();
        return Json.MAPPER.createObjectNode();
    }

    FunctionLog existingGroup(Caller caller, JsonNode in) {
        return logs.existing(caller.account(), caller.region(), groupName(caller, in))
                .orElseThrow(() ->
                        new LogsError(400, "ResourceNotFoundException", "The specified log group does not exist."));
    }

    private static String groupArn(Caller caller, String group) {
        return "arn:aws:logs:" + caller.region() + ":" + caller.account() + ":log-group:" + group;
    }

    /** An error in the JSON 1.1 protocol's shape: {@code {"__type": …, "message": …}}. */
    private static void error(Exchange x, String requestId, Throwable t) {
        LogsError e;
        if (t instanceof LogsError le) {
            e = le;
        } else if (t instanceof LambdaException le && le.code() != ErrorCode.SERVICE) {
            e = new LogsError(400, "InvalidParameterException", le.getMessage());
        } else {
            LOG.log(Level.ERROR, "request " + requestId + " failed", t);
            e = new LogsError(
                    500,
                    "ServiceUnavailableException",
                    "An internal error occurred; see the Spur server log for request " + requestId + ".");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-amzn-RequestId", requestId);
        ObjectNode body = Json.MAPPER.createObjectNode().put("__type", e.type).put("message", e.getMessage());
        byte[] bytes;
        try {
            bytes = Json.MAPPER.writeValueAsBytes(body);
        } catch (IOException encodeFailed) {
            bytes = new byte[0];
        }
        x.send(e.status, headers, CONTENT_TYPE, bytes);
    }
}
