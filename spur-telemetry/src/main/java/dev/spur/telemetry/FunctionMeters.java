package dev.spur.telemetry;

import dev.spur.common.FunctionKey;
import dev.spur.invoke.InvokeObserver;
import dev.spur.pools.InvocationOutcome;
import dev.spur.pools.Lease;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of one (function, executed version, alias), created once and then only incremented:
 * the probe the invoke path calls. Lambda's meanings: every invocation counts in
 * {@code spur_invocations_total}, failed ones also in {@code spur_errors_total} by {@code type};
 * throttled requests count only in {@code spur_throttles_total} (as on Lambda, not as invocations).
 */
final class FunctionMeters implements InvokeObserver.Probe {
    /** {@code type} of {@code spur_errors_total} per outcome kind; OOM is an exit the sandbox saw as an OOM kill. */
    static final String OOM = "oom";

    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter invocations;
    private final Counter[] errors = new Counter[InvocationOutcome.Kind.values().length];
    private final Counter oom;
    private final Counter coldStarts;
    private final Counter spillover;
    private final Timer duration;
    private final Timer initDuration;
    private final Timer sandboxStart;
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger provisionedConcurrent = new AtomicInteger();
    private final Counter received;
    private final ConcurrentMap<String, Counter> throttles = new ConcurrentHashMap<>();

    FunctionMeters(MeterRegistry registry, FunctionKey key, String version, String alias, Timer sandboxStart) {
        this.registry = registry;
        this.sandboxStart = sandboxStart;
        this.tags = Tags.of(
                "function",
                key.name(),
                "region",
                key.region(),
                "account",
                key.account(),
                "version",
                version,
                "alias",
                alias);
        this.invocations = Counter.builder("spur.invocations")
                .description("Invocations that ran (successful or not; throttles excluded)")
                .tags(tags)
                .register(registry);
        for (InvocationOutcome.Kind kind : InvocationOutcome.Kind.values()) {
            if (kind != InvocationOutcome.Kind.SUCCESS) {
                errors[kind.ordinal()] = error(errorType(kind));
            }
        }
        this.oom = error(OOM);
        this.coldStarts = Counter.builder("spur.cold.starts")
                .description("Invocations that started a new environment")
                .tags(tags)
                .register(registry);
        this.spillover = Counter.builder("spur.provisioned.concurrency.spillover.invocations")
                .description("Invocations on on-demand environments of a version with provisioned concurrency")
                .tags(tags)
                .register(registry);
        this.duration = Timer.builder("spur.duration")
                .description("Invocation duration, from dispatch to the runtime's answer (REPORT's Duration)")
                .tags(tags)
                .serviceLevelObjectives(Metrics.DURATION_BUCKETS)
                .register(registry);
        this.initDuration = Timer.builder("spur.init.duration")
                .description("Init phase of cold starts (REPORT's Init Duration)")
                .tags(tags)
                .serviceLevelObjectives(Metrics.INIT_BUCKETS)
                .register(registry);
        Gauge.builder("spur.concurrent.executions", concurrent, AtomicInteger::get)
                .description("Invocations running now")
                .tags(tags)
                .register(registry);
        Gauge.builder("spur.provisioned.concurrency.executions", provisionedConcurrent, AtomicInteger::get)
                .description("Invocations running now on provisioned environments")
                .tags(tags)
                .register(registry);
        this.received = Counter.builder("spur.async.events.received")
                .description("Asynchronous invocations accepted (202)")
                .tags(tags)
                .register(registry);
    }

    /** The {@code type} label of a failed outcome. */
    static String errorType(InvocationOutcome.Kind kind) {
        return switch (kind) {
            case SUCCESS -> throw new IllegalArgumentException("not an error");
            case FUNCTION_ERROR -> "function";
            case INIT_ERROR -> "init";
            case TIMEOUT -> "timeout";
            case EXIT_ERROR -> "runtime_exit";
            case RESPONSE_TOO_LARGE -> "response_too_large";
        };
    }

    private Counter error(String type) {
        return Counter.builder("spur.errors")
                .description("Invocations that failed, by type: function, init, timeout, oom, runtime_exit, "
                        + "response_too_large")
                .tags(tags)
                .tag("type", type)
                .register(registry);
    }

    @Override
    public void admitted(Lease lease) {
        admitted(lease.provisioned(), lease.spillover(), lease.coldStart(), lease.sandboxLaunchNanos());
    }

    @Override
    public void finished(Lease lease, InvocationOutcome outcome) {
        if (outcome == null) {
            ended(lease.provisioned()); // interrupted: no answer to count
            return;
        }
        finished(
                lease.provisioned(), outcome.kind(), outcome.errorType(), outcome.durationNanos(), outcome.initNanos());
    }

    void admitted(boolean provisioned, boolean spilled, boolean coldStart, long sandboxLaunchNanos) {
        concurrent.incrementAndGet();
        if (provisioned) {
            provisionedConcurrent.incrementAndGet();
        } else if (spilled) {
            spillover.increment();
        }
        if (coldStart) {
            coldStarts.increment();
            sandboxStart.record(sandboxLaunchNanos, TimeUnit.NANOSECONDS);
        }
    }

    void finished(
            boolean provisioned, InvocationOutcome.Kind kind, String errorType, long durationNanos, long initNanos) {
        ended(provisioned);
        invocations.increment();
        if (kind != InvocationOutcome.Kind.SUCCESS) {
            boolean oomKill = kind == InvocationOutcome.Kind.EXIT_ERROR && "Runtime.OutOfMemory".equals(errorType);
            (oomKill ? oom : errors[kind.ordinal()]).increment();
        }
        duration.record(durationNanos, TimeUnit.NANOSECONDS);
        if (initNanos >= 0) {
            initDuration.record(initNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void ended(boolean provisioned) {
        concurrent.decrementAndGet();
        if (provisioned) {
            provisionedConcurrent.decrementAndGet();
        }
    }

    @Override
    public void throttled(String reason) {
        Counter c = throttles.get(reason);
        if (c == null) {
            c = throttles.computeIfAbsent(
                    reason,
                    r -> Counter.builder("spur.throttles")
                            .description("Invocation requests refused with 429, by Lambda's Reason")
                            .tags(tags)
                            .tag("reason", r)
                            .register(registry));
        }
        c.increment();
    }

    @Override
    public void asyncReceived() {
        received.increment();
    }
}
