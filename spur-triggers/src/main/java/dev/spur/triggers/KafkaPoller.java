package dev.spur.triggers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Caller;
import dev.spur.common.EventSourceMapping;
import dev.spur.common.Json;
import dev.spur.common.KafkaSource;
import dev.spur.common.RequestIds;
import dev.spur.invoke.InvokeCommand;
import dev.spur.invoke.InvokeResult;
import dev.spur.invoke.Invoker;
import dev.spur.sqs.QueueRef;
import dev.spur.sqs.Queues;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One enabled self-managed Kafka mapping's consumer: one platform thread
 * ({@code spur-kafka-poller-<uuid>}) owning one {@link KafkaConsumer} in the mapping's consumer group, with
 * manual commits. The consumer is single-threaded by Kafka's design; {@link #close} only sets a flag and
 * calls {@link KafkaConsumer#wakeup}, the one call Kafka allows from another thread.
 *
 * <p>The loop: poll until a partition has {@code BatchSize} records buffered or the batching window (500 ms when
 * unset, as Lambda's default for Kafka) has passed since the first; then, partition by partition, in
 * offset order, chunks of at most {@code BatchSize}: filter (records no pattern matches are dropped), invoke
 * the function synchronously with Lambda's self-managed Kafka event ({@link KafkaEvents}), and only after
 * it succeeded commit that partition's offset past the chunk ({@code commitSync}). A failed chunk (function
 * error, throttle, a failed invoke) is not committed: the consumer seeks the partition back to the chunk's
 * first offset, drops what it buffered of it, and pauses it for a backoff (100 ms doubling to 5 s), so the
 * partition never advances past a failing record and its order holds; other partitions go on. With
 * {@code MaximumRetryAttempts} ≥ 0, a chunk that failed that many retries is given up: its record goes to
 * the on-failure destination (an SQS queue of Spur's, durable before the commit), then the offset moves past
 * it; without a destination it is dropped. Unset (-1), it is retried until it succeeds.
 *
 * <p>Membership: static ({@code group.instance.id} = {@code spur-<uuid>}), so a restarted Spur (or the
 * next owner in a fleet, which stops and starts pollers through {@link EventSourceMappings}) takes the
 * partitions over at once instead of after the dead member's session timeout, and an older consumer still
 * alive with the same id is fenced by the broker — its commits fail, so it can deliver nothing it could
 * commit.
 *
 * <p>Failure semantics: at least once. A crash (or a fence, or a revoked partition) after an invoke and
 * before its commit delivers that chunk again to the next consumer: duplicates are bounded by the chunk
 * in flight. Nothing is committed that the function did not finish successfully (or that was given up on
 * and recorded at the destination).
 */
final class KafkaPoller implements Poller {
    private static final System.Logger LOG = System.getLogger(KafkaPoller.class.getName());
    static final Duration DEFAULT_WINDOW = Duration.ofMillis(500);
    private static final Duration IDLE_POLL = Duration.ofMillis(500);
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final EventSourceMapping mapping;
    private final KafkaSource source;
    private final Invoker invoker;
    private final Queues queues;
    private final Filters filters;
    private final Map<TopicPartition, Integer> failures = new HashMap<>();
    private final Map<TopicPartition, Long> pausedUntil = new HashMap<>();
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean closed;
    private Thread thread;

    KafkaPoller(EventSourceMapping mapping, Invoker invoker, Queues queues) {
        this.mapping = mapping;
        this.source = mapping.kafka().orElseThrow();
        this.invoker = invoker;
        this.queues = queues;
        this.filters = Filters.of(mapping.filterPatterns());
    }

    @Override
    public KafkaPoller start() {
        thread = Thread.ofPlatform()
                .daemon()
                .name("spur-kafka-poller-" + mapping.uuid())
                .start(this::run);
        return this;
    }

    /** The consumer's settings: the mapping's group, manual commits, static membership, byte arrays. */
    Properties properties() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, source.bootstrapList());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, source.consumerGroupId());
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "spur-" + mapping.uuid());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "spur-" + mapping.uuid());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "LATEST".equals(source.startingPosition()) ? "latest" : "earliest");
        p.put(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                Integer.toString(Math.min(10_000, Math.max(mapping.batchSize(), 500))));
        // a batch may take the function's whole timeout (≤ 15 min) before the next poll
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Integer.toString(16 * 60 * 1000));
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    private void run() {
        while (!closed) {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(properties())) {
                consumer = c;
                if (closed) {
                    return;
                }
                c.subscribe(List.of(source.topic()), new Forget());
                while (!closed) {
                    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> batch = collect(c);
                    for (Map.Entry<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> e : batch.entrySet()) {
                        deliver(c, e.getKey(), e.getValue());
                    }
                }
            } catch (WakeupException e) {
                // close() woke a blocking call
            } catch (KafkaException | IllegalStateException e) {
                if (closed) {
                    return;
                }
                LOG.log(Level.WARNING, "Kafka event source mapping " + mapping.uuid() + ": " + e.getMessage());
                pause(1_000);
            } finally {
                consumer = null;
            }
        }
    }

    /** Polls until a partition has BatchSize records buffered or the window since the first record has passed. */
    private Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> collect(KafkaConsumer<byte[], byte[]> c) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> buffered = new LinkedHashMap<>();
        long window = mapping.maximumBatchingWindowInSeconds() > 0
                ? Duration.ofSeconds(mapping.maximumBatchingWindowInSeconds()).toMillis()
                : DEFAULT_WINDOW.toMillis();
        long deadline = -1;
        int count = 0;
        int fullest = 0;
        while (!closed) {
            resumeDue(c);
            long now = System.currentTimeMillis();
            Duration wait = deadline < 0 ? IDLE_POLL : Duration.ofMillis(Math.max(0, deadline - now));
            ConsumerRecords<byte[], byte[]> got = c.poll(wait);
            for (TopicPartition tp : got.partitions()) {
                List<ConsumerRecord<byte[], byte[]>> records = got.records(tp);
                List<ConsumerRecord<byte[], byte[]>> mine = buffered.computeIfAbsent(tp, k -> new ArrayList<>());
                mine.addAll(records);
                count += records.size();
                fullest = Math.max(fullest, mine.size());
            }
            now = System.currentTimeMillis();
            if (count > 0 && deadline < 0) {
                deadline = now + window;
            }
            if (fullest >= mapping.batchSize() || (deadline >= 0 && now >= deadline)) {
                break;
            }
        }
        return buffered;
    }

    /** One partition's buffered records, in chunks of BatchSize, each committed once it succeeded. */
    private void deliver(
            KafkaConsumer<byte[], byte[]> c, TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) {
        for (int from = 0; from < records.size(); from += mapping.batchSize()) {
            if (closed || !c.assignment().contains(tp)) {
                return; // not ours any more: the next owner starts at the committed offset
            }
            List<ConsumerRecord<byte[], byte[]>> chunk =
                    records.subList(from, Math.min(records.size(), from + mapping.batchSize()));
            List<ObjectNode> passed = new ArrayList<>(chunk.size());
            for (ConsumerRecord<byte[], byte[]> r : chunk) {
                ObjectNode record = KafkaEvents.record(r);
                if (filters.passesKafka(record)) {
                    passed.add(record);
                }
            }
            long next = chunk.getLast().offset() + 1;
            Optional<String> error = passed.isEmpty() ? Optional.empty() : invoke(tp, passed);
            if (error.isEmpty()) {
                failures.remove(tp);
                commit(c, tp, next);
                continue;
            }
            int failed = failures.merge(tp, 1, Integer::sum);
            int retries = failed - 1;
            if (source.maximumRetryAttempts() >= 0 && retries >= source.maximumRetryAttempts()) {
                if (giveUp(tp, chunk, failed, error.get())) {
                    failures.remove(tp);
                    commit(c, tp, next);
                    continue;
                }
            }
            c.seek(tp, chunk.getFirst().offset());
            c.pause(List.of(tp));
            long backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(20, failed - 1));
            pausedUntil.put(tp, System.currentTimeMillis() + backoff);
            return;
        }
    }

    /** Invokes the function with one partition's records; the error, or empty when it succeeded. */
    private Optional<String> invoke(TopicPartition tp, List<ObjectNode> records) {
        byte[] payload = KafkaEvents.event(source.bootstrapList(), tp.topic(), tp.partition(), records)
                .toString()
                .getBytes(StandardCharsets.UTF_8);
        try {
            InvokeResult result = invoker.invoke(new InvokeCommand(
                    new Caller(mapping.account(), mapping.region()),
                    mapping.functionName(),
                    mapping.qualifier().isEmpty() ? Optional.empty() : Optional.of(mapping.qualifier()),
                    Optional.of("RequestResponse"),
                    Optional.empty(),
                    Optional.empty(),
                    payload,
                    payload.length,
                    RequestIds.next()));
            return result.functionError();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "Kafka event source mapping " + mapping.uuid() + ": invoke failed: " + e.getMessage());
            return Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * Records a chunk given up on at the on-failure destination; true when the offset may move past it
     * (recorded, or no destination: dropped), false when the record could not be written (retry later).
     */
    private boolean giveUp(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> chunk, int attempts, String error) {
        if (source.onFailure().isEmpty()) {
            LOG.log(
                    Level.WARNING,
                    "Kafka event source mapping " + mapping.uuid() + ": dropped " + tp + " offsets "
                            + chunk.getFirst().offset() + "-" + chunk.getLast().offset() + " after " + attempts
                            + " attempts");
            return true;
        }
        ObjectNode record = Json.MAPPER.createObjectNode();
        ObjectNode request = record.putObject("requestContext");
        request.put("requestId", RequestIds.next());
        request.put("functionArn", mapping.functionArn());
        request.put("condition", "RetryAttemptsExhausted");
        request.put("approximateInvokeCount", attempts);
        ObjectNode response = record.putObject("responseContext");
        response.put("statusCode", 200);
        response.put("executedVersion", mapping.qualifier().isEmpty() ? "$LATEST" : mapping.qualifier());
        response.put("functionError", error);
        record.put("version", "1.0");
        record.put("timestamp", Instant.now().toString());
        ObjectNode info = record.putObject("KafkaBatchInfo");
        info.put("batchSize", chunk.size());
        info.put("bootstrapServers", source.bootstrapList());
        info.put("consumerGroupId", source.consumerGroupId());
        info.put("topic", tp.topic());
        info.put("partition", tp.partition());
        info.put("firstOffset", chunk.getFirst().offset());
        info.put("lastOffset", chunk.getLast().offset());
        info.put("firstRecordTimestamp", chunk.getFirst().timestamp());
        info.put("lastRecordTimestamp", chunk.getLast().timestamp());
        try {
            queues.sendBody(QueueRef.fromArn(source.onFailure()).orElseThrow(), record.toString());
            return true;
        } catch (RuntimeException e) {
            LOG.log(
                    Level.WARNING,
                    "Kafka event source mapping " + mapping.uuid() + ": on-failure destination " + source.onFailure()
                            + " refused the record: " + e.getMessage());
            return false;
        }
    }

    /** Commits a partition's next offset; a wake-up meanwhile (close) does not lose the commit. */
    private void commit(KafkaConsumer<byte[], byte[]> c, TopicPartition tp, long next) {
        Map<TopicPartition, OffsetAndMetadata> offsets = Map.of(tp, new OffsetAndMetadata(next));
        try {
            c.commitSync(offsets);
        } catch (WakeupException e) {
            c.commitSync(offsets);
        }
    }

    private void resumeDue(KafkaConsumer<byte[], byte[]> c) {
        if (pausedUntil.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        List<TopicPartition> due = new ArrayList<>();
        pausedUntil.entrySet().removeIf(e -> {
            if (e.getValue() <= now) {
                due.add(e.getKey());
                return true;
            }
            return false;
        });
        due.retainAll(c.assignment());
        if (!due.isEmpty()) {
            c.resume(due);
        }
    }

    /** A partition taken away forgets its failures and pause: its next owner starts from the commit. */
    private final class Forget implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            partitions.forEach(tp -> {
                failures.remove(tp);
                pausedUntil.remove(tp);
            });
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // nothing to do: a partition starts at its committed offset (or StartingPosition)
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the consumer; a batch being invoked finishes, and is committed if it succeeded. */
    @Override
    public void close() {
        closed = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null && thread != Thread.currentThread()) {
            try {
                if (!thread.join(CLOSE_WAIT)) {
                    LOG.log(Level.WARNING, "Kafka event source mapping " + mapping.uuid() + ": still busy after 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
