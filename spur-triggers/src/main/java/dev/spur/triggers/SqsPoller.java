package dev.spur.triggers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Caller;
import dev.spur.common.EventSourceMapping;
import dev.spur.common.Json;
import dev.spur.common.RequestIds;
import dev.spur.invoke.InvokeCommand;
import dev.spur.invoke.InvokeResult;
import dev.spur.invoke.Invoker;
import dev.spur.sqs.QueueRef;
import dev.spur.sqs.Queues;
import dev.spur.sqs.SqsEvents;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One enabled SQS mapping's pollers: {@code MaximumConcurrency} virtual threads (5 when unset), each
 * taking a batch, invoking the function synchronously with it and settling it, one batch at a time.
 *
 * <p>A batch: a long-poll receive (woken at once by a send; up to 20 s), then, with a batching window,
 * more receives until {@code BatchSize} or the window ends. Messages the filters reject are deleted. The
 * function's answer settles the batch: success deletes every message (one commit); with
 * {@code ReportBatchItemFailures} only the messages not listed as failures ({@link BatchResponse}); a
 * function error, a throttle or a malformed partial response deletes nothing, and the messages come back
 * when their visibility timeout ends — counting towards the queue's maxReceiveCount, so a redrive policy
 * moves them to the dead-letter queue. FIFO order holds because the queue hands out nothing of a message
 * group while one of its messages is in flight, whichever poller holds it.
 *
 * <p>Failure semantics: at least once. A crash after the invoke but before the delete commits runs the
 * batch again after the visibility timeout; nothing is deleted before the function succeeded with it.
 */
final class SqsPoller implements Poller {
    private static final System.Logger LOG = System.getLogger(SqsPoller.class.getName());
    private static final int DEFAULT_POLLERS = 5;
    private static final Duration LONG_POLL = Duration.ofSeconds(20);

    private final EventSourceMapping mapping;
    private final QueueRef queue;
    private final Queues queues;
    private final Invoker invoker;
    private final Filters filters;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    SqsPoller(EventSourceMapping mapping, QueueRef queue, Queues queues, Invoker invoker) {
        this.mapping = mapping;
        this.queue = queue;
        this.queues = queues;
        this.invoker = invoker;
        this.filters = Filters.of(mapping.filterPatterns());
    }

    @Override
    public SqsPoller start() {
        int pollers = mapping.maximumConcurrency() > 0 ? mapping.maximumConcurrency() : DEFAULT_POLLERS;
        for (int i = 0; i < pollers; i++) {
            threads.add(Thread.ofVirtual()
                    .name("spur-sqs-poller-" + mapping.uuid() + "-" + i)
                    .start(this::run));
        }
        return this;
    }

    private void run() {
        while (!closed) {
            try {
                List<Queues.Message> batch = collect();
                if (!batch.isEmpty()) {
                    settle(batch);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.log(Level.WARNING, "event source mapping " + mapping.uuid() + ": " + e.getMessage());
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /** A batch: one long poll, then more until BatchSize or the batching window ends. */
    private List<Queues.Message> collect() throws InterruptedException {
        int size = mapping.batchSize();
        List<Queues.Message> batch = new ArrayList<>(queues.receive(queue, Math.min(10, size), null, LONG_POLL));
        if (batch.isEmpty() || mapping.maximumBatchingWindowInSeconds() == 0) {
            return batch;
        }
        long deadline = System.nanoTime()
                + Duration.ofSeconds(mapping.maximumBatchingWindowInSeconds()).toNanos();
        while (batch.size() < size && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            batch.addAll(queues.receive(queue, Math.min(10, size - batch.size()), null, Duration.ofNanos(left)));
        }
        return batch;
    }

    private void settle(List<Queues.Message> batch) throws InterruptedException {
        List<String> delete = new ArrayList<>();
        List<Queues.Message> passed = new ArrayList<>(batch.size());
        List<ObjectNode> records = new ArrayList<>(batch.size());
        for (Queues.Message m : batch) {
            ObjectNode record = SqsEvents.record(queue, m);
            if (filters.passes(record)) {
                passed.add(m);
                records.add(record);
            } else {
                delete.add(m.receiptHandle()); // filtered out: deleted, as Lambda does
            }
        }
        if (!passed.isEmpty()) {
            Optional<Set<String>> failed = invoke(records, passed);
            for (Queues.Message m : passed) {
                if (failed.isPresent() && !failed.get().contains(m.messageId())) {
                    delete.add(m.receiptHandle());
                }
            }
        }
        queues.deleteAll(queue, delete);
    }

    /** The ids that failed (none: all succeeded), or empty when the whole batch failed. */
    private Optional<Set<String>> invoke(List<ObjectNode> records, List<Queues.Message> batch)
            throws InterruptedException {
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.putArray("Records").addAll(records);
        byte[] payload = event.toString().getBytes(StandardCharsets.UTF_8);
        InvokeResult result;
        try {
            result = invoker.invoke(new InvokeCommand(
                    new Caller(mapping.account(), mapping.region()),
                    mapping.functionName(),
                    mapping.qualifier().isEmpty() ? Optional.empty() : Optional.of(mapping.qualifier()),
                    Optional.of("RequestResponse"),
                    Optional.empty(),
                    Optional.empty(),
                    payload,
                    payload.length,
                    RequestIds.next()));
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "event source mapping " + mapping.uuid() + ": invoke failed: " + e.getMessage());
            return Optional.empty();
        }
        if (result.functionError().isPresent()) {
            return Optional.empty();
        }
        if (!mapping.reportsBatchItemFailures()) {
            return Optional.of(Set.of());
        }
        Set<String> ids = new HashSet<>();
        batch.forEach(m -> ids.add(m.messageId()));
        return BatchResponse.failures(result.payload(), ids);
    }

    /** Stops the pollers; a batch being invoked finishes its invoke but is not settled (it comes back). */
    @Override
    public void close() {
        closed = true;
        threads.forEach(Thread::interrupt);
    }
}
