package dev.spur.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import dev.spur.queue.ObjectIndex.Bucket;
import dev.spur.queue.ObjectIndex.Notifications;
import dev.spur.queue.ObjectIndex.Part;
import dev.spur.queue.ObjectIndex.StoredObject;
import dev.spur.queue.ObjectIndex.Upload;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The S3 object index's contract, run on SQLite and on PostgreSQL: buckets, objects replaced and listed
 * in byte order, multipart parts, and notifications — asynchronous events and SQS messages — committed
 * in the object's own transaction (and none when the transaction is refused).
 */
abstract class ObjectIndexContract {
    static final String ACCOUNT = "123456789012";
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final FunctionKey FUNCTION = new FunctionKey(ACCOUNT, "us-east-1", "fn");

    EventQueue queue;
    ObjectIndex index;
    MessageStore messages;

    abstract void createDatabase() throws Exception;

    abstract EventQueue openQueue();

    void closeDatabase() {}

    @BeforeEach
    void open() throws Exception {
        createDatabase();
        queue = openQueue();
        index = ObjectIndex.on(queue);
        messages = MessageStore.on(queue);
    }

    @AfterEach
    void close() {
        queue.close();
        closeDatabase();
    }

    static StoredObject object(String bucket, String key, String contentId) {
        return new StoredObject(bucket, key, 3, "\"etag\"", contentId, T0, "{}", "000000000000000001");
    }

    static QueuedEvent event(String id) {
        return new QueuedEvent(id, FUNCTION, "", "{}".getBytes(StandardCharsets.UTF_8), T0, 0, T0, "s3:b");
    }

    @Test
    void anObjectAndItsNotificationsAreCommittedTogether() throws Exception {
        assertThat(index.createBucket(new Bucket("bkt", ACCOUNT, "us-east-1", T0, "{}")))
                .isEmpty();
        messages.createQueue(new MessageStore.StoredQueue(ACCOUNT, "q", "us-east-1", false, T0, T0, "{}", "{}"));
        MessageStore.NewMessage m = new MessageStore.NewMessage("m1", "body", null, "md5", null, null, null, T0);
        Notifications n =
                new Notifications(List.of(event("e1")), List.of(new ObjectIndex.QueueMessage(ACCOUNT, "q", m)));
        assertThat(index.put(object("bkt", "k ü", "c1"), n)).isEmpty();

        assertThat(queue.take(Duration.ofSeconds(5))).map(QueuedEvent::id).contains("e1");
        MessageStore.Received got =
                messages.receive(ACCOUNT, "q", false, 10, T0, T0.plusSeconds(30), Instant.EPOCH, Optional.empty());
        assertThat(got.messages()).extracting(MessageStore.StoredMessage::body).containsExactly("body");

        assertThat(index.put(object("bkt", "k ü", "c2"), Notifications.NONE))
                .map(StoredObject::contentId)
                .contains("c1");
        assertThat(index.contentIds()).containsExactly("c2");

        assertThatThrownBy(() ->
                        index.put(object("missing", "k", "c3"), new Notifications(List.of(event("e2")), List.of())))
                .isInstanceOf(LambdaException.class);
        assertThat(queue.take(Duration.ofMillis(200)))
                .as("a refused put queued nothing")
                .isEmpty();
    }

    @Test
    void listingsAreInByteOrderAndDeletesNotifyOnlyWhatExisted() {
        index.createBucket(new Bucket("bkt", ACCOUNT, "us-east-1", T0, "{}"));
        for (String key : List.of("b", "a/2", "ü", "a/1", "Z")) {
            index.put(object("bkt", key, "c-" + key), Notifications.NONE);
        }
        assertThat(index.list("bkt", "", 10))
                .extracting(StoredObject::key)
                .containsExactly("Z", "a/1", "a/2", "b", "ü");
        assertThat(index.list("bkt", "a/1", 2)).extracting(StoredObject::key).containsExactly("a/2", "b");
        assertThat(index.delete("bkt", "nope", T0, o -> new Notifications(List.of(event("never")), List.of())))
                .isEmpty();
        assertThat(index.delete("bkt", "b", T0, o -> new Notifications(List.of(event("gone-" + o.key())), List.of())))
                .map(StoredObject::key)
                .contains("b");
        assertThat(index.deleteBucket("bkt")).isEqualTo(ObjectIndex.BucketDeletion.NOT_EMPTY);
    }

    @Test
    void anUploadsPartsBecomeOneObjectOnCompletion() {
        index.createBucket(new Bucket("bkt", ACCOUNT, "us-east-1", T0, "{}"));
        index.createUpload(new Upload("u1", "bkt", "big", T0, "{}"));
        index.putPart("u1", new Part(2, 5, "\"e2\"", "p2", T0));
        index.putPart("u1", new Part(1, 5, "\"e1\"", "p1a", T0));
        assertThat(index.putPart("u1", new Part(1, 5, "\"e1b\"", "p1b", T0)))
                .map(Part::contentId)
                .contains("p1a");
        assertThat(index.parts("u1")).extracting(Part::contentId).containsExactly("p1b", "p2");
        assertThat(index.uploads("bkt")).extracting(Upload::id).containsExactly("u1");
        index.complete("u1", object("bkt", "big", "whole"), Notifications.NONE);
        assertThat(index.upload("u1")).isEmpty();
        assertThat(index.parts("u1")).isEmpty();
        assertThat(index.object("bkt", "big")).map(StoredObject::contentId).contains("whole");
        assertThatThrownBy(() -> index.putPart("u1", new Part(3, 1, "\"e\"", "p3", T0)))
                .isInstanceOf(LambdaException.class);
    }
}
