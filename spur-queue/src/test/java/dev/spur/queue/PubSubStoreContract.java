package dev.spur.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.common.FunctionKey;
import dev.spur.queue.MessageStore.NewMessage;
import dev.spur.queue.MessageStore.StoredQueue;
import dev.spur.queue.PubSubStore.QueueMessage;
import dev.spur.queue.PubSubStore.Resource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pub/sub store's contract on SQLite and PostgreSQL: resources by account, kind and name prefix,
 * a delete that takes its dependents, and a delivery whose events and messages are written together
 * and survive a reopen.
 */
abstract class PubSubStoreContract {
    static final String ACCOUNT = "123456789012";
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String TOPIC = "arn:aws:sns:us-east-1:" + ACCOUNT + ":orders";

    EventQueue queue;
    PubSubStore store;

    abstract void createDatabase() throws Exception;

    abstract EventQueue openQueue();

    void closeDatabase() {}

    @BeforeEach
    void open() throws Exception {
        createDatabase();
        queue = openQueue();
        store = PubSubStore.on(queue);
    }

    @AfterEach
    void close() {
        queue.close();
        closeDatabase();
    }

    void reopen() {
        queue.close();
        queue = openQueue();
        store = PubSubStore.on(queue);
    }

    @Test
    void createKeepsTheFirstDocumentAndListsByPrefix() {
        assertThat(store.create(new Resource(ACCOUNT, "topic", TOPIC, "{\"v\":1}")))
                .isEmpty();
        assertThat(store.create(new Resource(ACCOUNT, "topic", TOPIC, "{\"v\":2}")))
                .map(Resource::document)
                .contains("{\"v\":1}");
        store.create(new Resource(ACCOUNT, "subscription", TOPIC + ":b", "{}"));
        store.create(new Resource(ACCOUNT, "subscription", TOPIC + ":a", "{}"));
        store.create(new Resource(ACCOUNT, "subscription", TOPIC + "-other:c", "{}"));
        store.create(new Resource("210987654321", "subscription", TOPIC + ":z", "{}"));

        assertThat(store.list(ACCOUNT, "subscription", TOPIC + ":"))
                .extracting(Resource::name)
                .containsExactly(TOPIC + ":a", TOPIC + ":b");
        assertThat(store.list(null, "subscription", TOPIC + ":")).hasSize(3);
        assertThat(store.replace(new Resource(ACCOUNT, "topic", TOPIC, "{\"v\":3}")))
                .isTrue();
        assertThat(store.replace(new Resource(ACCOUNT, "topic", TOPIC + "-gone", "{}")))
                .isFalse();
        assertThat(store.get(ACCOUNT, "topic", TOPIC)).map(Resource::document).contains("{\"v\":3}");
    }

    @Test
    void deleteTakesItsDependentsInOneTransaction() {
        store.create(new Resource(ACCOUNT, "topic", TOPIC, "{}"));
        store.create(new Resource(ACCOUNT, "subscription", TOPIC + ":a", "{}"));
        store.create(new Resource(ACCOUNT, "subscription", TOPIC + "-other:c", "{}"));

        assertThat(store.delete(ACCOUNT, "topic", TOPIC, "subscription", TOPIC + ":"))
                .isTrue();

        assertThat(store.get(ACCOUNT, "topic", TOPIC)).isEmpty();
        assertThat(store.list(ACCOUNT, "subscription", ""))
                .extracting(Resource::name)
                .containsExactly(TOPIC + "-other:c");
        assertThat(store.delete(ACCOUNT, "topic", TOPIC, null, null)).isFalse();
    }

    @Test
    void deliveryWritesEventsAndMessagesTogetherAndSurvivesAReopen() throws Exception {
        MessageStore messages = MessageStore.on(queue);
        messages.createQueue(new StoredQueue(ACCOUNT, "inbox", "us-east-1", false, T0, T0, "{}", "{}"));
        QueuedEvent event = new QueuedEvent(
                UUID.randomUUID().toString(),
                new FunctionKey(ACCOUNT, "us-east-1", "fn"),
                "",
                "{\"Records\":[]}".getBytes(StandardCharsets.UTF_8),
                T0,
                0,
                T0,
                "sns");
        NewMessage message =
                new NewMessage("m-1", "hello", null, "5d41402abc4b2a76b9719d911017c592", null, null, null, T0);

        PubSubStore.Delivered delivered = store.deliver(
                List.of(event),
                List.of(
                        new QueueMessage(ACCOUNT, "inbox", message, null),
                        new QueueMessage(ACCOUNT, "gone", message, null)),
                T0);

        assertThat(delivered.events()).isEqualTo(1);
        assertThat(delivered.messages().get(0))
                .map(MessageStore.Sent::messageId)
                .contains("m-1");
        assertThat(delivered.messages().get(1)).isEmpty();
        reopen();
        Optional<QueuedEvent> taken = queue.take(Duration.ofSeconds(5));
        assertThat(taken).map(QueuedEvent::id).contains(event.id());
        MessageStore.Received received = MessageStore.on(queue)
                .receive(ACCOUNT, "inbox", false, 10, T0, T0.plusSeconds(30), Instant.EPOCH, Optional.empty());
        assertThat(received.messages())
                .extracting(MessageStore.StoredMessage::body)
                .containsExactly("hello");
    }

    @Test
    void aRepeatedEventIdIsNotDeliveredTwice() {
        QueuedEvent event = new QueuedEvent(
                "same-id", new FunctionKey(ACCOUNT, "us-east-1", "fn"), "", new byte[] {'1'}, T0, 0, T0, "sns");
        assertThat(store.deliver(List.of(event), List.of(), T0).events()).isEqualTo(1);
        assertThat(store.deliver(List.of(event), List.of(), T0).events()).isZero();
    }
}
