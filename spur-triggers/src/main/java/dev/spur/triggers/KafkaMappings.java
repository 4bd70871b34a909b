package dev.spur.triggers;

import dev.spur.common.Caller;
import dev.spur.common.EventSourceMapping;
import dev.spur.common.KafkaSource;
import dev.spur.common.LambdaException;
import dev.spur.sqs.QueueRef;
import dev.spur.sqs.Queues;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Self-managed Kafka mappings' configuration: what a create or update may say and the limits Lambda's
 * service model puts on it (one topic of 1–249 characters; 1–10 bootstrap servers {@code host:port};
 * StartingPosition TRIM_HORIZON or LATEST; ConsumerGroupId 1–200 characters of {@code [a-zA-Z0-9-/*:_+=.@]},
 * fixed once created; BatchSize 1–10,000, 100 by default; window 0–300 s; MaximumRetryAttempts -1–10,000;
 * an on-failure destination that is one of Spur's standard SQS queues). What Spur does not support for
 * Kafka is refused by name (partial batch responses, scaling, on-success destinations, AT_TIMESTAMP).
 */
final class KafkaMappings {
    static final String BOOTSTRAP_KEY = "KAFKA_BOOTSTRAP_SERVERS";
    private static final int DEFAULT_BATCH = 100;
    private static final Pattern TOPIC = Pattern.compile("[^.][a-zA-Z0-9\\-_.]{0,248}");
    private static final Pattern SERVER = Pattern.compile(
            "(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\\-]*[a-zA-Z0-9])\\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\\-]*[A-Za-z0-9]):[0-9]{1,5}");
    private static final Pattern GROUP = Pattern.compile("[a-zA-Z0-9\\-/*:_+=.@]{1,200}");

    private KafkaMappings() {}

    /** A new Kafka mapping, validated; 400 InvalidParameterValueException naming what is wrong. */
    static EventSourceMapping create(
            Caller caller,
            String uuid,
            EventSourceMappings.Spec spec,
            String function,
            String qualifier,
            Queues queues,
            Instant now) {
        EventSourceMappings.KafkaSpec k = spec.kafka();
        if (spec.eventSourceArn().isPresent()) {
            throw LambdaException.invalid("Specify either EventSourceArn or SelfManagedEventSource, not both.");
        }
        Map<String, List<String>> endpoints = k.endpoints().orElseThrow();
        for (String key : endpoints.keySet()) {
            if (!key.equals(BOOTSTRAP_KEY)) {
                throw LambdaException.invalid(
                        "Unsupported SelfManagedEventSource endpoint type %s: only %s is supported.",
                        key, BOOTSTRAP_KEY);
            }
        }
        List<String> servers = endpoints.getOrDefault(BOOTSTRAP_KEY, List.of());
        if (servers.isEmpty() || servers.size() > 10) {
            throw LambdaException.invalid(
                    "SelfManagedEventSource.Endpoints.%s must list 1 to 10 servers.", BOOTSTRAP_KEY);
        }
        for (String server : servers) {
            if (server.length() > 300 || !SERVER.matcher(server).matches()) {
                throw LambdaException.invalid("Invalid Kafka bootstrap server %s: expected host:port.", server);
            }
        }
        List<String> topics = k.topics().orElse(List.of());
        if (topics.size() != 1) {
            throw LambdaException.invalid("Topics must name exactly one topic for a self-managed Kafka event source.");
        }
        String topic = topics.getFirst();
        if (!TOPIC.matcher(topic).matches()) {
            throw LambdaException.invalid("Invalid Kafka topic name: %s", topic);
        }
        String position = k.startingPosition()
                .orElseThrow(
                        () -> LambdaException.invalid(
                                "StartingPosition is required for a self-managed Kafka event source (TRIM_HORIZON or LATEST)."));
        if (!position.equals("TRIM_HORIZON") && !position.equals("LATEST")) {
            throw LambdaException.invalid(
                    "Unsupported StartingPosition %s for a self-managed Kafka event source: use TRIM_HORIZON or LATEST.",
                    position);
        }
        String group = k.consumerGroupId().orElse(uuid);
        if (!GROUP.matcher(group).matches()) {
            throw LambdaException.invalid(
                    "Invalid ConsumerGroupId %s: 1 to 200 characters of letters, digits and -/*:_+=.@", group);
        }
        KafkaSource source = new KafkaSource(
                servers,
                topic,
                position,
                group,
                k.maximumRetryAttempts().orElse(-1),
                onFailure(caller, k.onFailureDestination(), queues));
        return validate(
                new EventSourceMapping(
                        uuid,
                        caller.account(),
                        caller.region(),
                        "",
                        function,
                        qualifier,
                        spec.batchSize().orElse(DEFAULT_BATCH),
                        spec.maximumBatchingWindowInSeconds().orElse(0),
                        spec.filterPatterns().orElse(List.of()),
                        spec.functionResponseTypes().orElse(List.of()),
                        spec.maximumConcurrency().orElse(0),
                        spec.enabled().orElse(true) ? EventSourceMapping.ENABLED : EventSourceMapping.DISABLED,
                        now,
                        source),
                k);
    }

    /** An update of a Kafka mapping: the source itself (servers, topic, position, group) stays. */
    static EventSourceMapping update(
            Caller caller,
            EventSourceMapping old,
            EventSourceMappings.Spec spec,
            String function,
            String qualifier,
            Queues queues,
            Instant now) {
        EventSourceMappings.KafkaSpec k = spec.kafka();
        if (k.selfManaged()
                || k.topics().isPresent()
                || k.startingPosition().isPresent()
                || k.consumerGroupId().isPresent()) {
            throw LambdaException.invalid(
                    "The Kafka source of a mapping (SelfManagedEventSource, Topics, StartingPosition, ConsumerGroupId) "
                            + "cannot be changed; create a new mapping.");
        }
        KafkaSource was = old.kafka().orElseThrow();
        KafkaSource source = new KafkaSource(
                was.bootstrapServers(),
                was.topic(),
                was.startingPosition(),
                was.consumerGroupId(),
                k.maximumRetryAttempts().orElse(was.maximumRetryAttempts()),
                k.onFailureDestination().isPresent()
                        ? onFailure(caller, k.onFailureDestination(), queues)
                        : was.onFailure());
        return validate(
                new EventSourceMapping(
                        old.uuid(),
                        old.account(),
                        old.region(),
                        "",
                        function,
                        qualifier,
                        spec.batchSize().orElse(old.batchSize()),
                        spec.maximumBatchingWindowInSeconds().orElse(old.maximumBatchingWindowInSeconds()),
                        spec.filterPatterns().orElse(old.filterPatterns()),
                        spec.functionResponseTypes().orElse(old.functionResponseTypes()),
                        spec.maximumConcurrency().orElse(old.maximumConcurrency()),
                        spec.enabled()
                                .map(e -> e ? EventSourceMapping.ENABLED : EventSourceMapping.DISABLED)
                                .orElse(old.state()),
                        now,
                        source),
                k);
    }

    private static EventSourceMapping validate(EventSourceMapping m, EventSourceMappings.KafkaSpec k) {
        if (m.batchSize() < 1 || m.batchSize() > 10_000) {
            throw LambdaException.invalid("BatchSize must be between 1 and 10000 for a Kafka event source.");
        }
        if (m.maximumBatchingWindowInSeconds() < 0 || m.maximumBatchingWindowInSeconds() > 300) {
            throw LambdaException.invalid("MaximumBatchingWindowInSeconds must be between 0 and 300.");
        }
        int retries = m.kafka().orElseThrow().maximumRetryAttempts();
        if (retries < -1 || retries > 10_000) {
            throw LambdaException.invalid("MaximumRetryAttempts must be between -1 and 10000.");
        }
        if (!m.functionResponseTypes().isEmpty()) {
            throw LambdaException.invalid("FunctionResponseTypes are not supported by Spur for Kafka event sources.");
        }
        if (m.maximumConcurrency() != 0) {
            throw LambdaException.invalid("ScalingConfig is not supported for Kafka event sources.");
        }
        if (k.onSuccessDestination().isPresent()) {
            throw LambdaException.invalid("DestinationConfig.OnSuccess is not supported for Kafka event sources.");
        }
        Filters.of(m.filterPatterns()); // refuses what the matcher cannot compile
        return m;
    }

    /** The on-failure destination: "" for none, else a standard SQS queue of Spur's in the caller's account. */
    private static String onFailure(Caller caller, Optional<String> destination, Queues queues) {
        if (destination.isEmpty() || destination.get().isEmpty()) {
            return "";
        }
        String arn = destination.get();
        if (!arn.startsWith("arn:aws:sqs:")) {
            throw LambdaException.invalid(
                    "Unsupported on-failure destination %s: Spur sends Kafka failure records only to its own SQS queues.",
                    arn);
        }
        QueueRef queue = queues.find(arn)
                .filter(q -> q.account().equals(caller.account()))
                .orElseThrow(() -> LambdaException.invalid("The on-failure destination queue %s does not exist.", arn));
        return queue.arn();
    }
}
