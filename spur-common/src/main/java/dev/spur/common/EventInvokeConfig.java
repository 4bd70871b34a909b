package dev.spur.common;

import java.time.Instant;
import java.util.Objects;

/**
 * How a function's asynchronous invocations are handled: retries after function errors, how old an
 * event may get before it is given up, and where records of successes and failures go.
 *
 * @param maximumRetryAttempts     0–2 retries after a function error or timeout
 * @param maximumEventAgeSeconds   60–21600 seconds an event may wait (across retries and throttles)
 * @param onSuccess                destination ARN for success records, or null
 * @param onFailure                destination ARN for failure records, or null (then Spur's dead-letter store)
 */
public record EventInvokeConfig(
        int maximumRetryAttempts,
        int maximumEventAgeSeconds,
        String onSuccess,
        String onFailure,
        Instant lastModified) {
    public static final int DEFAULT_RETRIES = 2;
    public static final int DEFAULT_MAX_AGE_SECONDS = 21_600;
    /** What applies to a function with no configuration. */
    public static final EventInvokeConfig DEFAULTS =
            new EventInvokeConfig(DEFAULT_RETRIES, DEFAULT_MAX_AGE_SECONDS, null, null, Instant.EPOCH);

    public EventInvokeConfig {
        Objects.requireNonNull(lastModified, "lastModified");
    }
}
