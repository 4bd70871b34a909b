package dev.spur.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.queue.MessageStore.NewMessage;
import dev.spur.queue.MessageStore.Received;
import dev.spur.queue.MessageStore.Redrive;
import dev.spur.queue.MessageStore.StoredMessage;
import dev.spur.queue.MessageStore.StoredQueue;
import dev.spur.queue.MessageStore.Visibility;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SQS message store's contract, run on SQLite and on PostgreSQL: queues, leases (visibility),
 * receipts that go stale, FIFO groups, deduplication, redrive, retention, and durability across a
 * reopen. Time is passed in, never read: every visibility and window is checked exactly.
 */
abstract class MessageStoreContract {
    static final String ACCOUNT = "123456789012";
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant LONG_AGO = Instant.EPOCH;

    EventQueue queue;
    MessageStore store;

    /** A new, empty database for this test. */
    abstract void createDatabase() throws Exception;

    /** The event queue on this test's database (opened again after a close: a restart). */
    abstract EventQueue openQueue();

    /** Releases what {@link #openQueue} opened beside the queue. */
    void closeDatabase() {}

    @BeforeEach
    void open() throws Exception {
        createDatabase();
        queue = openQueue();
        store = MessageStore.on(queue);
    }

    @AfterEach
    void close() {
        queue.close();
        closeDatabase();
    }

    StoredQueue queueNamed(String name) {
        return new StoredQueue(ACCOUNT, name, "us-east-1", name.endsWith(".fifo"), T0, T0, "{}", "{}");
    }

    static NewMessage message(String body, String group, String dedup, Instant visibleAt) {
        return new NewMessage(UUID.randomUUID().toString(), body, null, "md5", null, group, dedup, visibleAt);
    }

    Received receive(String name, int max, Instant now, long visibilitySeconds) {
        return store.receive(
                ACCOUNT,
                name,
                name.endsWith(".fifo"),
                max,
                now,
                now.plusSeconds(visibilitySeconds),
                LONG_AGO,
                Optional.empty());
    }

    static List<String> bodies(Received r) {
        return r.messages().stream().map(StoredMessage::body).toList();
    }

    @Test
    void queuesAreCreatedOnceListedUpdatedAndDeletedWithTheirMessages() {
        assertThat(store.createQueue(queueNamed("orders"))).isEmpty();
        assertThat(store.createQueue(queueNamed("orders")))
                .get()
                .extracting(StoredQueue::name)
                .isEqualTo("orders");
        store.createQueue(queueNamed("other"));
        assertThat(store.queues(ACCOUNT, "ord")).extracting(StoredQueue::name).containsExactly("orders");
        assertThat(store.queues("999999999999", null)).isEmpty();
        StoredQueue changed = new StoredQueue(
                ACCOUNT, "orders", "us-east-1", false, T0, T0.plusSeconds(5), "{\"VisibilityTimeout\":\"7\"}", "{}");
        assertThat(store.updateQueue(changed)).isTrue();
        assertThat(store.queue(ACCOUNT, "orders")).contains(changed);

        store.send(ACCOUNT, "orders", List.of(message("a", null, null, T0)), T0, null);
        assertThat(store.deleteQueue(ACCOUNT, "orders")).isTrue();
        assertThat(store.deleteQueue(ACCOUNT, "orders")).isFalse();
        store.createQueue(queueNamed("orders"));
        assertThat(bodies(receive("orders", 10, T0, 30)))
                .as("a new queue of the same name is empty")
                .isEmpty();
    }

    @Test
    void aReceiveLeasesUntilTheVisibilityTimeoutAndEveryReceiveDrawsANewReceipt() {
        store.createQueue(queueNamed("q"));
        store.send(
                ACCOUNT,
                "q",
                List.of(message("a", null, null, T0), message("b", null, null, T0.plusSeconds(10))),
                T0,
                null);
        assertThat(store.counts(ACCOUNT, "q", T0)).isEqualTo(new MessageStore.Counts(1, 0, 1));

        Received first = receive("q", 10, T0, 30);
        assertThat(bodies(first)).containsExactly("a");
        StoredMessage a = first.messages().getFirst();
        assertThat(a.receiveCount()).isEqualTo(1);
        Received nothing = receive("q", 10, T0.plusSeconds(5), 30);
        assertThat(bodies(nothing)).isEmpty();
        assertThat(nothing.nextVisible()).as("b's delay ends before a's lease").contains(T0.plusSeconds(10));
        assertThat(store.counts(ACCOUNT, "q", T0.plusSeconds(5))).isEqualTo(new MessageStore.Counts(0, 1, 1));

        Received again = receive("q", 1, T0.plusSeconds(30), 30);
        StoredMessage a2 = again.messages().getFirst();
        assertThat(a2.id()).isEqualTo(a.id());
        assertThat(a2.receiveCount()).isEqualTo(2);
        assertThat(a2.firstReceiveAt()).isEqualTo(T0);
        assertThat(a2.receipt()).isNotEqualTo(a.receipt());
        assertThat(store.delete(ACCOUNT, "q", a.id(), a.receipt()))
                .as("a stale receipt deletes nothing")
                .isFalse();
        assertThat(store.changeVisibility(ACCOUNT, "q", a.id(), a.receipt(), T0.plusSeconds(30), T0))
                .isEqualTo(Visibility.STALE);
        assertThat(store.changeVisibility(ACCOUNT, "q", a.id(), a2.receipt(), T0.plusSeconds(31), T0.plusSeconds(31)))
                .isEqualTo(Visibility.CHANGED);
        assertThat(store.changeVisibility(ACCOUNT, "q", a.id(), a2.receipt(), T0.plusSeconds(32), T0.plusSeconds(40)))
                .as("visible again: not in flight")
                .isEqualTo(Visibility.NOT_IN_FLIGHT);
        StoredMessage a3 = receive("q", 1, T0.plusSeconds(32), 30).messages().getFirst();
        assertThat(store.deleteAll(ACCOUNT, "q", List.of(Map.entry(a.id(), a3.receipt()), Map.entry("nope", "x"))))
                .containsExactly(true, false);
        assertThat(store.purge(ACCOUNT, "q")).isEqualTo(1);
    }

    @Test
    void aFifoGroupHandsOutNothingWhileOneOfItsMessagesIsInFlightAndABatchComesFromOneGroup() {
        store.createQueue(queueNamed("f.fifo"));
        List<NewMessage> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            for (String g : List.of("g1", "g2")) {
                sent.add(message(g + "-" + i, g, g + "-" + i, T0));
            }
        }
        List<MessageStore.Sent> outcomes = store.send(ACCOUNT, "f.fifo", sent, T0, T0.plusSeconds(300));
        assertThat(outcomes.get(1).sequenceNumber())
                .isGreaterThan(outcomes.get(0).sequenceNumber());

        Received g1 = receive("f.fifo", 10, T0, 30);
        assertThat(bodies(g1))
                .as("one group first, in order, then the next")
                .containsExactly("g1-0", "g1-1", "g1-2", "g2-0", "g2-1", "g2-2");
        store.purge(ACCOUNT, "f.fifo");

        store.send(
                ACCOUNT,
                "f.fifo",
                List.of(message("x-0", "x", "x-0", T0), message("x-1", "x", "x-1", T0), message("y-0", "y", "y-0", T0)),
                T0,
                T0.plusSeconds(300));
        Received one = receive("f.fifo", 1, T0, 30);
        assertThat(bodies(one)).containsExactly("x-0");
        assertThat(bodies(receive("f.fifo", 10, T0, 30)))
                .as("x is in flight; only y")
                .containsExactly("y-0");
        StoredMessage x0 = one.messages().getFirst();
        assertThat(store.delete(ACCOUNT, "f.fifo", x0.id(), x0.receipt())).isTrue();
        assertThat(bodies(receive("f.fifo", 10, T0, 30))).containsExactly("x-1");
    }

    @Test
    void aDeduplicationIdWithinTheWindowAnswersTheFirstMessage() {
        store.createQueue(queueNamed("d.fifo"));
        MessageStore.Sent first = store.send(
                        ACCOUNT, "d.fifo", List.of(message("a", "g", "same", T0)), T0, T0.plusSeconds(300))
                .getFirst();
        MessageStore.Sent repeat = store.send(
                        ACCOUNT,
                        "d.fifo",
                        List.of(message("a", "g", "same", T0)),
                        T0.plusSeconds(299),
                        T0.plusSeconds(599))
                .getFirst();
        assertThat(repeat.duplicate()).isTrue();
        assertThat(repeat.messageId()).isEqualTo(first.messageId());
        assertThat(repeat.sequenceNumber()).isEqualTo(first.sequenceNumber());
        MessageStore.Sent later = store.send(
                        ACCOUNT,
                        "d.fifo",
                        List.of(message("a", "g", "same", T0)),
                        T0.plusSeconds(301),
                        T0.plusSeconds(601))
                .getFirst();
        assertThat(later.duplicate()).as("the window has passed").isFalse();
        assertThat(store.counts(ACCOUNT, "d.fifo", T0.plusSeconds(301)).visible())
                .isEqualTo(2);
    }

    @Test
    void aMessageReceivedMaxReceiveCountTimesMovesToTheDeadLetterQueueOnItsNextReceive() {
        store.createQueue(queueNamed("src"));
        store.createQueue(queueNamed("dlq"));
        store.send(ACCOUNT, "src", List.of(message("poison", null, null, T0)), T0, null);
        Optional<Redrive> redrive = Optional.of(new Redrive(ACCOUNT, "dlq", 2));
        for (int i = 0; i < 2; i++) {
            Instant now = T0.plusSeconds(60L * i);
            assertThat(store.receive(ACCOUNT, "src", false, 10, now, now.plusSeconds(30), LONG_AGO, redrive)
                            .messages())
                    .hasSize(1);
        }
        Instant third = T0.plusSeconds(120);
        assertThat(store.receive(ACCOUNT, "src", false, 10, third, third.plusSeconds(30), LONG_AGO, redrive)
                        .messages())
                .isEmpty();
        Received dead = receive("dlq", 10, third, 30);
        assertThat(bodies(dead)).containsExactly("poison");
        assertThat(dead.messages().getFirst().receiveCount()).isEqualTo(1);
        assertThat(store.counts(ACCOUNT, "src", third)).isEqualTo(new MessageStore.Counts(0, 0, 0));
    }

    @Test
    void messagesOlderThanTheRetentionPeriodAreDeletedInsteadOfReceived() {
        store.createQueue(queueNamed("r"));
        store.send(ACCOUNT, "r", List.of(message("old", null, null, T0)), T0, null);
        store.send(ACCOUNT, "r", List.of(message("new", null, null, T0)), T0.plusSeconds(100), null);
        Instant now = T0.plusSeconds(200);
        Received r =
                store.receive(ACCOUNT, "r", false, 10, now, now.plusSeconds(30), T0.plusSeconds(50), Optional.empty());
        assertThat(bodies(r)).containsExactly("new");
        assertThat(store.counts(ACCOUNT, "r", now)).isEqualTo(new MessageStore.Counts(0, 1, 0));
    }

    @Test
    void aSentMessageSurvivesClosingAndReopeningTheQueue() {
        store.createQueue(queueNamed("durable"));
        store.send(ACCOUNT, "durable", List.of(message("kept", null, null, T0)), T0, null);
        queue.close();
        queue = openQueue();
        store = MessageStore.on(queue);
        assertThat(bodies(receive("durable", 10, T0, 30))).containsExactly("kept");
    }
}
