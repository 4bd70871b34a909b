package dev.spur.telemetry;

import dev.spur.common.FunctionKey;
import dev.spur.invoke.InvokeObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * One function's asynchronous events, labelled {@code function, region, account} (an event is queued
 * for a qualifier, and may run another version each attempt: versions are on the invocation series).
 */
final class AsyncMeters implements InvokeObserver.AsyncProbe {
    private final MeterRegistry registry;
    private final Tags tags;
    private final Timer age;
    private final Counter retried;
    private final Counter deadLettered;
    private final Counter destinationFailures;
    private final ConcurrentMap<String, Counter> dropped = new ConcurrentHashMap<>();

    AsyncMeters(MeterRegistry registry, FunctionKey key) {
        this.registry = registry;
        this.tags = Tags.of("function", key.name(), "region", key.region(), "account", key.account());
        this.age = Timer.builder("spur.async.event.age")
                .description("Time from accept to each attempt's take (Lambda's AsyncEventAge)")
                .tags(tags)
                .serviceLevelObjectives(Metrics.AGE_BUCKETS)
                .register(registry);
        this.retried = Counter.builder("spur.async.events.retried")
                .description("Attempts that failed (function error or throttle) and went back to the queue")
                .tags(tags)
                .register(registry);
        this.deadLettered = Counter.builder("spur.async.events.dead.lettered")
                .description("Events given up and moved to the dead-letter store (no OnFailure destination)")
                .tags(tags)
                .register(registry);
        this.destinationFailures = Counter.builder("spur.async.destination.delivery.failures")
                .description("Destination records that could not be enqueued (the event stays queued)")
                .tags(tags)
                .register(registry);
    }

    @Override
    public void taken(long ageMillis) {
        age.record(ageMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void retried() {
        retried.increment();
    }

    @Override
    public void dropped(String reason, boolean toDeadLetters) {
        Counter c = dropped.get(reason);
        if (c == null) {
            c = dropped.computeIfAbsent(
                    reason,
                    r -> Counter.builder("spur.async.events.dropped")
                            .description("Events given up without a successful run, by reason (EventAgeExceeded, "
                                    + "RetriesExhausted, ResourceNotFound, Error), to OnFailure or the dead letters")
                            .tags(tags)
                            .tag("reason", r)
                            .register(registry));
        }
        c.increment();
        if (toDeadLetters) {
            deadLettered.increment();
        }
    }

    @Override
    public void destinationFailed() {
        destinationFailures.increment();
    }
}
