package dev.spur.triggers;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Caller;
import dev.spur.common.FunctionKey;
import dev.spur.common.FunctionTargets;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.common.Schedule;
import dev.spur.control.Validation;
import dev.spur.cron.Rate;
import dev.spur.cron.ScheduleExpression;
import dev.spur.invoke.Invoker;
import dev.spur.queue.EventQueue;
import dev.spur.queue.QueuedEvent;
import dev.spur.store.MetadataStore;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * Schedules that invoke functions: stored in the metadata store, fired by one thread
 * ({@code spur-schedules}) that sleeps until the earliest next fire. A fire is an asynchronous
 * invocation through the durable queue, so it runs (at least once) even if the function scaled to
 * zero or the server stops right after.
 *
 * <p>Order of a fire: the event is enqueued durably under the fire's claim ({@link EventQueue#enqueueClaimed}:
 * the schedule and the scheduled time), then the schedule's {@code lastFire} is recorded. Every node of a
 * fleet runs this thread over every schedule (the feed keeps their copies current); the claim makes one of
 * them enqueue each fire, whichever finds it due first — claimed, not elected, so a node that dies leaves
 * nothing to hand over: the next fire is claimed by whoever is alive. A crash between the claim's commit
 * and recording {@code lastFire} does not fire that time again (the claim is remembered a day); a crash
 * before the commit leaves it to the next node, or to the next start (at least once, never lost, and once
 * per scheduled time).
 *
 * <p>{@code lastFire} is the scheduled time of the last fire, or the moment the schedule's timetable
 * last changed or it was enabled again (fires are counted from there; nothing missed while it was
 * disabled fires).
 *
 * <p>Missed fires: fires that fell due while the server was down are run once, for the latest missed
 * time, at start ({@code skipMissed}: not at all); a tick that finds several fires due (the thread
 * was delayed) likewise runs one. The clock is injected; {@link #tick} is what the thread calls and
 * what tests call with a fake clock.
 */
public final class Schedules implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Schedules.class.getName());
    private static final Pattern NAME = Pattern.compile("[0-9a-zA-Z-_.]{1,64}");
    /** How many due fires a tick will step over to find the latest (a year of minutes is ~526k). */
    private static final int MAX_STEPS = 1_000_000;

    private static final Duration MAX_SLEEP = Duration.ofSeconds(30);

    private final MetadataStore store;
    private final EventQueue queue;
    private final FunctionTargets targets;
    private final InstantSource clock;
    private final ConcurrentMap<String, Schedule> schedules = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicLong fires = new AtomicLong();
    private Thread thread;
    private volatile boolean closed;

    public Schedules(MetadataStore store, EventQueue queue, FunctionTargets targets, InstantSource clock) {
        this.store = store;
        this.queue = queue;
        this.targets = targets;
        this.clock = clock;
        for (Schedule s : store.allSchedules()) {
            schedules.put(id(s.account(), s.region(), s.name()), s);
        }
    }

    /** Starts the firing thread; its first tick applies the missed-fire policy. */
    public Schedules start() {
        thread = Thread.ofPlatform().daemon().name("spur-schedules").start(this::loop);
        return this;
    }

    /** A schedule as the API takes it; absent fields of an update keep their value. */
    public record Change(
            Optional<String> expression,
            Optional<String> timezone,
            Optional<String> functionName,
            Optional<String> qualifier,
            Optional<Optional<String>> input,
            Optional<Boolean> enabled,
            Optional<Boolean> skipMissed,
            Optional<String> description) {}

    public Schedule create(Caller caller, String name, Change change) {
        LambdaException.requireValid(
                name != null && NAME.matcher(name).matches(),
                "1 validation error detected: "
                        + "Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                        + "[0-9a-zA-Z-_.]+ and have length between 1 and 64",
                name);
        Instant now = clock.instant();
        Schedule s = validate(
                new Schedule(
                        caller.account(),
                        caller.region(),
                        name,
                        change.expression()
                                .orElseThrow(() -> LambdaException.invalid("ScheduleExpression is required.")),
                        change.timezone().orElse("UTC"),
                        change.functionName()
                                .orElseThrow(() -> LambdaException.invalid("Target function is required.")),
                        change.qualifier().orElse(""),
                        change.input().flatMap(i -> i).orElse(null),
                        change.enabled().orElse(true),
                        change.skipMissed().orElse(false),
                        change.description().orElse(""),
                        now,
                        now,
                        null),
                caller);
        lock.lock();
        try {
            store.putSchedule(s, true);
            schedules.put(id(s.account(), s.region(), name), s);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return s;
    }

    public Schedule update(Caller caller, String name, Change change) {
        lock.lock();
        try {
            Schedule current = require(caller, name);
            Schedule s = validate(
                    new Schedule(
                            current.account(),
                            current.region(),
                            name,
                            change.expression().orElse(current.expression()),
                            change.timezone().orElse(current.timezone()),
                            change.functionName().orElse(current.functionName()),
                            change.qualifier().orElse(current.qualifier()),
                            change.input().isPresent() ? change.input().get().orElse(null) : current.input(),
                            change.enabled().orElse(current.enabled()),
                            change.skipMissed().orElse(current.skipMissed()),
                            change.description().orElse(current.description()),
                            current.createdAt(),
                            clock.instant(),
                            current.lastFire()),
                    caller);
            if (!s.expression().equals(current.expression())
                    || !s.timezone().equals(current.timezone())
                    || s.enabled() && !current.enabled()) {
                // A new timetable (or one switched back on) counts from now: nothing "missed" meanwhile fires.
                s = s.withLastFire(clock.instant());
            }
            store.putSchedule(s, false);
            schedules.put(id(s.account(), s.region(), name), s);
            changed.signalAll();
            return s;
        } finally {
            lock.unlock();
        }
    }

    public void delete(Caller caller, String name) {
        lock.lock();
        try {
            require(caller, name);
            store.deleteSchedule(caller.account(), caller.region(), name);
            schedules.remove(id(caller.account(), caller.region(), name));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public Schedule get(Caller caller, String name) {
        return require(caller, name);
    }

    public List<Schedule> list(Caller caller) {
        return schedules.values().stream()
                .filter(s -> s.account().equals(caller.account()) && s.region().equals(caller.region()))
                .sorted(Comparator.comparing(Schedule::name))
                .toList();
    }

    /** The next time this schedule fires, if it is enabled and has one. */
    public Optional<Instant> nextFire(Schedule s) {
        if (!s.enabled()) {
            return Optional.empty();
        }
        return next(s, s.lastFire() != null ? s.lastFire() : s.createdAt());
    }

    /**
     * Fires every schedule that is due at the clock's now and returns when the next one is due.
     *
     * @param catchingUp true on the first tick after start: fires missed while down follow each
     *                   schedule's missed-fire policy
     */
    public Optional<Instant> tick(boolean catchingUp) {
        Instant now = clock.instant();
        Optional<Instant> earliest = Optional.empty();
        for (Schedule s : List.copyOf(schedules.values())) {
            try {
                Optional<Instant> next = fireIfDue(s, now, catchingUp);
                if (next.isPresent() && (earliest.isEmpty() || next.get().isBefore(earliest.get()))) {
                    earliest = next;
                }
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "schedule " + s.name() + " could not fire; trying again shortly", e);
                Instant retry = now.plusSeconds(1);
                earliest = Optional.of(earliest.filter(t -> t.isBefore(retry)).orElse(retry));
            }
        }
        return earliest;
    }

    private Optional<Instant> fireIfDue(Schedule s, Instant now, boolean catchingUp) {
        Optional<Instant> due = nextFire(s);
        if (due.isEmpty() || due.get().isAfter(now)) {
            return due;
        }
        // Step to the latest fire time that is due: several can be, after downtime or a delayed tick.
        Instant latest = due.get();
        for (int i = 0; i < MAX_STEPS; i++) {
            Optional<Instant> following = next(s, latest);
            if (following.isEmpty() || following.get().isAfter(now)) {
                break;
            }
            latest = following.get();
        }
        boolean missedWhileDown = catchingUp && latest.isBefore(now.minusSeconds(1));
        lock.lock();
        try {
            Schedule current = schedules.get(id(s.account(), s.region(), s.name()));
            if (current == null || !current.equals(s)) {
                return Optional.of(now); // changed meanwhile: look again at once
            }
            if (!(missedWhileDown && s.skipMissed())) {
                fire(s, latest);
            }
            store.recordFire(s.account(), s.region(), s.name(), latest); // false: another node recorded it
            Schedule fired = s.withLastFire(latest);
            schedules.put(id(s.account(), s.region(), s.name()), fired);
            return nextFire(fired);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Enqueues the invocation durably — EventBridge's Scheduled Event, or the schedule's own input — under
     * the claim of this schedule's fire at {@code scheduledTime}: of all the nodes that find it due, the one
     * whose claim commits first enqueues it, in the same transaction; the others find the claim taken and
     * enqueue nothing. So a tick fires once across the fleet, and is never lost to a node dying between
     * the claim and the event.
     */
    private void fire(Schedule s, Instant scheduledTime) {
        byte[] payload =
                s.input() != null ? s.input().getBytes(StandardCharsets.UTF_8) : scheduledEvent(s, scheduledTime);
        FunctionKey key = new FunctionKey(s.account(), s.region(), s.functionName());
        Instant now = clock.instant();
        boolean fired = queue.enqueueClaimed(
                new QueuedEvent(
                        UUID.randomUUID().toString(), key, s.qualifier(), payload, now, 0, now, "schedule:" + s.name()),
                claim(s, scheduledTime));
        if (fired) {
            fires.incrementAndGet();
        }
    }

    /** What names one fire of a schedule across the fleet: its ARN and the scheduled time. */
    static String claim(Schedule s, Instant scheduledTime) {
        return s.arn() + "@" + scheduledTime;
    }

    /** How many fires this node enqueued since start (the others' claims won the rest). */
    public long fires() {
        return fires.get();
    }

    /**
     * Reads one schedule again from the store (another node created, changed, fired or deleted it): what
     * following the change feed calls for every change it names.
     */
    public void changed(String account, String region, String name) {
        lock.lock();
        try {
            Optional<Schedule> stored = store.findSchedule(account, region, name);
            if (stored.isPresent()) {
                schedules.put(id(account, region, name), stored.get());
            } else {
                schedules.remove(id(account, region, name));
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Reads every schedule again (the change feed lost track). */
    public void reloadAll() {
        lock.lock();
        try {
            Set<String> gone = new HashSet<>(schedules.keySet());
            for (Schedule s : store.allSchedules()) {
                schedules.put(id(s.account(), s.region(), s.name()), s);
                gone.remove(id(s.account(), s.region(), s.name()));
            }
            gone.forEach(schedules::remove);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    static byte[] scheduledEvent(Schedule s, Instant time) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", "Scheduled Event");
        event.put("source", "aws.events");
        event.put("account", s.account());
        event.put("time", time.truncatedTo(ChronoUnit.SECONDS).toString());
        event.put("region", s.region());
        ArrayNode resources = event.putArray("resources");
        resources.add(s.arn());
        event.putObject("detail");
        return event.toString().getBytes(StandardCharsets.UTF_8);
    }

    private Optional<Instant> next(Schedule s, Instant after) {
        ScheduleExpression expression = ScheduleExpression.parse(s.expression());
        ZoneId zone = ZoneId.of(s.timezone());
        if (expression instanceof Rate rate) {
            return rate.nextAfter(after, zone, s.createdAt());
        }
        return expression.nextAfter(after, zone);
    }

    private void loop() {
        boolean first = true;
        while (!closed) {
            Optional<Instant> next;
            try {
                next = tick(first);
                first = false;
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "schedule tick failed", e);
                next = Optional.empty();
            }
            lock.lock();
            try {
                Duration wait =
                        next.map(t -> Duration.between(clock.instant(), t)).orElse(MAX_SLEEP);
                if (wait.compareTo(MAX_SLEEP) > 0) {
                    wait = MAX_SLEEP;
                }
                if (!wait.isNegative() && !wait.isZero() && !closed) {
                    changed.awaitNanos(wait.toNanos());
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    private Schedule validate(Schedule s, Caller caller) {
        ScheduleExpression expression;
        try {
            expression = ScheduleExpression.parse(s.expression());
        } catch (IllegalArgumentException e) {
            throw LambdaException.invalid("Invalid ScheduleExpression %s: %s", s.expression(), e.getMessage());
        }
        try {
            ZoneId.of(s.timezone());
        } catch (DateTimeException e) {
            throw LambdaException.invalid(
                    "Invalid ScheduleExpressionTimezone %s: not an IANA time zone.", s.timezone());
        }
        Validation.description(s.description());
        FunctionTargets.Target target = targets.resolve(caller, s.functionName(), s.qualifier());
        if (s.input() != null) {
            byte[] bytes = s.input().getBytes(StandardCharsets.UTF_8);
            LambdaException.requireValid(Json.isWellFormed(bytes, bytes.length), "Input must be valid JSON.");
            LambdaException.requireValid(
                    bytes.length <= Invoker.MAX_EVENT_PAYLOAD,
                    "Input must be at most %d bytes.",
                    Invoker.MAX_EVENT_PAYLOAD);
        }
        expression.nextAfter(s.createdAt(), ZoneId.of(s.timezone())); // evaluates without error
        return new Schedule(
                s.account(),
                s.region(),
                s.name(),
                expression.text(),
                s.timezone(),
                target.functionName(),
                target.qualifier(),
                s.input(),
                s.enabled(),
                s.skipMissed(),
                s.description(),
                s.createdAt(),
                s.lastModified(),
                s.lastFire());
    }

    private Schedule require(Caller caller, String name) {
        Schedule s = schedules.get(id(caller.account(), caller.region(), name));
        if (s == null) {
            throw LambdaException.notFound("Schedule not found: %s", name);
        }
        return s;
    }

    private static String id(String account, String region, String name) {
        return account + "/" + region + "/" + name;
    }

    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
