package dev.spur.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Caller;
import dev.spur.common.EventSourceMapping;
import dev.spur.common.Json;
import dev.spur.common.KafkaSource;
import dev.spur.common.LambdaException;
import dev.spur.triggers.EventSourceMappings;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Lambda's event-source mapping resource, {@code /2015-03-31/event-source-mappings/}: Create, Update and
 * Delete answer 202 with the mapping in its transition state (Creating, Updating, Deleting), Get and List
 * 200 with the settled state; shapes as Lambda's service model names them ({@code UUID},
 * {@code EventSourceArn}, {@code FunctionArn}, {@code BatchSize}, {@code LastModified} in epoch seconds,
 * {@code FilterCriteria}, {@code ScalingConfig}, {@code FunctionResponseTypes}, …).
 */
final class MappingApi implements EdgeApi {
    private static final int MAX_BODY = 256 * 1024;
    private static final String BASE = "/2015-03-31/event-source-mappings";

    private final EventSourceMappings mappings;
    private final Authentication auth;

    MappingApi(EventSourceMappings mappings, Authentication auth) {
        this.mappings = mappings;
        this.auth = auth;
    }

    @Override
    public void register(Router router) {
        router.add("POST", BASE, this::create)
                .add("GET", BASE, this::list)
                .add("GET", BASE + "/{uuid}", this::get)
                .add("PUT", BASE + "/{uuid}", this::update)
                .add("DELETE", BASE + "/{uuid}", this::delete);
    }

    void create(Exchange x) {
        JsonAnswer.send(x, 202, () -> {
            Caller caller = auth.caller(x, x.body(MAX_BODY));
            JsonNode body = RequestParsing.jsonBody(x, MAX_BODY);
            return render(mappings.create(caller, spec(body, true)), "Creating");
        });
    }

    void update(Exchange x) {
        JsonAnswer.send(x, 202, () -> {
            Caller caller = auth.caller(x, x.body(MAX_BODY));
            JsonNode body = RequestParsing.jsonBody(x, MAX_BODY);
            return render(mappings.update(caller, x.pathParameter("uuid"), spec(body, false)), "Updating");
        });
    }

    void delete(Exchange x) {
        JsonAnswer.send(
                x, 202, () -> render(mappings.delete(auth.caller(x, x.body(0)), x.pathParameter("uuid")), "Deleting"));
    }

    void get(Exchange x) {
        JsonAnswer.send(x, 200, () -> render(mappings.get(auth.caller(x, x.body(0)), x.pathParameter("uuid")), null));
    }

    void list(Exchange x) {
        JsonAnswer.send(x, 200, () -> {
            Caller caller = auth.caller(x, x.body(0));
            List<EventSourceMapping> all = mappings.list(caller, x.query("EventSourceArn"), x.query("FunctionName"));
            int max = x.query("MaxItems").map(Integer::parseInt).orElse(100);
            if (max < 1 || max > 10_000) {
                throw LambdaException.invalid("MaxItems must be between 1 and 10000.");
            }
            max = Math.min(max, 100);
            Optional<String> marker = x.query("Marker");
            ObjectNode out = Json.MAPPER.createObjectNode();
            ArrayNode items = out.putArray("EventSourceMappings");
            String last = null;
            boolean more = false;
            for (EventSourceMapping m : all) {
                if (marker.isPresent() && m.uuid().compareTo(marker.get()) <= 0) {
                    continue;
                }
                if (items.size() == max) {
                    more = true;
                    break;
                }
                items.add(render(m, null));
                last = m.uuid();
            }
            if (more) {
                out.put("NextMarker", last);
            }
            return out;
        });
    }

    private static EventSourceMappings.Spec spec(JsonNode body, boolean create) {
        Optional<List<String>> filters = Optional.empty();
        JsonNode criteria = body.get("FilterCriteria");
        if (criteria != null && !criteria.isNull()) {
            List<String> patterns = new ArrayList<>();
            for (JsonNode f : criteria.path("Filters")) {
                patterns.add(f.path("Pattern").asText());
            }
            filters = Optional.of(patterns);
        }
        Optional<Integer> concurrency = Optional.empty();
        JsonNode scaling = body.get("ScalingConfig");
        if (scaling != null && !scaling.isNull()) {
            concurrency = Optional.of(scaling.path("MaximumConcurrency").asInt(0));
        }
        if (!create && body.has("EventSourceArn")) {
            throw LambdaException.invalid("EventSourceArn cannot be changed; create a new mapping.");
        }
        return new EventSourceMappings.Spec(
                RequestParsing.string(body, "EventSourceArn"),
                RequestParsing.string(body, "FunctionName"),
                body.has("Enabled") ? Optional.of(RequestParsing.bool(body, "Enabled")) : Optional.empty(),
                RequestParsing.integer(body, "BatchSize"),
                RequestParsing.integer(body, "MaximumBatchingWindowInSeconds"),
                filters,
                RequestParsing.strings(body, "FunctionResponseTypes"),
                concurrency,
                kafka(body, create));
    }

    /** SelfManagedEventSource, Topics, StartingPosition, SelfManagedKafkaEventSourceConfig, retries, destinations. */
    private static EventSourceMappings.KafkaSpec kafka(JsonNode body, boolean create) {
        Optional<Map<String, List<String>>> endpoints = Optional.empty();
        JsonNode source = body.get("SelfManagedEventSource");
        if (source != null && !source.isNull()) {
            Map<String, List<String>> map = new LinkedHashMap<>();
            JsonNode given = source.path("Endpoints");
            if (!given.isObject() || given.isEmpty()) {
                throw LambdaException.invalid(
                        "SelfManagedEventSource.Endpoints must map KAFKA_BOOTSTRAP_SERVERS to servers.");
            }
            for (Map.Entry<String, JsonNode> e : given.properties()) {
                List<String> servers = new ArrayList<>();
                for (JsonNode server : e.getValue()) {
                    servers.add(server.asText());
                }
                map.put(e.getKey(), servers);
            }
            endpoints = Optional.of(map);
        }
        Optional<String> group = Optional.empty();
        JsonNode config = body.get("SelfManagedKafkaEventSourceConfig");
        if (config != null && !config.isNull()) {
            group = RequestParsing.string(config, "ConsumerGroupId");
        }
        if (!create && (body.has("Topics") || body.has("StartingPosition"))) {
            throw LambdaException.invalid("Topics and StartingPosition cannot be changed; create a new mapping.");
        }
        JsonNode destinations = body.path("DestinationConfig");
        return new EventSourceMappings.KafkaSpec(
                endpoints,
                RequestParsing.strings(body, "Topics"),
                RequestParsing.string(body, "StartingPosition"),
                group,
                RequestParsing.integer(body, "MaximumRetryAttempts"),
                destinations.path("OnFailure").has("Destination")
                        ? Optional.of(destinations
                                .path("OnFailure")
                                .path("Destination")
                                .asText())
                        : Optional.empty(),
                destinations.path("OnSuccess").has("Destination")
                        ? Optional.of(destinations
                                .path("OnSuccess")
                                .path("Destination")
                                .asText())
                        : Optional.empty());
    }

    static ObjectNode render(EventSourceMapping m, String transition) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("UUID", m.uuid());
        out.put("BatchSize", m.batchSize());
        out.put("MaximumBatchingWindowInSeconds", m.maximumBatchingWindowInSeconds());
        if (!m.eventSourceArn().isEmpty()) {
            out.put("EventSourceArn", m.eventSourceArn());
        }
        m.kafka().ifPresent(k -> renderKafka(out, k));
        if (!m.filterPatterns().isEmpty()) {
            ArrayNode filters = out.putObject("FilterCriteria").putArray("Filters");
            m.filterPatterns().forEach(p -> filters.addObject().put("Pattern", p));
        }
        out.put("FunctionArn", m.functionArn());
        out.put("LastModified", BigDecimal.valueOf(m.lastModified().toEpochMilli(), 3));
        out.put("State", transition != null ? transition : m.state());
        out.put("StateTransitionReason", "USER_INITIATED");
        ArrayNode types = out.putArray("FunctionResponseTypes");
        m.functionResponseTypes().forEach(types::add);
        if (m.maximumConcurrency() > 0) {
            out.putObject("ScalingConfig").put("MaximumConcurrency", m.maximumConcurrency());
        }
        out.put("EventSourceMappingArn", m.arn());
        return out;
    }

    private static void renderKafka(ObjectNode out, KafkaSource k) {
        out.put("StartingPosition", k.startingPosition());
        out.putArray("Topics").add(k.topic());
        ArrayNode servers =
                out.putObject("SelfManagedEventSource").putObject("Endpoints").putArray("KAFKA_BOOTSTRAP_SERVERS");
        k.bootstrapServers().forEach(servers::add);
        out.putObject("SelfManagedKafkaEventSourceConfig").put("ConsumerGroupId", k.consumerGroupId());
        out.put("MaximumRetryAttempts", k.maximumRetryAttempts());
        if (!k.onFailure().isEmpty()) {
            out.putObject("DestinationConfig").putObject("OnFailure").put("Destination", k.onFailure());
        }
    }
}
