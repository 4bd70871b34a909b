package dev.spur.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.FunctionKey;
import dev.spur.common.Json;
import dev.spur.queue.PubSubStore;
import dev.spur.queue.QueuedEvent;
import dev.spur.sqs.Queues;
import dev.spur.sqs.SqsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.event.ruler.Machine;

/**
 * EventBridge's buses, rules and targets, and {@link #putEvents}. Every account has the {@code default}
 * bus (never stored); other buses, and rules with their targets, are documents in the event queue's
 * database ({@link PubSubStore}). Event patterns are compiled and matched by AWS's event-ruler (every
 * documented operator: prefix, suffix, anything-but, numeric, exists, wildcard, equals-ignore-case,
 * {@code $or}).
 *
 * <p>PutEvents: each valid entry becomes the EventBridge event ({@code version "0"}, id, detail-type,
 * source, account, time, region, resources, detail); every enabled rule of its bus whose pattern
 * matches sends it (or its target input) to each target — an asynchronous event for a Lambda function, a
 * message for an SQS queue — and all deliveries of one request are written in one transaction
 * ({@link PubSubStore#deliver}) before the answer. Rules with a {@code ScheduleExpression} are refused:
 * Spur's schedules ({@code /spur/v1/schedules}) run scheduled invocations.
 *
 * <p>Rules are cached per bus with their compiled patterns and dropped on every change this node makes;
 * on a database other nodes share nothing is cached.
 */
public final class EventBuses {
    private static final System.Logger LOG = System.getLogger(EventBuses.class.getName());
    private static final Pattern RULE_NAME = Pattern.compile("[.\\-_A-Za-z0-9]{1,64}");
    private static final Pattern BUS_NAME = Pattern.compile("[/.\\-_A-Za-z0-9]{1,256}");
    private static final Pattern BUS_ARN =
            Pattern.compile("arn:aws[a-z-]*:events:[a-z0-9-]+:(\\d{12}):event-bus/([/.\\-_A-Za-z0-9]{1,256})");
    private static final Pattern FUNCTION_ARN = Pattern.compile(
            "arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\\d{12}):function:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9$_-]{1,128}))?");
    private static final Pattern QUEUE_ARN =
            Pattern.compile("arn:aws[a-z-]*:sqs:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_.-]{1,80}");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT;
    static final int MAX_ENTRIES = 10;
    static final int MAX_REQUEST = 256 * 1024;
    static final int MAX_TARGETS = 5;

    private final PubSubStore store;
    private final Queues queues;
    private final InstantSource clock;
    private final boolean shared;
    private final ConcurrentMap<String, List<Compiled>> cache = new ConcurrentHashMap<>();
    private final AtomicLong changes = new AtomicLong(); // rules loaded across a change are not cached

    private EventBuses(PubSubStore store, Queues queues, InstantSource clock, boolean shared) {
        this.store = store;
        this.queues = queues;
        this.clock = clock;
        this.shared = shared;
    }

    /** Buses on {@code store}, delivering to {@code queues}; {@code shared} when other nodes use the same database. */
    public static EventBuses create(PubSubStore store, Queues queues, InstantSource clock, boolean shared) {
        return new EventBuses(store, queues, clock, shared);
    }

    /** A rule with its compiled pattern. */
    private record Compiled(Rules.Rule rule, Machine machine) {}

    // ---- buses

    String createBus(String account, String region, String name, String description, Map<String, String> tags) {
        if (!BUS_NAME.matcher(name).matches() || name.equals(Rules.DEFAULT_BUS) || name.startsWith("aws.")) {
            throw EventsException.validation("Event bus name %s is not valid.", name);
        }
        Rules.Bus bus = new Rules.Bus(name, account, region, description, tags);
        if (store.create(new PubSubStore.Resource(account, Rules.BUS, name, Rules.write(bus)))
                .isPresent()) {
            throw EventsException.of(EventsException.Code.ALREADY_EXISTS, "Event bus %s already exists.", name);
        }
        return bus.arn();
    }

    void deleteBus(String account, String name) {
        if (name.equals(Rules.DEFAULT_BUS)) {
            throw EventsException.validation("Cannot delete event bus default.");
        }
        store.delete(account, Rules.BUS, name, Rules.RULE, name + "/");
        invalidate(account + "/" + name);
    }

    /** The bus a name or ARN names: its name; ResourceNotFoundException if there is none. */
    String requireBus(String account, String nameOrArn) {
        String name = nameOrArn == null || nameOrArn.isEmpty() ? Rules.DEFAULT_BUS : nameOrArn;
        Matcher arn = BUS_ARN.matcher(name);
        if (arn.matches()) {
            if (!arn.group(1).equals(account)) {
                throw EventsException.of(EventsException.Code.NOT_FOUND, "Event bus %s does not exist.", name);
            }
            name = arn.group(2);
        }
        if (!name.equals(Rules.DEFAULT_BUS)
                && store.get(account, Rules.BUS, name).isEmpty()) {
            throw EventsException.of(EventsException.Code.NOT_FOUND, "Event bus %s does not exist.", name);
        }
        return name;
    }

    /** The account's buses, {@code default} first, then by name. */
    List<Rules.Bus> buses(String account, String region, String prefix) {
        List<Rules.Bus> out = new ArrayList<>();
        if (Rules.DEFAULT_BUS.startsWith(prefix)) {
            out.add(new Rules.Bus(Rules.DEFAULT_BUS, account, region, null, Map.of()));
        }
        for (PubSubStore.Resource r : store.list(account, Rules.BUS, prefix)) {
            out.add(Rules.bus(r));
        }
        return out;
    }

    // ---- rules

    String putRule(
            String account,
            String region,
            String busName,
            String name,
            String eventPattern,
            String scheduleExpression,
            String state,
            String description) {
        String bus = requireBus(account, busName);
        if (name == null || !RULE_NAME.matcher(name).matches()) {
            throw EventsException.validation("Rule name %s is not valid.", name);
        }
        if (scheduleExpression != null) {
            throw EventsException.validation("ScheduleExpression is not supported by Spur's EventBridge: run scheduled "
                    + "invocations with Spur's schedules (POST /spur/v1/schedules).");
        }
        if (eventPattern == null) {
            throw EventsException.validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
        }
        compile(eventPattern);
        String newState = state == null ? "ENABLED" : state;
        if (!newState.equals("ENABLED") && !newState.equals("DISABLED")) {
            throw EventsException.validation("State %s is not valid: ENABLED or DISABLED.", newState);
        }
        List<Rules.Target> targets =
                rule(account, bus, name).map(Rules.Rule::targets).orElse(List.of());
        Rules.Rule rule =
                new Rules.Rule(name, bus, account, region, eventPattern, null, newState, description, targets);
        if (store.create(rule.resource()).isPresent()) {
            store.replace(rule.resource());
        }
        invalidate(account + "/" + bus);
        return rule.arn();
    }

    Optional<Rules.Rule> rule(String account, String bus, String name) {
        return store.get(account, Rules.RULE, bus + "/" + name).map(Rules::rule);
    }

    Rules.Rule requireRule(String account, String busName, String name) {
        String bus = requireBus(account, busName);
        return rule(account, bus, name == null ? "" : name)
                .orElseThrow(() -> EventsException.of(
                        EventsException.Code.NOT_FOUND, "Rule %s does not exist on EventBus %s.", name, bus));
    }

    List<Rules.Rule> rules(String account, String busName, String prefix) {
        String bus = requireBus(account, busName);
        List<Rules.Rule> out = new ArrayList<>();
        for (PubSubStore.Resource r : store.list(account, Rules.RULE, bus + "/" + prefix)) {
            Rules.Rule rule = Rules.rule(r);
            if (rule.bus().equals(bus)) { // not a rule of a bus whose name continues this one's with "/"
                out.add(rule);
            }
        }
        return out;
    }

    void deleteRule(String account, String busName, String name, boolean force) {
        Optional<Rules.Rule> rule;
        try {
            rule = Optional.of(requireRule(account, busName, name));
        } catch (EventsException e) {
            return; // deleting a rule that is not there succeeds, as EventBridge's does
        }
        if (!rule.get().targets().isEmpty() && !force) {
            throw EventsException.validation("Rule can't be deleted since it has targets.");
        }
        store.delete(account, Rules.RULE, rule.get().bus() + "/" + name, null, null);
        invalidate(account + "/" + rule.get().bus());
    }

    void setState(String account, String busName, String name, String state) {
        Rules.Rule rule = requireRule(account, busName, name);
        store.replace(rule.with(state, rule.targets()).resource());
        invalidate(account + "/" + rule.bus());
    }

    /** PutTargets: the ids that failed, with their error code and message (none when all were stored). */
    List<String[]> putTargets(String account, String busName, String ruleName, List<Rules.Target> targets) {
        Rules.Rule rule = requireRule(account, busName, ruleName);
        List<String[]> failed = new ArrayList<>();
        Map<String, Rules.Target> merged = new LinkedHashMap<>();
        rule.targets().forEach(t -> merged.put(t.id(), t));
        for (Rules.Target t : targets) {
            TargetInput.check(t);
            if (FUNCTION_ARN.matcher(t.arn()).matches()
                    || QUEUE_ARN.matcher(t.arn()).matches()) {
                merged.put(t.id(), t);
            } else {
                failed.add(new String[] {
                    t.id(),
                    "ValidationException",
                    "Spur's EventBridge delivers to Lambda functions and SQS queues only: " + t.arn()
                });
            }
        }
        if (merged.size() > MAX_TARGETS) {
            throw EventsException.of(
                    EventsException.Code.LIMIT_EXCEEDED, "The requested resource exceeds the maximum number allowed.");
        }
        store.replace(rule.with(rule.state(), List.copyOf(merged.values())).resource());
        invalidate(account + "/" + rule.bus());
        return failed;
    }

    void removeTargets(String account, String busName, String ruleName, List<String> ids) {
        Rules.Rule rule = requireRule(account, busName, ruleName);
        List<Rules.Target> kept = new ArrayList<>();
        rule.targets().stream().filter(t -> !ids.contains(t.id())).forEach(kept::add);
        store.replace(rule.with(rule.state(), kept).resource());
        invalidate(account + "/" + rule.bus());
    }

    // ---- events

    static Machine compile(String pattern) {
        JsonNode parsed;
        try {
            parsed = Json.MAPPER.readTree(pattern);
        } catch (IOException e) {
            parsed = null;
        }
        if (parsed == null || !parsed.isObject()) {
            throw EventsException.of(
                    EventsException.Code.INVALID_PATTERN,
                    "Event pattern is not valid. Reason: " + "Filter is not an object");
        }
        Machine machine = Machine.builder().build();
        try {
            machine.addRule("rule", pattern);
        } catch (IOException | RuntimeException e) {
            throw EventsException.of(
                    EventsException.Code.INVALID_PATTERN, "Event pattern is not valid. Reason: %s", e.getMessage());
        }
        return machine;
    }

    static boolean matches(Machine machine, JsonNode event) {
        try {
            return !machine.rulesForJSONEvent(event).isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** An entry of PutEvents as the API gives it. */
    record Entry(String source, String detailType, String detail, List<String> resources, Instant time, String bus) {}

    /** An entry's outcome: its event id, or an error code and message. */
    record Outcome(String eventId, String errorCode, String errorMessage) {}

    /**
     * PutEvents. Failure semantics: returns only after the deliveries of every accepted entry are
     * committed and fsynced in one transaction; throws with nothing delivered. A target whose queue is
     * gone or refuses the message is skipped.
     */
    List<Outcome> putEvents(String account, String region, List<Entry> entries) {
        Instant now = clock.instant();
        List<Outcome> outcomes = new ArrayList<>(entries.size());
        List<QueuedEvent> events = new ArrayList<>();
        List<PubSubStore.QueueMessage> messages = new ArrayList<>();
        for (Entry e : entries) {
            String problem = problem(e);
            if (problem != null) {
                outcomes.add(new Outcome(
                        null,
                        problem.startsWith("Detail is malformed") ? "MalformedDetail" : "InvalidArgument",
                        problem));
                continue;
            }
            String bus;
            try {
                bus = requireBus(account, e.bus());
            } catch (EventsException notFound) {
                outcomes.add(new Outcome(null, "NotFoundException", notFound.getMessage()));
                continue;
            }
            ObjectNode event = event(account, region, e, now);
            String id = event.path("id").asText();
            for (Compiled c : compiled(account, bus)) {
                if (c.rule().enabled() && matches(c.machine(), event)) {
                    deliver(c.rule(), event, now, events, messages);
                }
            }
            outcomes.add(new Outcome(id, null, null));
        }
        if (!events.isEmpty() || !messages.isEmpty()) {
            PubSubStore.Delivered delivered = store.deliver(events, messages, now);
            for (int i = 0; i < messages.size(); i++) {
                if (delivered.messages().get(i).isPresent()) {
                    queues.delivered(messages.get(i));
                }
            }
        }
        return outcomes;
    }

    private static String problem(Entry e) {
        if (e.source() == null || e.source().isEmpty()) {
            return "Parameter Source is not valid. Reason: Source is a required argument.";
        }
        if (e.detailType() == null || e.detailType().isEmpty()) {
            return "Parameter DetailType is not valid. Reason: DetailType is a required argument.";
        }
        if (e.detail() == null || e.detail().isEmpty()) {
            return "Parameter Detail is not valid. Reason: Detail is a required argument.";
        }
        try {
            JsonNode detail = Json.MAPPER.readTree(e.detail());
            if (detail == null || !detail.isObject()) {
                return "Detail is malformed.";
            }
        } catch (IOException malformed) {
            return "Detail is malformed.";
        }
        return null;
    }

    private static ObjectNode event(String account, String region, Entry e, Instant now) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", e.detailType());
        event.put("source", e.source());
        event.put("account", account);
        event.put("time", TIME.format((e.time() == null ? now : e.time()).truncatedTo(ChronoUnit.SECONDS)));
        event.put("region", region);
        var resources = event.putArray("resources");
        e.resources().forEach(resources::add);
        try {
            event.set("detail", Json.MAPPER.readTree(e.detail()));
        } catch (IOException malformed) {
            throw new IllegalStateException(malformed); // checked by problem()
        }
        return event;
    }

    private void deliver(
            Rules.Rule rule,
            ObjectNode event,
            Instant now,
            List<QueuedEvent> events,
            List<PubSubStore.QueueMessage> messages) {
        for (Rules.Target t : rule.targets()) {
            String input = TargetInput.render(t, event);
            Matcher f = FUNCTION_ARN.matcher(t.arn());
            if (f.matches()) {
                events.add(new QueuedEvent(
                        UUID.randomUUID().toString(),
                        new FunctionKey(f.group(2), f.group(1), f.group(3)),
                        f.group(4) == null ? "" : f.group(4),
                        input.getBytes(StandardCharsets.UTF_8),
                        now,
                        0,
                        now,
                        "events:" + rule.arn()));
                continue;
            }
            try {
                queues.prepareDelivery(
                                t.arn(),
                                input,
                                null,
                                t.sqsGroupId(),
                                event.path("id").asText())
                        .ifPresent(messages::add);
            } catch (SqsException e) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "{0} refused an event of {1}: {2}",
                        t.arn(),
                        rule.arn(),
                        e.getMessage());
            }
        }
    }

    private List<Compiled> compiled(String account, String bus) {
        String key = account + "/" + bus;
        List<Compiled> cached = shared ? null : cache.get(key);
        if (cached != null) {
            return cached;
        }
        long seen = changes.get();
        List<Compiled> out = new ArrayList<>();
        for (PubSubStore.Resource r : store.list(account, Rules.RULE, bus + "/")) {
            Rules.Rule rule = Rules.rule(r);
            if (rule.bus().equals(bus) && rule.eventPattern() != null) {
                out.add(new Compiled(rule, compile(rule.eventPattern())));
            }
        }
        List<Compiled> list = List.copyOf(out);
        if (!shared && changes.get() == seen) {
            cache.put(key, list);
        }
        return list;
    }

    private void invalidate(String key) {
        changes.incrementAndGet();
        cache.remove(key);
    }
}
