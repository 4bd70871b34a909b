package dev.spur.queue;

import static dev.spur.queue.Events.T0;
import static dev.spur.queue.Events.event;
import static dev.spur.queue.Events.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.ErrorCode;
import dev.spur.common.LambdaException;
import dev.spur.testing.FakeClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue's contract on one open instance. Due times use {@link FakeClock} (moved by hand,
 * then {@link SqliteEventQueue#wakeTakers}); the two tests about waiting in real time use the system
 * clock and delays of at most 150 ms, and assert only order, never speed.
 */
class SqliteEventQueueTest {
    private static final Duration NO_WAIT = Duration.ZERO;
    private static final Duration LONG_WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    FakeClock clock = FakeClock.at(T0);
    SqliteEventQueue queue;

    @BeforeEach
    void open() {
        queue = SqliteEventQueue.open(dir.resolve("data/queue.db"), clock);
    }

    @AfterEach
    void close() {
        queue.close();
    }

    @Test
    void enqueuedEventIsTakenWithEveryFieldThenCompletedAndGone() throws Exception {
        QueuedEvent sent = new QueuedEvent(
                "req-1",
                Events.function("hello"),
                "live",
                payload("req-1"),
                T0.minusSeconds(5),
                2,
                T0,
                "schedule:nightly");
        queue.enqueue(sent);

        QueuedEvent taken = queue.take(NO_WAIT).orElseThrow();
        assertSameEvent(taken, sent);
        assertThat(queue.take(NO_WAIT)).as("held, so not given again").isEmpty();

        queue.complete("req-1");
        assertThat(queue.stats().depth()).isZero();
        assertThat(queue.take(NO_WAIT)).isEmpty();
    }

    @Test
    void takeGivesTheEarliestVisibleAtFirstThenEnqueueOrder() throws Exception {
        queue.enqueue(event("c", T0.minusSeconds(1)));
        queue.enqueue(event("a", T0.minusSeconds(3)));
        queue.enqueue(event("b1", T0.minusSeconds(2)));
        queue.enqueue(event("b2", T0.minusSeconds(2)));

        assertThat(takeIds(4)).containsExactly("a", "b1", "b2", "c");
    }

    @Test
    void eventIsNotTakenBeforeItsVisibleAtByTheInjectedClock() throws Exception {
        queue.enqueue(event("later", T0.plusSeconds(30)));
        assertThat(queue.take(NO_WAIT)).isEmpty();

        CompletableFuture<Optional<QueuedEvent>> taker = takeInBackground(LONG_WAIT);
        clock.advance(Duration.ofSeconds(29));
        queue.wakeTakers();
        Thread.sleep(50);
        assertThat(taker).as("not due yet").isNotDone();

        clock.advance(Duration.ofSeconds(1));
        queue.wakeTakers();
        assertThat(taker.get(5, TimeUnit.SECONDS)).map(QueuedEvent::id).contains("later");
    }

    @Test
    void takeWaitsInRealTimeForAFutureVisibleAt() throws Exception {
        try (SqliteEventQueue real = SqliteEventQueue.open(dir.resolve("real.db"), InstantSource.system())) {
            Instant visibleAt = Instant.now().plusMillis(150);
            real.enqueue(event("soon", visibleAt));

            Optional<QueuedEvent> taken = real.take(LONG_WAIT);

            assertThat(taken).map(QueuedEvent::id).contains("soon");
            assertThat(Instant.now()).isAfterOrEqualTo(visibleAt.truncatedTo(ChronoUnit.MILLIS));
        }
    }

    @Test
    void waitingTakerWakesForANewEventAndAnEmptyWaitEndsEmpty() throws Exception {
        try (SqliteEventQueue real = SqliteEventQueue.open(dir.resolve("real.db"), InstantSource.system())) {
            assertThat(real.take(Duration.ofMillis(100))).isEmpty();

            CompletableFuture<Optional<QueuedEvent>> taker = CompletableFuture.supplyAsync(() -> {
                try {
                    return real.take(LONG_WAIT);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(50);
            real.enqueue(event("now", Instant.now()));
            assertThat(taker.get(5, TimeUnit.SECONDS)).map(QueuedEvent::id).contains("now");
        }
    }

    @Test
    void retryReleasesTheHoldAndTheEventReappearsAtItsNewTimeWithItsAttempts() throws Exception {
        queue.enqueue(event("r"));
        queue.take(NO_WAIT).orElseThrow();

        queue.retry("r", 1, T0.plusSeconds(60));
        assertThat(queue.take(NO_WAIT)).as("not before visibleAt").isEmpty();
        assertThat(queue.stats().held()).isZero();
        assertThat(queue.stats().delayed()).isOne();

        clock.advance(Duration.ofSeconds(60));
        QueuedEvent again = queue.take(NO_WAIT).orElseThrow();
        assertThat(again.id()).isEqualTo("r");
        assertThat(again.attempts()).isEqualTo(1);
        assertThat(again.visibleAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(again.enqueuedAt())
                .as("the age counts from the first enqueue")
                .isEqualTo(T0);
        assertThat(again.payload()).isEqualTo(payload("r"));
    }

    @Test
    void completingAnUnknownIdDoesNothingButRetryAndDeadLetterAreNotFound() {
        queue.complete("absent");

        assertThatThrownBy(() -> queue.retry("absent", 1, T0))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));
        assertThatThrownBy(
                        () -> queue.deadLetter("absent", 1, new DeadLetterReason("RetriesExhausted", null, null, null)))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));
        assertThat(queue.stats().completed()).isZero();
    }

    @Test
    void enqueueOfAnExistingIdIsAConflictAndLeavesOneEvent() throws Exception {
        queue.enqueue(event("dup"));
        queue.take(NO_WAIT).orElseThrow();

        assertThatThrownBy(() -> queue.enqueue(event("dup")))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_CONFLICT));
        assertThat(queue.stats().depth()).isOne();
        assertThat(queue.stats().held()).as("the first is still held").isOne();
        assertThat(queue.take(NO_WAIT)).isEmpty();

        queue.deadLetter("dup", 1, new DeadLetterReason("RetriesExhausted", null, null, null));
        assertThatThrownBy(() -> queue.enqueue(event("dup")))
                .as("ids are unique across dead letters too")
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_CONFLICT));
        assertThat(queue.stats().depth()).isZero();
    }

    @Test
    void payloadsBeyondTheMemoryBudgetAreReadBackFromTheDatabase() throws Exception {
        try (SqliteEventQueue tiny = SqliteEventQueue.open(dir.resolve("tiny.db"), clock, 40)) {
            List<String> ids = List.of("p0", "p1", "p2", "p3", "p4");
            for (String id : ids) {
                tiny.enqueue(new QueuedEvent(
                        id, Events.function("f"), "", (id + "-".repeat(30)).getBytes(), T0, 0, T0, "invoke"));
            }
            for (String id : ids) {
                QueuedEvent taken = tiny.take(NO_WAIT).orElseThrow();
                assertThat(taken.id()).isEqualTo(id);
                assertThat(new String(taken.payload())).isEqualTo(id + "-".repeat(30));
                tiny.complete(id);
            }
            // Budget freed by completions is used again.
            tiny.enqueue(event("again"));
            assertThat(tiny.take(NO_WAIT).orElseThrow().payload()).isEqualTo(payload("again"));
        }
    }

    @Test
    void statsCountWhatHappened() throws Exception {
        queue.enqueue(event("a", T0.minusSeconds(10)));
        queue.enqueue(
                new QueuedEvent("b", Events.function("hello"), "", payload("b"), T0.minusSeconds(30), 0, T0, "invoke"));
        queue.enqueue(event("c", T0.plusSeconds(5)));
        queue.enqueue(event("d"));
        queue.take(NO_WAIT).orElseThrow(); // a
        queue.take(NO_WAIT).orElseThrow(); // b
        queue.complete("a");
        queue.retry("b", 1, T0.plusSeconds(1));
        queue.take(NO_WAIT).orElseThrow(); // d
        queue.deadLetter("d", 1, new DeadLetterReason("EventAgeExceeded", null, null, null));

        QueueStats stats = queue.stats();
        assertThat(stats.depth()).as("b and c").isEqualTo(2);
        assertThat(stats.held()).isZero();
        assertThat(stats.delayed()).isEqualTo(2);
        assertThat(stats.oldestAge()).contains(Duration.ofSeconds(30));
        assertThat(stats.deadLetters()).isOne();
        assertThat(stats.enqueued()).isEqualTo(4);
        assertThat(stats.completed()).isOne();
        assertThat(stats.retried()).isOne();
        assertThat(stats.deadLettered()).isOne();

        queue.take(NO_WAIT); // nothing due
        clock.advance(Duration.ofSeconds(1));
        queue.take(NO_WAIT).orElseThrow(); // b
        assertThat(queue.stats().held()).isOne();
        assertThat(queue.stats().delayed()).isOne();
    }

    @Test
    void closeReleasesWaitingTakersAndRefusesFurtherCalls() throws Exception {
        CompletableFuture<Optional<QueuedEvent>> taker = takeInBackground(LONG_WAIT);
        Thread.sleep(50);
        queue.close();

        assertThat(taker)
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableThat()
                .havingRootCause()
                .isInstanceOf(LambdaException.class)
                .withMessage("The event queue is closed");
        assertThatThrownBy(() -> queue.enqueue(event("late"))).isInstanceOf(LambdaException.class);
        queue = SqliteEventQueue.open(dir.resolve("data/queue.db"), clock); // for @AfterEach
    }

    private List<String> takeIds(int count) throws InterruptedException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(queue.take(NO_WAIT).orElseThrow().id());
        }
        return ids;
    }

    private CompletableFuture<Optional<QueuedEvent>> takeInBackground(Duration wait) {
        CompletableFuture<Optional<QueuedEvent>> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.complete(queue.take(wait));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    static void assertSameEvent(QueuedEvent actual, QueuedEvent expected) {
        assertThat(actual).usingRecursiveComparison().isEqualTo(expected);
    }
}
