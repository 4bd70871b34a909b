package dev.spur.common;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An event-source mapping: a poller that reads batches from an event source (an SQS queue, or a topic of
 * a self-managed Kafka cluster) and invokes a function with them, as Lambda's
 * {@code CreateEventSourceMapping} configures it.
 *
 * @param eventSourceArn       the queue's ARN; "" for a Kafka source (which has none)
 * @param qualifier            "" to invoke the function unqualified
 * @param filterPatterns       FilterCriteria's patterns (JSON text), none to pass everything
 * @param maximumConcurrency   ScalingConfig.MaximumConcurrency, 0 when not set
 * @param state                Enabled or Disabled (as stored; the API shows the transitions)
 * @param selfManagedKafka     the Kafka source; null for an SQS mapping (documents stored before Kafka
 *                             mappings existed have none) — read it through {@link #kafka()}
 */
public record EventSourceMapping(
        String uuid,
        String account,
        String region,
        String eventSourceArn,
        String functionName,
        String qualifier,
        int batchSize,
        int maximumBatchingWindowInSeconds,
        List<String> filterPatterns,
        List<String> functionResponseTypes,
        int maximumConcurrency,
        String state,
        Instant lastModified,
        KafkaSource selfManagedKafka) {
    public static final String ENABLED = "Enabled";
    public static final String DISABLED = "Disabled";

    public EventSourceMapping {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(eventSourceArn, "eventSourceArn");
        Objects.requireNonNull(functionName, "functionName");
        qualifier = qualifier == null ? "" : qualifier;
        filterPatterns = filterPatterns == null ? List.of() : List.copyOf(filterPatterns);
        functionResponseTypes = functionResponseTypes == null ? List.of() : List.copyOf(functionResponseTypes);
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(lastModified, "lastModified");
    }

    /** An SQS mapping. */
    public EventSourceMapping(
            String uuid,
            String account,
            String region,
            String eventSourceArn,
            String functionName,
            String qualifier,
            int batchSize,
            int maximumBatchingWindowInSeconds,
            List<String> filterPatterns,
            List<String> functionResponseTypes,
            int maximumConcurrency,
            String state,
            Instant lastModified) {
        this(
                uuid,
                account,
                region,
                eventSourceArn,
                functionName,
                qualifier,
                batchSize,
                maximumBatchingWindowInSeconds,
                filterPatterns,
                functionResponseTypes,
                maximumConcurrency,
                state,
                lastModified,
                null);
    }

    /** The Kafka source, for a self-managed Kafka mapping. */
    public Optional<KafkaSource> kafka() {
        return Optional.ofNullable(selfManagedKafka);
    }

    public boolean enabled() {
        return ENABLED.equals(state);
    }

    public boolean reportsBatchItemFailures() {
        return functionResponseTypes.contains("ReportBatchItemFailures");
    }

    /** The function's ARN, qualified if the mapping names a version or alias. */
    public String functionArn() {
        return "arn:aws:lambda:" + region + ":" + account + ":function:" + functionName
                + (qualifier.isEmpty() ? "" : ":" + qualifier);
    }

    public String arn() {
        return "arn:aws:lambda:" + region + ":" + account + ":event-source-mapping:" + uuid;
    }
}
