package dev.spur.edge;

import static dev.spur.edge.RequestParsing.object;
import static dev.spur.edge.RequestParsing.string;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Caller;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.common.Schedule;
import dev.spur.triggers.Schedules;
import java.util.Optional;

/**
 * Schedules under {@code /spur/v1/schedules}, in EventBridge Scheduler's vocabulary:
 * {@code Name}, {@code ScheduleExpression}, {@code ScheduleExpressionTimezone}, {@code State}
 * ({@code ENABLED}/{@code DISABLED}), {@code Target{Arn, Qualifier, Input}}, {@code Description},
 * plus Spur's {@code MissedFires} ({@code RUN_ONCE}, the default, or {@code SKIP}).
 */
final class ScheduleApi implements EdgeApi {
    private static final int MAX_BODY = 2 * 1024 * 1024;

    private final Schedules schedules;
    private final Authentication auth;

    ScheduleApi(Schedules schedules, Authentication auth) {
        this.schedules = schedules;
        this.auth = auth;
    }

    @Override
    public void register(Router router) {
        router.add("POST", "/spur/v1/schedules", this::create)
                .add("GET", "/spur/v1/schedules", this::list)
                .add("GET", "/spur/v1/schedules/{name}", this::get)
                .add("PUT", "/spur/v1/schedules/{name}", this::update)
                .add("DELETE", "/spur/v1/schedules/{name}", this::delete);
    }

    void create(Exchange x) {
        JsonAnswer.send(x, 201, () -> {
            Caller caller = auth.caller(x, x.body(MAX_BODY));
            JsonNode body = RequestParsing.jsonBody(x, MAX_BODY, false);
            Schedule s = schedules.create(caller, string(body, "Name").orElse(""), change(body));
            return render(s);
        });
    }

    void update(Exchange x) {
        JsonAnswer.send(x, 200, () -> {
            Caller caller = auth.caller(x, x.body(MAX_BODY));
            JsonNode body = RequestParsing.jsonBody(x, MAX_BODY, false);
            return render(schedules.update(caller, x.pathParameter("name"), change(body)));
        });
    }

    void get(Exchange x) {
        JsonAnswer.send(x, 200, () -> render(schedules.get(auth.caller(x, x.body(0)), x.pathParameter("name"))));
    }

    void list(Exchange x) {
        JsonAnswer.send(x, 200, () -> {
            Caller caller = auth.caller(x, x.body(0));
            ObjectNode node = Json.MAPPER.createObjectNode();
            ArrayNode array = node.putArray("Schedules");
            schedules.list(caller).forEach(s -> array.add(render(s)));
            return node;
        });
    }

    void delete(Exchange x) {
        JsonAnswer.send(x, 204, () -> {
            schedules.delete(auth.caller(x, x.body(0)), x.pathParameter("name"));
            return null;
        });
    }

    private static Schedules.Change change(JsonNode body) {
        Optional<JsonNode> target = object(body, "Target");
        Optional<Boolean> enabled = string(body, "State").map(state -> switch (state) {
            case "ENABLED" -> true;
            case "DISABLED" -> false;
            default -> throw LambdaException.invalid("State must be ENABLED or DISABLED, not %s", state);
        });
        Optional<Boolean> skipMissed = string(body, "MissedFires").map(policy -> switch (policy) {
            case "RUN_ONCE" -> false;
            case "SKIP" -> true;
            default -> throw LambdaException.invalid("MissedFires must be RUN_ONCE or SKIP, not %s", policy);
        });
        Optional<Optional<String>> input = target.filter(t -> t.has("Input")).map(t -> string(t, "Input"));
        return new Schedules.Change(
                string(body, "ScheduleExpression"),
                string(body, "ScheduleExpressionTimezone"),
                target.flatMap(t -> string(t, "Arn")),
                target.flatMap(t -> string(t, "Qualifier")),
                input,
                enabled,
                skipMissed,
                string(body, "Description"));
    }

    private ObjectNode render(Schedule s) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("Name", s.name());
        node.put("Arn", s.arn());
        node.put("ScheduleExpression", s.expression());
        node.put("ScheduleExpressionTimezone", s.timezone());
        node.put("State", s.enabled() ? "ENABLED" : "DISABLED");
        node.put("MissedFires", s.skipMissed() ? "SKIP" : "RUN_ONCE");
        node.put("Description", s.description());
        ObjectNode target = node.putObject("Target");
        target.put(
                "Arn",
                "arn:aws:lambda:" + s.region() + ":" + s.account() + ":function:" + s.functionName()
                        + (s.qualifier().isEmpty() ? "" : ":" + s.qualifier()));
        if (s.input() != null) {
            target.put("Input", s.input());
        }
        node.put("CreationDate", s.createdAt().toString());
        node.put("LastModificationDate", s.lastModified().toString());
        if (s.lastFire() != null) {
            node.put("LastFireTime", s.lastFire().toString());
        }
        schedules.nextFire(s).ifPresent(t -> node.put("NextFireTime", t.toString()));
        return node;
    }
}
