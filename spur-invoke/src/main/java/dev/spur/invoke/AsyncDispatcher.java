package dev.spur.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Arns;
import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.EventInvokeConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.common.TraceHeader;
import dev.spur.control.ControlPlane;
import dev.spur.queue.DeadLetterReason;
import dev.spur.queue.EventQueue;
import dev.spur.queue.QueuedEvent;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs queued asynchronous invocations: each of {@link AsyncPolicy#dispatchers()} virtual threads
 * takes a due event from the {@link EventQueue} — on a fleet's shared queue, events of the functions this
 * node has environments for first ({@link Invoker#warmFunctions}: pull-based affinity) — invokes the
 * function through the ordinary synchronous path on this node ({@link Invoker#invokeHere}, so scheduling,
 * reserved concurrency and logs are the same), and records the outcome:
 *
 * <ul>
 *   <li>success → a record to the {@code OnSuccess} destination, if any; the event leaves the queue;
 *   <li>function error or timeout → retried after {@link AsyncPolicy#retryDelay} up to
 *       {@code MaximumRetryAttempts} (default 2), then a failure;
 *   <li>throttled (reserved concurrency, account limit, node memory) → back in the queue with
 *       exponential backoff, not counted as a retry, until {@code MaximumEventAgeInSeconds};
 *   <li>too old ({@code EventAgeExceeded}) or out of retries ({@code RetriesExhausted}) → a record to
 *       the {@code OnFailure} destination, or Spur's dead-letter store when there is none.
 * </ul>
 *
 * <p>Failure semantics (at least once): an event leaves the queue only after its outcome is stored —
 * a destination record is enqueued durably before the event is completed — so a crash at any point
 * re-runs the event after restart (possibly a second time) and never loses it. The request id the
 * function sees is the event's id on every attempt.
 */
public final class AsyncDispatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AsyncDispatcher.class.getName());
    private static final Duration TAKE_WAIT = Duration.ofMillis(250);

    private final ControlPlane control;
    private final Invoker invoker;
    private final EventQueue queue;
    private final AsyncPolicy policy;
    private final InstantSource clock;
    private final ConcurrentMap<String, Integer> throttles = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong functionErrors = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong failedToDestination = new AtomicLong();
    private volatile boolean closed;
    private volatile boolean paused;

    public AsyncDispatcher(
            ControlPlane control, Invoker invoker, EventQueue queue, AsyncPolicy policy, InstantSource clock) {
        this.control = control;
        this.invoker = invoker;
        this.queue = queue;
        this.policy = policy;
        this.clock = clock;
    }

    public AsyncDispatcher start() {
        for (int i = 0; i < policy.dispatchers(); i++) {
            threads.add(Thread.ofVirtual().name("spur-async-" + i).start(this::loop));
        }
        return this;
    }

    /**
     * Stops taking events (those running finish); accepted events wait in the queue, durably. For
     * maintenance, and for measuring the accept path alone.
     */
    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
    }

    /** Counters since start. */
    public record Stats(
            long succeeded, long functionErrors, long throttled, long expiredByAge, long sentToFailureDestination) {}

    public Stats stats() {
        return new Stats(
                succeeded.get(), functionErrors.get(), throttled.get(), expired.get(), failedToDestination.get());
    }

    private void loop() {
        while (!closed) {
            try {
                if (paused) {
                    Thread.sleep(10);
                    continue;
                }
                Optional<QueuedEvent> event = queue.take(TAKE_WAIT, invoker.warmFunctions());
                if (event.isPresent()) {
                    run(event.get());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.log(Level.ERROR, "asynchronous dispatch failed; the event stays queued", e);
                }
            }
        }
    }

    /** One attempt at one event, and its outcome recorded. */
    void run(QueuedEvent event) {
        FunctionKey key = event.function();
        String qualifier = event.qualifier().isEmpty() ? Arns.LATEST : event.qualifier();
        InvokeObserver.AsyncProbe probe = invoker.observer().async(key);
        Optional<EventInvokeConfig> found = control.eventInvokeConfig(key, qualifier);
        if (found.isEmpty()) {
            probe.dropped("ResourceNotFound", true);
            queue.deadLetter(
                    event.id(),
                    event.attempts(),
                    new DeadLetterReason(
                            "ResourceNotFound", "ResourceNotFoundException", "Function not found: " + key.arn(), null));
            return;
        }
        EventInvokeConfig config = found.get();
        Instant now = clock.instant();
        probe.taken(Math.max(0, now.toEpochMilli() - event.enqueuedAt().toEpochMilli()));
        if (tooOld(event, config, now)) {
            expired.incrementAndGet();
            fail(event, config, "EventAgeExceeded", null, probe);
            return;
        }
        InvokeResult result;
        try {
            result = invoker.invokeHere(
                    new InvokeCommand(
                            new Caller(key.account(), key.region()),
                            key.name(),
                            event.qualifier().isEmpty() ? Optional.empty() : Optional.of(event.qualifier()),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            event.payload(),
                            event.payload().length,
                            event.id(),
                            EventOrigin.traceHeader(event.origin()),
                            Optional.of(event.enqueuedAt())),
                    Optional.empty());
        } catch (LambdaException e) {
            if (e.code() == ErrorCode.TOO_MANY_REQUESTS) {
                throttled.incrementAndGet();
                int count = throttles.merge(event.id(), 1, Integer::sum);
                Instant next = clock.instant().plus(policy.throttleDelay(count));
                if (tooOld(event, config, next)) {
                    expired.incrementAndGet();
                    fail(event, config, "EventAgeExceeded", null, probe);
                } else {
                    probe.retried();
                    queue.retry(event.id(), event.attempts(), next);
                }
                return;
            }
            // Not the function's doing (it is gone, its runtime is missing…): no retry would help.
            fail(
                    event,
                    config,
                    e.code() == ErrorCode.RESOURCE_NOT_FOUND ? "ResourceNotFound" : "Error",
                    new Attempt(null, errorDocument(e.code().type(), e.getMessage()), "Unhandled"),
                    probe);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // the event stays held until restart; shutting down
        }
        Attempt attempt = new Attempt(
                result.executedVersion(),
                result.payload(),
                result.functionError().orElse(null));
        if (result.functionError().isEmpty()) {
            succeeded.incrementAndGet();
            throttles.remove(event.id());
            if (config.onSuccess() != null) {
                deliver(config.onSuccess(), event, "Success", attempt, probe);
            }
            queue.complete(event.id());
            return;
        }
        functionErrors.incrementAndGet();
        int made = event.attempts() + 1;
        if (made <= config.maximumRetryAttempts()) {
            Instant next = clock.instant().plus(policy.retryDelay(made));
            if (!tooOld(event, config, next)) {
                probe.retried();
                queue.retry(event.id(), made, next);
                return;
            }
            expired.incrementAndGet();
            fail(event, config, "EventAgeExceeded", attempt, probe);
            return;
        }
        fail(event, config, "RetriesExhausted", attempt, probe);
    }

    private static boolean tooOld(QueuedEvent event, EventInvokeConfig config, Instant at) {
        return Duration.between(event.enqueuedAt(), at).getSeconds() >= config.maximumEventAgeSeconds();
    }

    /** Gives the event up: a record to the failure destination, else the dead-letter store. */
    private void fail(
            QueuedEvent event,
            EventInvokeConfig config,
            String condition,
            Attempt attempt,
            InvokeObserver.AsyncProbe probe) {
        throttles.remove(event.id());
        probe.dropped(condition, config.onFailure() == null);
        if (config.onFailure() != null) {
            failedToDestination.incrementAndGet();
            deliver(config.onFailure(), event, condition, attempt, probe);
            queue.complete(event.id());
            return;
        }
        String errorType = null;
        String errorMessage = null;
        if (attempt != null && attempt.response() != null) {
            try {
                JsonNode error = Json.MAPPER.readTree(attempt.response());
                if (error != null && error.isObject()) {
                    errorType = error.path("errorType").asText(null);
                    errorMessage = error.path("errorMessage").asText(null);
                }
            } catch (IOException notJson) {
                // keep the raw response only
            }
        }
        queue.deadLetter(
                event.id(),
                event.attempts() + (attempt == null ? 0 : 1),
                new DeadLetterReason(condition, errorType, errorMessage, attempt == null ? null : attempt.response()));
    }

    /** Enqueues Lambda's invocation record for a destination function (durably, before the source completes). */
    private void deliver(
            String destination, QueuedEvent event, String condition, Attempt attempt, InvokeObserver.AsyncProbe probe) {
        try {
            Arns.FunctionRef ref = Arns.parseFunctionRef(
                    destination, event.function().account(), event.function().region());
            Instant now = clock.instant();
            byte[] record = InvocationRecord.of(event, condition, attempt, now);
            String trace = EventOrigin.traceHeader(event.origin()).orElseGet(TraceHeader::newHeader);
            queue.enqueue(new QueuedEvent(
                    UUID.randomUUID().toString(),
                    ref.key(),
                    ref.qualifier().orElse(""),
                    record,
                    now,
                    0,
                    now,
                    EventOrigin.of("destination", trace)));
        } catch (RuntimeException e) {
            probe.destinationFailed(); // the event stays queued (not completed) and runs again
            throw e;
        }
    }

    /** What one invocation attempt gave: the version that ran, the response bytes, the function error. */
    record Attempt(String executedVersion, byte[] response, String functionError) {}

    private static byte[] errorDocument(String type, String message) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("errorType", type);
        node.put("errorMessage", message);
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
