package dev.spur.triggers;

import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.EventSourceMapping;
import dev.spur.common.FunctionTargets;
import dev.spur.common.KafkaSource;
import dev.spur.common.LambdaException;
import dev.spur.invoke.Invoker;
import dev.spur.sqs.QueueRef;
import dev.spur.sqs.Queues;
import dev.spur.store.MappingLeases;
import dev.spur.store.MappingStore;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Event-source mappings: Lambda's {@code CreateEventSourceMapping} and friends, stored in the
 * {@link MappingStore}, each enabled mapping running its {@link SqsPoller}. Validation follows Lambda's
 * limits for SQS sources (BatchSize 1–10,000, above 10 only with a batching window; FIFO queues at most
 * 10 and no window; window 0–300 s; MaximumConcurrency 2–1,000; at most 5 filters; one mapping per queue
 * and function).
 *
 * <p>State: the API shows the transition (Creating, Updating, Deleting) in the answer to the change and
 * the settled state (Enabled, Disabled) afterwards; the change is done before the answer, so the settled
 * state is visible at once. A disabled mapping has no pollers and delivers nothing.
 *
 * <p>Ownership ({@link MappingLeases}): on one node every enabled mapping's pollers run here. In a fleet a
 * node runs the pollers of the mappings it holds a lease on: every {@link #RENEW} it renews its leases, claims
 * the enabled mappings no live node holds (a new one, or a dead node's once its {@link #LEASE} has expired on
 * the database's clock) and gives up the ones deleted or disabled, then starts and stops pollers to match.
 * A change made on another node arrives through the change feed ({@link #changed}) and is applied the same
 * way. If the leases cannot be renewed (the database away) for {@code LEASE - RENEW}, this node stops every
 * poller, because another node may take them over once they expire. A change here (create, update, delete)
 * claims or releases at once; the node that creates a mapping runs it if no other node holds it.
 *
 * <p>The seam for other kinds of source: {@link #run} starts and {@link #stop} stops one mapping's poller;
 * whatever the kind, ownership decides only whether it runs here.
 *
 * <p>Self-managed Kafka sources ({@link KafkaMappings} validates them) run a {@link KafkaPoller} instead of an
 * {@link SqsPoller}: one consumer thread in the mapping's consumer group, offsets committed only after a batch
 * succeeded; ownership moves it like any other.
 */
public final class EventSourceMappings implements AutoCloseable {
    private final MappingStore store;
    private final Queues queues;
    private final Invoker invoker;
    private final FunctionTargets targets;
    private final InstantSource clock;
    private static final System.Logger LOG = System.getLogger(EventSourceMappings.class.getName());
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentMap<String, EventSourceMapping> mappings = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Poller> pollers = new ConcurrentHashMap<>();
    private final MappingLeases leases;
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile boolean started;
    private volatile Thread renewer;
    /** When the leases were last renewed ({@link System#nanoTime}); under the lock. */
    private long renewedAt;

    /** How long a node holds a mapping without renewing it: another takes it over after this. */
    public static final Duration LEASE = Duration.ofSeconds(10);
    /** How often a node renews its leases and claims free mappings. */
    public static final Duration RENEW = Duration.ofSeconds(2);

    /** A node alone: every mapping runs here. */
    public EventSourceMappings(
            MappingStore store, Queues queues, Invoker invoker, FunctionTargets targets, InstantSource clock) {
        this(store, queues, invoker, targets, clock, MappingLeases.all());
    }

    /** A node that runs the mappings it holds by {@code leases}. */
    public EventSourceMappings(
            MappingStore store,
            Queues queues,
            Invoker invoker,
            FunctionTargets targets,
            InstantSource clock,
            MappingLeases leases) {
        this.store = store;
        this.queues = queues;
        this.invoker = invoker;
        this.targets = targets;
        this.clock = clock;
        this.leases = leases;
        for (EventSourceMapping m : store.allMappings()) {
            mappings.put(m.uuid(), m);
        }
    }

    /** Starts the pollers of every enabled mapping this node holds, and the renewal of its leases. */
    public EventSourceMappings start() {
        started = true;
        lock.lock();
        try {
            reconcile();
        } finally {
            lock.unlock();
        }
        renewer = Thread.ofPlatform().name("spur-mapping-leases").daemon().start(this::renewLoop);
        return this;
    }

    /** The mappings whose pollers run on this node now, by UUID. */
    public Set<String> polled() {
        return new TreeSet<>(pollers.keySet());
    }

    /**
     * A mapping changed in the store (the change feed, another node's write or this node's own): read it again
     * and start, restart or stop its poller here as it and this node's leases say.
     */
    public void changed(String account, String region, String uuid) {
        Optional<EventSourceMapping> stored = store.allMappings().stream()
                .filter(m -> m.uuid().equals(uuid)
                        && m.account().equals(account)
                        && m.region().equals(region))
                .findFirst();
        lock.lock();
        try {
            apply(uuid, stored);
            reconcileQuietly();
        } finally {
            lock.unlock();
        }
    }

    /** Reads every mapping again (the change feed lost its place). */
    public void reloadAll() {
        Map<String, EventSourceMapping> stored = new HashMap<>();
        store.allMappings().forEach(m -> stored.put(m.uuid(), m));
        lock.lock();
        try {
            for (String uuid : new ArrayList<>(mappings.keySet())) {
                if (!stored.containsKey(uuid)) {
                    apply(uuid, Optional.empty());
                }
            }
            stored.forEach((uuid, m) -> apply(uuid, Optional.of(m)));
            reconcileQuietly();
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: the in-memory mapping becomes what is stored; a changed or removed one's poller stops. */
    private void apply(String uuid, Optional<EventSourceMapping> stored) {
        EventSourceMapping current = mappings.get(uuid);
        if (stored.isEmpty()) {
            mappings.remove(uuid);
            stop(uuid);
        } else if (!stored.get().equals(current)) {
            mappings.put(uuid, stored.get());
            stop(uuid); // restarted with the new settings by reconcile if this node holds it
        }
    }

    /**
     * What a create or update asks for; empty fields keep their value (or take the default on create).
     *
     * @param maximumConcurrency 0 to remove the scaling configuration
     */
    public record Spec(
            Optional<String> eventSourceArn,
            Optional<String> functionName,
            Optional<Boolean> enabled,
            Optional<Integer> batchSize,
            Optional<Integer> maximumBatchingWindowInSeconds,
            Optional<List<String>> filterPatterns,
            Optional<List<String>> functionResponseTypes,
            Optional<Integer> maximumConcurrency,
            KafkaSpec kafka) {
        /** An SQS (or no) source: no Kafka settings. */
        public Spec(
                Optional<String> eventSourceArn,
                Optional<String> functionName,
                Optional<Boolean> enabled,
                Optional<Integer> batchSize,
                Optional<Integer> maximumBatchingWindowInSeconds,
                Optional<List<String>> filterPatterns,
                Optional<List<String>> functionResponseTypes,
                Optional<Integer> maximumConcurrency) {
            this(
                    eventSourceArn,
                    functionName,
                    enabled,
                    batchSize,
                    maximumBatchingWindowInSeconds,
                    filterPatterns,
                    functionResponseTypes,
                    maximumConcurrency,
                    KafkaSpec.NONE);
        }
    }

    /**
     * The Kafka part of a create or update: {@code SelfManagedEventSource.Endpoints}, {@code Topics},
     * {@code StartingPosition}, {@code SelfManagedKafkaEventSourceConfig.ConsumerGroupId},
     * {@code MaximumRetryAttempts} and {@code DestinationConfig}'s destinations, each empty when not given.
     *
     * @param endpoints            SelfManagedEventSource.Endpoints' keys → values, as given
     * @param onFailureDestination DestinationConfig.OnFailure.Destination
     * @param onSuccessDestination DestinationConfig.OnSuccess.Destination (refused)
     */
    public record KafkaSpec(
            Optional<Map<String, List<String>>> endpoints,
            Optional<List<String>> topics,
            Optional<String> startingPosition,
            Optional<String> consumerGroupId,
            Optional<Integer> maximumRetryAttempts,
            Optional<String> onFailureDestination,
            Optional<String> onSuccessDestination) {
        public static final KafkaSpec NONE = new KafkaSpec(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());

        public boolean selfManaged() {
            return endpoints.isPresent();
        }
    }

    public EventSourceMapping create(Caller caller, Spec spec) {
        if (spec.kafka().selfManaged()) {
            return createKafka(caller, spec);
        }
        String arn = spec.eventSourceArn()
                .orElseThrow(() -> LambdaException.invalid("EventSourceArn is required for an SQS event source."));
        QueueRef queue = queues.find(arn)
                .filter(q -> q.account().equals(caller.account()))
                .orElseThrow(() -> LambdaException.invalid(
                        "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. "
                                + "SQS Error Message: The specified queue does not exist: %s",
                        arn));
        String function = spec.functionName().orElseThrow(() -> LambdaException.invalid("FunctionName is required."));
        FunctionTargets.Target target = targets.resolve(caller, function, "");
        EventSourceMapping m = validate(
                queue,
                new EventSourceMapping(
                        UUID.randomUUID().toString(),
                        caller.account(),
                        caller.region(),
                        queue.arn(),
                        target.functionName(),
                        target.qualifier(),
                        spec.batchSize().orElse(10),
                        spec.maximumBatchingWindowInSeconds().orElse(0),
                        spec.filterPatterns().orElse(List.of()),
                        spec.functionResponseTypes().orElse(List.of()),
                        spec.maximumConcurrency().orElse(0),
                        spec.enabled().orElse(true) ? EventSourceMapping.ENABLED : EventSourceMapping.DISABLED,
                        clock.instant()));
        lock.lock();
        try {
            for (EventSourceMapping other : mappings.values()) {
                if (other.eventSourceArn().equals(m.eventSourceArn())
                        && other.account().equals(m.account())
                        && other.functionArn().equals(m.functionArn())) {
                    throw LambdaException.conflict(
                            "An event source mapping with SQS arn (\" %s \") and function (\" %s \") already exists. "
                                    + "Please update or delete the existing mapping with UUID %s",
                            m.eventSourceArn(), m.functionName(), other.uuid());
                }
            }
            claimBeforeStoring(m.uuid());
            store.putMapping(m, true);
            mappings.put(m.uuid(), m);
            reconcileQuietly();
        } finally {
            lock.unlock();
        }
        return m;
    }

    /** A self-managed Kafka mapping: one per consumer group, and one per cluster, topic and function. */
    private EventSourceMapping createKafka(Caller caller, Spec spec) {
        String function = spec.functionName().orElseThrow(() -> LambdaException.invalid("FunctionName is required."));
        FunctionTargets.Target target = targets.resolve(caller, function, "");
        EventSourceMapping m = KafkaMappings.create(
                caller,
                UUID.randomUUID().toString(),
                spec,
                target.functionName(),
                target.qualifier(),
                queues,
                clock.instant());
        KafkaSource source = m.kafka().orElseThrow();
        lock.lock();
        try {
            for (EventSourceMapping other : mappings.values()) {
                Optional<KafkaSource> theirs = other.kafka();
                if (theirs.isEmpty() || !other.account().equals(m.account())) {
                    continue;
                }
                if (theirs.get().consumerGroupId().equals(source.consumerGroupId())
                        && theirs.get().bootstrapServers().equals(source.bootstrapServers())) {
                    throw LambdaException.conflict(
                            "The consumer group %s is already used by the event source mapping %s.",
                            source.consumerGroupId(), other.uuid());
                }
                if (theirs.get().bootstrapServers().equals(source.bootstrapServers())
                        && theirs.get().topic().equals(source.topic())
                        && other.functionArn().equals(m.functionArn())) {
                    throw LambdaException.conflict(
                            "An event source mapping for Kafka topic %s and function %s already exists. "
                                    + "Please update or delete the existing mapping with UUID %s",
                            source.topic(), m.functionName(), other.uuid());
                }
            }
            claimBeforeStoring(m.uuid());
            store.putMapping(m, true);
            mappings.put(m.uuid(), m);
            reconcileQuietly();
        } finally {
            lock.unlock();
        }
        return m;
    }

    public EventSourceMapping update(Caller caller, String uuid, Spec spec) {
        lock.lock();
        try {
            EventSourceMapping old = get(caller, uuid);
            String function = old.functionName();
            String qualifier = old.qualifier();
            if (spec.functionName().isPresent()) {
                FunctionTargets.Target target =
                        targets.resolve(caller, spec.functionName().get(), "");
                function = target.functionName();
                qualifier = target.qualifier();
            }
            if (old.kafka().isPresent()) {
                EventSourceMapping m =
                        KafkaMappings.update(caller, old, spec, function, qualifier, queues, clock.instant());
                store.putMapping(m, false);
                mappings.put(uuid, m);
                stop(uuid);
                reconcileQuietly();
                return m;
            }
            if (spec.kafka().selfManaged()) {
                throw LambdaException.invalid("An SQS mapping cannot be changed into a Kafka mapping.");
            }
            QueueRef queue = QueueRef.fromArn(old.eventSourceArn()).orElseThrow();
            EventSourceMapping m = validate(
                    queue,
                    new EventSourceMapping(
                            uuid,
                            old.account(),
                            old.region(),
                            old.eventSourceArn(),
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
                            clock.instant()));
            store.putMapping(m, false);
            mappings.put(uuid, m);
            stop(uuid);
            reconcileQuietly();
            return m;
        } finally {
            lock.unlock();
        }
    }

    public EventSourceMapping delete(Caller caller, String uuid) {
        lock.lock();
        try {
            EventSourceMapping m = get(caller, uuid);
            stop(uuid);
            store.deleteMapping(m.account(), m.region(), uuid);
            mappings.remove(uuid);
            reconcileQuietly();
            return m;
        } finally {
            lock.unlock();
        }
    }

    public EventSourceMapping get(Caller caller, String uuid) {
        EventSourceMapping m = mappings.get(uuid);
        if (m == null || !m.account().equals(caller.account()) || !m.region().equals(caller.region())) {
            throw LambdaException.notFound("The resource you requested does not exist.");
        }
        return m;
    }

    /** The caller's mappings, optionally of one source and/or one function (by name or ARN), by UUID. */
    public List<EventSourceMapping> list(Caller caller, Optional<String> eventSourceArn, Optional<String> function) {
        Optional<String> functionName =
                function.map(f -> targets.resolve(caller, f, "").functionName());
        List<EventSourceMapping> out = new ArrayList<>();
        for (EventSourceMapping m : mappings.values()) {
            if (m.account().equals(caller.account())
                    && m.region().equals(caller.region())
                    && eventSourceArn.map(m.eventSourceArn()::equals).orElse(true)
                    && functionName.map(m.functionName()::equals).orElse(true)) {
                out.add(m);
            }
        }
        out.sort((a, b) -> a.uuid().compareTo(b.uuid()));
        return out;
    }

    private static EventSourceMapping validate(QueueRef queue, EventSourceMapping m) {
        int max = queue.fifo() ? 10 : 10_000;
        if (m.batchSize() < 1 || m.batchSize() > max) {
            throw LambdaException.of(
                    ErrorCode.INVALID_PARAMETER_VALUE,
                    "BatchSize must be between 1 and %d for %s queues.",
                    max,
                    queue.fifo() ? "FIFO" : "standard");
        }
        if (m.maximumBatchingWindowInSeconds() < 0 || m.maximumBatchingWindowInSeconds() > 300) {
            throw LambdaException.invalid("MaximumBatchingWindowInSeconds must be between 0 and 300.");
        }
        if (queue.fifo() && m.maximumBatchingWindowInSeconds() > 0) {
            throw LambdaException.invalid("Batching window is not supported for FIFO queues.");
        }
        if (m.batchSize() > 10 && m.maximumBatchingWindowInSeconds() < 1) {
            throw LambdaException.invalid(
                    "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
        }
        if (m.maximumConcurrency() != 0 && (m.maximumConcurrency() < 2 || m.maximumConcurrency() > 1000)) {
            throw LambdaException.invalid("MaximumConcurrency must be between 2 and 1000.");
        }
        for (String type : m.functionResponseTypes()) {
            if (!type.equals("ReportBatchItemFailures")) {
                throw LambdaException.invalid(
                        "1 validation error detected: Value '[%s]' at 'functionResponseTypes' failed to satisfy "
                                + "constraint: Member must satisfy enum value set: [ReportBatchItemFailures]",
                        type);
            }
        }
        Filters.of(m.filterPatterns()); // refuses what the matcher cannot compile
        return m;
    }

    /**
     * Under the lock: renews and claims the leases of the enabled mappings, then runs exactly the pollers of
     * those this node holds.
     *
     * @throws IllegalStateException if the leases cannot be renewed (nothing started or stopped then)
     */
    private void reconcile() {
        if (!started) {
            return;
        }
        List<String> wanted = new ArrayList<>();
        for (EventSourceMapping m : mappings.values()) {
            if (m.enabled()) {
                wanted.add(m.uuid());
            }
        }
        Set<String> held = leases.hold(wanted);
        renewedAt = System.nanoTime();
        for (String uuid : new ArrayList<>(pollers.keySet())) {
            EventSourceMapping m = mappings.get(uuid);
            if (!held.contains(uuid) || m == null || !m.enabled()) {
                stop(uuid);
            }
        }
        for (String uuid : held) {
            EventSourceMapping m = mappings.get(uuid);
            if (m != null && m.enabled() && !pollers.containsKey(uuid)) {
                run(m);
            }
        }
    }

    /**
     * Under the lock: takes the lease of a mapping about to be created, before any other node can know of it, so
     * that the node that creates a mapping runs it (a mapping that is then not stored loses its lease at the next
     * renewal). A failure is left to the renewals.
     */
    private void claimBeforeStoring(String uuid) {
        if (!started) {
            return;
        }
        List<String> wanted = new ArrayList<>(List.of(uuid));
        for (EventSourceMapping m : mappings.values()) {
            if (m.enabled()) {
                wanted.add(m.uuid());
            }
        }
        try {
            leases.hold(wanted);
        } catch (RuntimeException e) {
            LOG.log(
                    Level.WARNING,
                    "cannot claim the new mapping's lease now; the next renewal retries: " + e.getMessage());
        }
    }

    /** As {@link #reconcile}, after a change that is already stored: a failure is left to the next renewal. */
    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot renew the mapping leases now; the next renewal retries: " + e.getMessage());
        }
    }

    private void renewLoop() {
        while (true) {
            try {
                if (closing.await(RENEW.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            lock.lock();
            try {
                reconcile();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot renew the mapping leases: " + e.getMessage());
                if (System.nanoTime() - renewedAt > LEASE.minus(RENEW).toNanos() && !pollers.isEmpty()) {
                    LOG.log(
                            Level.WARNING,
                            "mapping leases not renewed for "
                                    + LEASE.minus(RENEW).toSeconds()
                                    + " s: stopping this node's pollers (another node may take the mappings over)");
                    new ArrayList<>(pollers.keySet()).forEach(this::stop);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Starts one mapping's poller here (the seam a source kind plugs its poller into). */
    private void run(EventSourceMapping m) {
        if (!started || !m.enabled()) {
            return;
        }
        if (m.kafka().isPresent()) {
            pollers.put(m.uuid(), new KafkaPoller(m, invoker, queues).start());
            return;
        }
        QueueRef queue = QueueRef.fromArn(m.eventSourceArn()).orElseThrow();
        pollers.put(m.uuid(), new SqsPoller(m, queue, queues, invoker).start());
    }

    private void stop(String uuid) {
        Poller poller = pollers.remove(uuid);
        if (poller != null) {
            poller.close();
        }
    }

    /** Stops the pollers and gives up this node's leases, so other nodes take its mappings at once. */
    @Override
    public void close() {
        closing.countDown();
        Thread r = renewer;
        if (r != null) {
            try {
                r.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lock.lock();
        try {
            new ArrayList<>(pollers.keySet()).forEach(this::stop);
            if (started) {
                leases.release();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot release the mapping leases; they expire in " + LEASE.toSeconds() + " s");
        } finally {
            lock.unlock();
        }
    }
}
