package dev.spur.queue;

import static dev.spur.queue.Events.ACCOUNT;
import static dev.spur.queue.Events.REGION;
import static dev.spur.queue.Events.T0;
import static dev.spur.queue.Events.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import dev.spur.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeadLetterTest {
    private static final String OTHER_ACCOUNT = "210987654321";
    private static final DeadLetterReason FAILED = new DeadLetterReason(
            "RetriesExhausted", "Unhandled", "boom", "{\"errorMessage\":\"boom\"}".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    FakeClock clock = FakeClock.at(T0);
    EventQueue queue;

    @BeforeEach
    void open() {
        queue = EventQueue.sqlite(dir.resolve("queue.db"), clock);
    }

    @AfterEach
    void close() {
        queue.close();
    }

    @Test
    void deadLetterKeepsTheEventAndItsReasonAndLeavesTheQueue() throws Exception {
        queue.enqueue(new QueuedEvent("e1", Events.function("hello"), "prod", payload("e1"), T0, 2, T0, "invoke"));
        queue.take(Duration.ZERO).orElseThrow();
        clock.advance(Duration.ofSeconds(7));

        queue.deadLetter("e1", 3, FAILED);

        DeadLetter letter = queue.deadLetter(ACCOUNT, "e1").orElseThrow();
        assertThat(letter.function()).isEqualTo(Events.function("hello"));
        assertThat(letter.qualifier()).isEqualTo("prod");
        assertThat(letter.payload()).isEqualTo(payload("e1"));
        assertThat(letter.enqueuedAt()).isEqualTo(T0);
        assertThat(letter.failedAt()).isEqualTo(T0.plusSeconds(7));
        assertThat(letter.attempts()).isEqualTo(3);
        assertThat(letter.origin()).isEqualTo("invoke");
        assertThat(letter.reason()).usingRecursiveComparison().isEqualTo(FAILED);
        assertThat(queue.stats().depth()).isZero();
        assertThat(queue.deadLetter(OTHER_ACCOUNT, "e1"))
                .as("scoped by account")
                .isEmpty();
    }

    @Test
    void listingIsScopedByAccountAndFunctionOrderedByFailureAndPaged() throws Exception {
        deadLetter("a1", ACCOUNT, "alpha");
        deadLetter("b1", ACCOUNT, "beta");
        deadLetter("a2", ACCOUNT, "alpha");
        deadLetter("x1", OTHER_ACCOUNT, "alpha");
        deadLetter("a3", ACCOUNT, "alpha");

        assertThat(ids(queue.deadLetters(ACCOUNT, Optional.empty(), Optional.empty(), 10)))
                .containsExactly("a1", "b1", "a2", "a3");
        assertThat(ids(queue.deadLetters(ACCOUNT, Optional.of("alpha"), Optional.empty(), 10)))
                .containsExactly("a1", "a2", "a3");
        assertThat(ids(queue.deadLetters(ACCOUNT, Optional.of("alpha"), Optional.empty(), 2)))
                .containsExactly("a1", "a2");
        assertThat(ids(queue.deadLetters(ACCOUNT, Optional.of("alpha"), Optional.of("a2"), 2)))
                .containsExactly("a3");
        assertThat(ids(queue.deadLetters(OTHER_ACCOUNT, Optional.empty(), Optional.empty(), 10)))
                .containsExactly("x1");
        assertThatThrownBy(() -> queue.deadLetters(ACCOUNT, Optional.empty(), Optional.of("x1"), 10))
                .as("another account's id is no marker here")
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
    }

    @Test
    void sameFailureTimeIsOrderedById() throws Exception {
        for (String id : List.of("c", "a", "b")) {
            queue.enqueue(Events.event(id));
            queue.take(Duration.ZERO).orElseThrow();
            queue.deadLetter(id, 1, FAILED);
        }
        assertThat(ids(queue.deadLetters(ACCOUNT, Optional.empty(), Optional.empty(), 10)))
                .containsExactly("a", "b", "c");
        assertThat(ids(queue.deadLetters(ACCOUNT, Optional.empty(), Optional.of("a"), 10)))
                .containsExactly("b", "c");
    }

    @Test
    void replayPutsItBackWithAFreshAgeAndNoAttempts() throws Exception {
        queue.enqueue(new QueuedEvent("e1", Events.function("hello"), "", payload("e1"), T0, 3, T0, "destination"));
        queue.take(Duration.ZERO).orElseThrow();
        queue.deadLetter("e1", 3, FAILED);
        clock.advance(Duration.ofHours(1));

        assertThat(queue.replay(OTHER_ACCOUNT, "e1")).as("not that account's").isFalse();
        assertThat(queue.replay(ACCOUNT, "e1")).isTrue();
        assertThat(queue.replay(ACCOUNT, "e1")).as("gone from the dead letters").isFalse();

        assertThat(queue.deadLetter(ACCOUNT, "e1")).isEmpty();
        QueuedEvent again = queue.take(Duration.ZERO).orElseThrow();
        assertThat(again.id()).isEqualTo("e1");
        assertThat(again.attempts()).isZero();
        assertThat(again.enqueuedAt()).isEqualTo(T0.plus(Duration.ofHours(1)));
        assertThat(again.payload()).isEqualTo(payload("e1"));
        assertThat(again.origin()).isEqualTo("destination");
        assertThat(queue.stats().deadLetters()).isZero();
    }

    @Test
    void purgeDeletesOnlyTheAccountsAndOptionallyOneFunctionsDeadLetters() throws Exception {
        deadLetter("a1", ACCOUNT, "alpha");
        deadLetter("a2", ACCOUNT, "alpha");
        deadLetter("b1", ACCOUNT, "beta");
        deadLetter("x1", OTHER_ACCOUNT, "alpha");

        assertThat(queue.purge(ACCOUNT, Optional.of("alpha"))).isEqualTo(2);
        assertThat(ids(queue.deadLetters(ACCOUNT, Optional.empty(), Optional.empty(), 10)))
                .containsExactly("b1");
        assertThat(queue.purge(ACCOUNT, Optional.empty())).isEqualTo(1);
        assertThat(queue.purge(ACCOUNT, Optional.empty())).isZero();
        assertThat(ids(queue.deadLetters(OTHER_ACCOUNT, Optional.empty(), Optional.empty(), 10)))
                .containsExactly("x1");
        assertThat(queue.stats().deadLetters()).isOne();
    }

    private void deadLetter(String id, String account, String function) throws InterruptedException {
        queue.enqueue(
                new QueuedEvent(id, new FunctionKey(account, REGION, function), "", payload(id), T0, 0, T0, "invoke"));
        assertThat(queue.take(Duration.ZERO).orElseThrow().id()).isEqualTo(id);
        queue.deadLetter(id, 1, FAILED);
        clock.advance(Duration.ofSeconds(1));
    }

    private static List<String> ids(List<DeadLetter> letters) {
        return letters.stream().map(DeadLetter::id).toList();
    }
}
