package dev.spur.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * EventBridge's API as a service with no HTTP server in it: the JSON 1.1 protocol
 * ({@code X-Amz-Target: AWSEvents.<Op>}, {@code application/x-amz-json-1.1}), errors as
 * {@code {"__type", "message"}}. Each operation reads its input shape and calls {@link EventBuses}.
 */
public final class EventsService {
    private static final System.Logger LOG = System.getLogger(EventsService.class.getName());
    public static final String TARGET_PREFIX = "AWSEvents.";
    private static final String JSON_TYPE = "application/x-amz-json-1.1";

    private final EventBuses buses;

    private EventsService(EventBuses buses) {
        this.buses = buses;
    }

    public static EventsService create(EventBuses buses) {
        return new EventsService(buses);
    }

    /** One request as the edge read it. */
    public record Request(String account, String region, String target, byte[] body) {
        public Request {
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(region, "region");
            body = body == null ? new byte[0] : body;
        }
    }

    public record Response(int status, String contentType, byte[] body) {}

    /** Serves one request. Failure semantics: as the operation's; an error answer means nothing was changed. */
    public Response handle(Request request) {
        try {
            if (request.target() == null || !request.target().startsWith(TARGET_PREFIX)) {
                throw EventsException.of(EventsException.Code.UNKNOWN_OPERATION, "Missing X-Amz-Target");
            }
            JsonNode input;
            try {
                input = request.body().length == 0
                        ? Json.MAPPER.createObjectNode()
                        : Json.MAPPER.readTree(request.body());
            } catch (IOException e) {
                throw EventsException.of(EventsException.Code.SERIALIZATION, "The request body is not valid JSON.");
            }
            if (input == null || !input.isObject()) {
                throw EventsException.of(EventsException.Code.SERIALIZATION, "The request body is not a JSON object.");
            }
            ObjectNode out = run(request.target().substring(TARGET_PREFIX.length()), input, request);
            return new Response(200, JSON_TYPE, out.toString().getBytes(StandardCharsets.UTF_8));
        } catch (EventsException e) {
            return error(e);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "EventBridge request failed", e);
            return error(EventsException.of(EventsException.Code.INTERNAL, "Internal error"));
        }
    }

    public Response error(EventsException e) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("__type", e.code().wire());
        body.put("message", e.getMessage());
        return new Response(e.code().status(), JSON_TYPE, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String text(JsonNode input, String field) {
        JsonNode v = input.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String required(JsonNode input, String field) {
        String v = text(input, field);
        if (v == null || v.isEmpty()) {
            throw EventsException.validation(
                    "1 validation error detected: Value null at '%s' failed to satisfy "
                            + "constraint: Member must not be null",
                    Character.toLowerCase(field.charAt(0)) + field.substring(1));
        }
        return v;
    }

    private ObjectNode run(String operation, JsonNode in, Request r) {
        String account = r.account();
        ObjectNode out = Json.MAPPER.createObjectNode();
        switch (operation) {
            case "CreateEventBus" ->
                out.put(
                        "EventBusArn",
                        buses.createBus(account, r.region(), required(in, "Name"), text(in, "Description"), tags(in)));
            case "DeleteEventBus" -> buses.deleteBus(account, required(in, "Name"));
            case "DescribeEventBus" -> {
                String name = buses.requireBus(account, text(in, "Name"));
                out.put("Name", name);
                out.put("Arn", Rules.busArn(r.region(), account, name));
            }
            case "ListEventBuses" -> {
                ArrayNode list = out.putArray("EventBuses");
                String prefix = text(in, "NamePrefix");
                for (Rules.Bus b : buses.buses(account, r.region(), prefix == null ? "" : prefix)) {
                    ObjectNode bus = list.addObject();
                    bus.put("Name", b.name());
                    bus.put("Arn", b.arn());
                    if (b.description() != null) {
                        bus.put("Description", b.description());
                    }
                }
            }
            case "PutRule" ->
                out.put(
                        "RuleArn",
                        buses.putRule(
                                account,
                                r.region(),
                                text(in, "EventBusName"),
                                required(in, "Name"),
                                text(in, "EventPattern"),
                                text(in, "ScheduleExpression"),
                                text(in, "State"),
                                text(in, "Description")));
            case "DescribeRule" -> {
                Rules.Rule rule = buses.requireRule(account, text(in, "EventBusName"), required(in, "Name"));
                rule(out, rule);
                out.put("CreatedBy", account);
            }
            case "ListRules" -> {
                String prefix = text(in, "NamePrefix");
                ArrayNode list = out.putArray("Rules");
                for (Rules.Rule rule : buses.rules(account, text(in, "EventBusName"), prefix == null ? "" : prefix)) {
                    rule(list.addObject(), rule);
                }
            }
            case "DeleteRule" ->
                buses.deleteRule(
                        account,
                        text(in, "EventBusName"),
                        required(in, "Name"),
                        in.path("Force").asBoolean(false));
            case "EnableRule" -> buses.setState(account, text(in, "EventBusName"), required(in, "Name"), "ENABLED");
            case "DisableRule" -> buses.setState(account, text(in, "EventBusName"), required(in, "Name"), "DISABLED");
            case "PutTargets" -> {
                List<Rules.Target> targets = new ArrayList<>();
                for (JsonNode t : in.path("Targets")) {
                    targets.add(new Rules.Target(
                            required(t, "Id"),
                            required(t, "Arn"),
                            text(t, "Input"),
                            text(t, "InputPath"),
                            t.get("InputTransformer"),
                            text(t.path("SqsParameters"), "MessageGroupId")));
                }
                if (targets.isEmpty()) {
                    throw EventsException.validation("1 validation error detected: Value at 'targets' failed to "
                            + "satisfy constraint: Member must have length greater than or equal to 1");
                }
                failed(out, buses.putTargets(account, text(in, "EventBusName"), required(in, "Rule"), targets));
            }
            case "ListTargetsByRule" -> {
                Rules.Rule rule = buses.requireRule(account, text(in, "EventBusName"), required(in, "Rule"));
                ArrayNode list = out.putArray("Targets");
                for (Rules.Target t : rule.targets()) {
                    ObjectNode target = list.addObject();
                    target.put("Id", t.id());
                    target.put("Arn", t.arn());
                    if (t.input() != null) {
                        target.put("Input", t.input());
                    }
                    if (t.inputPath() != null) {
                        target.put("InputPath", t.inputPath());
                    }
                    if (t.inputTransformer() != null) {
                        target.set("InputTransformer", t.inputTransformer());
                    }
                    if (t.sqsGroupId() != null) {
                        target.putObject("SqsParameters").put("MessageGroupId", t.sqsGroupId());
                    }
                }
            }
            case "RemoveTargets" -> {
                List<String> ids = new ArrayList<>();
                in.path("Ids").forEach(id -> ids.add(id.asText()));
                buses.removeTargets(account, text(in, "EventBusName"), required(in, "Rule"), ids);
                failed(out, List.of());
            }
            case "PutEvents" -> putEvents(out, in, r);
            case "TestEventPattern" -> {
                String pattern = required(in, "EventPattern");
                JsonNode event;
                try {
                    event = Json.MAPPER.readTree(required(in, "Event"));
                } catch (IOException e) {
                    throw EventsException.validation("Parameter Event is not valid.");
                }
                out.put("Result", EventBuses.matches(EventBuses.compile(pattern), event));
            }
            default ->
                throw EventsException.of(
                        EventsException.Code.UNKNOWN_OPERATION, "Operation %s is not supported by Spur.", operation);
        }
        return out;
    }

    private static void rule(ObjectNode out, Rules.Rule rule) {
        out.put("Name", rule.name());
        out.put("Arn", rule.arn());
        out.put("EventPattern", rule.eventPattern());
        out.put("State", rule.state());
        if (rule.description() != null) {
            out.put("Description", rule.description());
        }
        out.put("EventBusName", rule.bus());
    }

    private static void failed(ObjectNode out, List<String[]> failed) {
        out.put("FailedEntryCount", failed.size());
        ArrayNode entries = out.putArray("FailedEntries");
        for (String[] f : failed) {
            ObjectNode e = entries.addObject();
            e.put("TargetId", f[0]);
            e.put("ErrorCode", f[1]);
            e.put("ErrorMessage", f[2]);
        }
    }

    private static Map<String, String> tags(JsonNode in) {
        Map<String, String> tags = new LinkedHashMap<>();
        in.path("Tags")
                .forEach(t -> tags.put(t.path("Key").asText(), t.path("Value").asText()));
        return tags;
    }

    private void putEvents(ObjectNode out, JsonNode in, Request r) {
        JsonNode entries = in.path("Entries");
        if (!entries.isArray() || entries.isEmpty()) {
            throw EventsException.validation("1 validation error detected: Value null at 'entries' failed to satisfy "
                    + "constraint: Member must not be null");
        }
        if (entries.size() > EventBuses.MAX_ENTRIES) {
            throw EventsException.validation(
                    "1 validation error detected: Value '%s' at 'entries' failed to satisfy "
                            + "constraint: Member must have length less than or equal to 10",
                    entries.size());
        }
        if (r.body().length > EventBuses.MAX_REQUEST) {
            throw EventsException.validation("Total size of the entries in the request is over the limit.");
        }
        List<EventBuses.Entry> list = new ArrayList<>();
        for (JsonNode e : entries) {
            List<String> resources = new ArrayList<>();
            e.path("Resources").forEach(x -> resources.add(x.asText()));
            JsonNode time = e.get("Time");
            Instant at = time == null || time.isNull()
                    ? null
                    : time.isNumber()
                            ? Instant.ofEpochMilli((long) (time.asDouble() * 1000))
                            : Instant.parse(time.asText());
            list.add(new EventBuses.Entry(
                    text(e, "Source"),
                    text(e, "DetailType"),
                    text(e, "Detail"),
                    resources,
                    at,
                    text(e, "EventBusName")));
        }
        List<EventBuses.Outcome> outcomes = buses.putEvents(r.account(), r.region(), list);
        int failed = 0;
        ArrayNode results = Json.MAPPER.createArrayNode();
        for (EventBuses.Outcome o : outcomes) {
            ObjectNode e = results.addObject();
            if (o.eventId() != null) {
                e.put("EventId", o.eventId());
            } else {
                failed++;
                e.put("ErrorCode", o.errorCode());
                e.put("ErrorMessage", o.errorMessage());
            }
        }
        out.put("FailedEntryCount", failed);
        out.set("Entries", results);
    }
}
