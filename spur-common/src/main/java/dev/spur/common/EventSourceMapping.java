package dev.spur.common;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An event-source mapping: a poller that reads batches from an event source (an SQS queue) and
 * invokes a function with them, as Lambda's {@code CreateEventSourceMapping} configures it.
 *
 * @param qualifier            "" to invoke the function unqualified
 * @param filterPatterns       FilterCriteria's patterns (JSON text), none to pass everything
 * @param maximumConcurrency   ScalingConfig.MaximumConcurrency, 0 when not set
 * @param state                Enabled or Disabled (as stored; the API shows the transitions)
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
        Instant lastModified) {
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
