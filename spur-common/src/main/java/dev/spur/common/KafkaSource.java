package dev.spur.common;

import java.util.List;
import java.util.Objects;

/**
 * A self-managed Apache Kafka event source of a mapping ({@code SelfManagedEventSource},
 * {@code Topics}, {@code StartingPosition}, {@code SelfManagedKafkaEventSourceConfig}, and the retry
 * and on-failure settings that apply to it).
 *
 * @param bootstrapServers      {@code KAFKA_BOOTSTRAP_SERVERS}, {@code host:port} each (1–10)
 * @param topic                 the one topic read
 * @param startingPosition      TRIM_HORIZON or LATEST: where a consumer group without offsets starts
 * @param consumerGroupId       the Kafka consumer group (the mapping's UUID unless given)
 * @param maximumRetryAttempts  -1: retry a failing batch until it succeeds; else at most this many retries
 * @param onFailure             an SQS queue ARN that gets a record of a batch given up on, "" for none
 */
public record KafkaSource(
        List<String> bootstrapServers,
        String topic,
        String startingPosition,
        String consumerGroupId,
        int maximumRetryAttempts,
        String onFailure) {
    public KafkaSource {
        bootstrapServers = List.copyOf(Objects.requireNonNull(bootstrapServers, "bootstrapServers"));
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(startingPosition, "startingPosition");
        Objects.requireNonNull(consumerGroupId, "consumerGroupId");
        onFailure = onFailure == null ? "" : onFailure;
    }

    /** The bootstrap servers as the event names them: comma-separated. */
    public String bootstrapList() {
        return String.join(",", bootstrapServers);
    }
}
