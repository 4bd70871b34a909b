package dev.spur.queue;

import static dev.spur.queue.Events.ACCOUNT;
import static dev.spur.queue.Events.T0;
import static dev.spur.queue.Events.event;
import static dev.spur.queue.Events.function;
import static dev.spur.queue.Events.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.ErrorCode;
import dev.spur.common.LambdaException;
import dev.spur.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The event queue's contract, run against SQLite ({@link SqliteQueueContractTest}) and PostgreSQL
 * ({@link PostgresQueueContractTest}): durable enqueue, due order, retries hidden until their time, dead
 * letters moved in one step and replayed fresh, at least once across a restart, group commit under
 * concurrent enqueues. Due times follow a {@link FakeClock}.
 */
abstract class QueueContract {
    static final Duration NO_WAIT = Duration.ZERO;
    static final Duration LONG_WAIT = Duration.ofSeconds(10);

    final FakeClock clock = FakeClock.at(T0);
    final List<EventQueue> opened = new ArrayList<>();
    EventQueue queue;

    /** A new, empty database for this test. */
    abstract void createDatabase() throws Exception;

    /** A queue on this test's database, as node {@code node} (the embedded queue has one node). */
    abstract EventQueue openQueue(String node);

    /** Makes takers of {@code q} look at the moved clock. */
    abstract void clockMoved(EventQueue q);

    @BeforeEach
    void open() throws Exception {
        createDatabase();
        queue = node("node-a");
    }

    EventQueue node(String name) {
        EventQueue q = openQueue(name);
        opened.add(q);
        return q;
    }

    /** Closes {@code q} and opens the same node again: a restart. */
    EventQueue restart(EventQueue q, String name) {
        q.close();
        opened.remove(q);
        return node(name);
    }

    @AfterEach
    void close() {
        for (EventQueue q : opened) {
            try {
                q.close();
            } catch (RuntimeException e) {
                // closed by the test already
            }
        }
    }

    @Test
    void ofManyCallersNamingOneClaimExactlyOneEnqueuesAndTheClaimOutlivesItsEvent() throws Exception {
        String claim = "arn:aws:events:us-east-1:" + ACCOUNT + ":rule/nightly@" + T0;
        int callers = 16;
        List<Future<Boolean>> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < callers; i++) {
                QueuedEvent fire = event("fire-" + i);
                outcomes.add(pool.submit(() -> queue.enqueueClaimed(fire, claim)));
            }
        }
        int won = 0;
        for (Future<Boolean> outcome : outcomes) {
            won += outcome.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertThat(won).isEqualTo(1);
        QueuedEvent taken = queue.take(LONG_WAIT).orElseThrow();
        assertThat(taken.id()).startsWith("fire-");
        queue.complete(taken.id());
        assertThat(queue.take(NO_WAIT)).as("only the winner's event was stored").isEmpty();

        assertThat(queue.enqueueClaimed(event("late"), claim))
                .as("the claim is remembered after its event is gone")
                .isFalse();
        assertThat(queue.enqueueClaimed(
                        event("next"),
                        claim.replace(T0.toString(), T0.plusSeconds(60).toString())))
                .isTrue();
        assertThat(queue.take(LONG_WAIT).orElseThrow().id()).isEqualTo("next");
    }

    @Test
    void anEnqueuedEventIsTakenWhole() throws Exception {
        QueuedEvent sent = new QueuedEvent(
                "req-1", function("hello"), "live", payload("req-1"), T0.minusSeconds(5), 2, T0, "schedule:nightly");
        queue.enqueue(sent);

        QueuedEvent taken = queue.take(LONG_WAIT).orElseThrow();
        assertThat(taken)
                .usingRecursiveComparison()
                .withComparatorForType((a, b) -> Arrays.equals(a, b) ? 0 : 1, byte[].class)
                .isEqualTo(sent);
        queue.complete("req-1");
        assertThat(queue.take(NO_WAIT)).isEmpty();
        assertThat(queue.stats().depth()).isZero();
    }

    @Test
    void whatEnqueueReturnedForSurvivesARestartAndAHeldEventRunsAgain() throws Exception {
        queue.enqueue(event("held"));
        queue.enqueue(event("waiting"));
        assertThat(queue.take(LONG_WAIT)).map(QueuedEvent::id).contains("held");

        queue = restart(queue, "node-a");

        Set<String> ids = new HashSet<>();
        ids.add(queue.take(LONG_WAIT).orElseThrow().id());
        ids.add(queue.take(LONG_WAIT).orElseThrow().id());
        assertThat(ids).containsExactlyInAnyOrder("held", "waiting");
        assertThat(queue.take(NO_WAIT)).isEmpty();
    }

    @Test
    void anIdIsQueuedOnceAlsoWhileItIsADeadLetter() throws Exception {
        queue.enqueue(event("dup"));
        assertThatThrownBy(() -> queue.enqueue(event("dup")))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_CONFLICT));
        queue.take(LONG_WAIT).orElseThrow();
        queue.deadLetter("dup", 3, new DeadLetterReason("RetriesExhausted", null, null, null));
        assertThatThrownBy(() -> queue.enqueue(event("dup")))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_CONFLICT));
    }

    @Test
    void dueOrderIsVisibleTimeThenEnqueueOrderAndFutureEventsWait() throws Exception {
        queue.enqueue(event("later", T0.plusSeconds(60)));
        queue.enqueue(event("first", T0));
        queue.enqueue(event("second", T0));
        queue.enqueue(event("earliest", T0.minusSeconds(1)));

        List<String> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            order.add(queue.take(LONG_WAIT).orElseThrow().id());
        }
        assertThat(order).containsExactly("earliest", "first", "second");
        assertThat(queue.take(NO_WAIT)).isEmpty();
        assertThat(queue.stats().delayed()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(60));
        clockMoved(queue);
        assertThat(queue.take(LONG_WAIT)).map(QueuedEvent::id).contains("later");
    }

    @Test
    void aRetryIsHiddenUntilItsTimeAndComesBackWithItsAttempts() throws Exception {
        queue.enqueue(event("r"));
        queue.take(LONG_WAIT).orElseThrow();
        queue.retry("r", 1, T0.plusSeconds(60));

        assertThat(queue.take(NO_WAIT)).isEmpty();
        clock.advance(Duration.ofSeconds(59));
        clockMoved(queue);
        assertThat(queue.take(NO_WAIT)).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        clockMoved(queue);
        QueuedEvent again = queue.take(LONG_WAIT).orElseThrow();
        assertThat(again.attempts()).isEqualTo(1);
        assertThat(again.visibleAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(new String(again.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"r\"}");

        assertThatThrownBy(() -> queue.retry("absent", 1, T0))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));
    }

    @Test
    void aDeadLetterIsMovedInOneStepListedReplayedFreshAndPurged() throws Exception {
        for (String id : List.of("d1", "d2", "d3")) {
            queue.enqueue(event(id));
            queue.take(LONG_WAIT).orElseThrow();
            clock.advance(Duration.ofSeconds(1));
            queue.deadLetter(
                    id,
                    3,
                    new DeadLetterReason(
                            "RetriesExhausted", "Boom", "it broke", "{\"e\":1}".getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(queue.stats().depth()).isZero();
        assertThat(queue.stats().deadLetters()).isEqualTo(3);
        assertThatThrownBy(() -> queue.deadLetter("absent", 1, new DeadLetterReason("x", null, null, null)))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));

        List<DeadLetter> first = queue.deadLetters(ACCOUNT, Optional.empty(), Optional.empty(), 2);
        assertThat(first).extracting(DeadLetter::id).containsExactly("d1", "d2");
        assertThat(queue.deadLetters(ACCOUNT, Optional.of("hello"), Optional.of("d2"), 2))
                .extracting(DeadLetter::id)
                .containsExactly("d3");
        assertThat(queue.deadLetters("999999999999", Optional.empty(), Optional.empty(), 10))
                .isEmpty();
        DeadLetter d1 = queue.deadLetter(ACCOUNT, "d1").orElseThrow();
        assertThat(d1.attempts()).isEqualTo(3);
        assertThat(d1.reason().errorType()).isEqualTo("Boom");
        assertThat(d1.failedAt()).isEqualTo(T0.plusSeconds(1));

        assertThat(queue.replay("999999999999", "d1")).isFalse();
        assertThat(queue.replay(ACCOUNT, "d1")).isTrue();
        assertThat(queue.replay(ACCOUNT, "d1")).isFalse();
        QueuedEvent replayed = queue.take(LONG_WAIT).orElseThrow();
        assertThat(replayed.id()).isEqualTo("d1");
        assertThat(replayed.attempts()).isZero();
        assertThat(replayed.enqueuedAt()).isEqualTo(clock.instant());

        assertThat(queue.purge(ACCOUNT, Optional.of("other"))).isZero();
        assertThat(queue.purge(ACCOUNT, Optional.empty())).isEqualTo(2);
        assertThat(queue.stats().deadLetters()).isZero();
    }

    @Test
    void manyConcurrentEnqueuesAllLandAndEachIsTakenOnce() throws Exception {
        int events = 300;
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                String id = "c-" + i;
                sent.add(clients.submit(() -> queue.enqueue(event(id))));
            }
            for (Future<?> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(queue.stats().depth()).isEqualTo(events);
        Set<String> taken = new HashSet<>();
        for (int i = 0; i < events; i++) {
            String id = queue.take(LONG_WAIT).orElseThrow().id();
            assertThat(taken.add(id)).as("taken once: %s", id).isTrue();
            queue.complete(id);
        }
        assertThat(queue.take(NO_WAIT)).isEmpty();
        assertThat(queue.stats().completed()).isEqualTo(events);
    }

    @Test
    void concurrentEnqueuesOfOneIdStoreItOnceAndTellTheOthers409() throws Exception {
        int clients = 40;
        List<Future<Boolean>> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < clients; i++) {
                String id = i % 2 == 0 ? "same" : "own-" + i; // committed together, in shared batches
                outcomes.add(pool.submit(() -> {
                    try {
                        queue.enqueue(event(id));
                        return true;
                    } catch (LambdaException e) {
                        assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_CONFLICT);
                        return false;
                    }
                }));
            }
            int stored = 0;
            for (Future<Boolean> outcome : outcomes) {
                stored += outcome.get(60, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(stored).isEqualTo(clients / 2 + 1);
        }
        assertThat(queue.stats().depth()).isEqualTo(clients / 2 + 1);
    }

    @Test
    void statsCountWhatWaitsWhatIsHeldAndWhatIsDelayed() throws Exception {
        queue.enqueue(event("now-1"));
        queue.enqueue(event("now-2"));
        queue.enqueue(event("later", T0.plusSeconds(30)));
        queue.take(LONG_WAIT).orElseThrow();

        QueueStats stats = queue.stats();
        assertThat(stats.depth()).isEqualTo(3);
        assertThat(stats.held()).isEqualTo(1);
        assertThat(stats.delayed()).isEqualTo(1);
        assertThat(stats.oldestAge()).contains(Duration.ZERO);
        assertThat(stats.enqueued()).isEqualTo(3);
    }
}
