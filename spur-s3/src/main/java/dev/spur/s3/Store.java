package dev.spur.s3;

import dev.spur.queue.MessageStore;
import dev.spur.queue.ObjectIndex;
import dev.spur.queue.ObjectIndex.Bucket;
import dev.spur.queue.ObjectIndex.Notifications;
import dev.spur.queue.QueuedEvent;
import dev.spur.sqs.QueueRef;
import dev.spur.sqs.Queues;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every S3 operation works with: the index, the files, the clock, and how a change becomes its
 * notifications — an asynchronous event per matching function target and a message per matching queue
 * target, handed to the index to store in the change's own transaction ({@link #notifications}).
 */
final class Store {
    private static final Pattern LAMBDA_ARN =
            Pattern.compile("arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\\d{12}):function:[A-Za-z0-9_.:$-]+");
    private static final HexFormat HEX = HexFormat.of();

    final ObjectIndex index;
    final ObjectFiles files;
    final Queues queues;
    final FunctionLookup functions;
    final InstantSource clock;
    final S3Events events = new S3Events();

    Store(ObjectIndex index, ObjectFiles files, Queues queues, FunctionLookup functions, InstantSource clock) {
        this.index = index;
        this.files = files;
        this.queues = queues;
        this.functions = functions;
        this.clock = clock;
    }

    /** The bucket, if the caller's account owns it. @throws S3Exception NoSuchBucket, AccessDenied */
    Bucket owned(S3Service.Request r) {
        Bucket b = index.bucket(r.bucket()).orElseThrow(() -> S3Exception.noSuchBucket(r.bucket()));
        if (!b.account().equals(r.account())) {
            throw S3Exception.accessDenied();
        }
        return b;
    }

    /** What a change of {@code key} notifies under the bucket's configuration (nothing stored yet). */
    Notifications notifications(
            Bucket bucket, S3Service.Request r, String requestId, String eventName, S3Events.Change change) {
        NotificationConfig config = NotificationConfig.fromJson(bucket.notifications());
        if (config.targets().isEmpty()) {
            return Notifications.NONE;
        }
        List<QueuedEvent> lambdaEvents = new ArrayList<>();
        List<ObjectIndex.QueueMessage> messages = new ArrayList<>();
        Instant now = change.time();
        for (NotificationConfig.Target t : config.targets()) {
            if (!t.matches(eventName, change.key())) {
                continue;
            }
            byte[] record = S3Events.record(change, t.id());
            switch (t.kind()) {
                case LAMBDA ->
                    function(bucket.account(), t.arn())
                            .ifPresent(f -> lambdaEvents.add(new QueuedEvent(
                                    UUID.randomUUID().toString(),
                                    f.function(),
                                    f.qualifier(),
                                    record,
                                    now,
                                    0,
                                    now,
                                    "s3:" + bucket.name())));
                case QUEUE ->
                    QueueRef.fromArn(t.arn())
                            .ifPresent(q -> messages.add(message(q, new String(record, StandardCharsets.UTF_8), now)));
                case TOPIC -> {
                    // refused when configured; nothing stored has one
                }
            }
        }
        return new Notifications(lambdaEvents, messages);
    }

    /** A function target of the bucket owner's account. */
    Optional<FunctionLookup.Target> function(String account, String arn) {
        Matcher m = LAMBDA_ARN.matcher(arn);
        if (!m.matches() || !m.group(2).equals(account)) {
            return Optional.empty();
        }
        return functions.find(account, m.group(1), arn);
    }

    static ObjectIndex.QueueMessage message(QueueRef q, String body, Instant now) {
        MessageStore.NewMessage m = new MessageStore.NewMessage(
                UUID.randomUUID().toString(), body, null, md5Hex(body), null, null, null, now);
        return new ObjectIndex.QueueMessage(q.account(), q.name(), m);
    }

    /** Wakes receivers of the queues that just got messages (after the commit). */
    void delivered(Notifications n) {
        for (ObjectIndex.QueueMessage m : n.messages()) {
            queues.arrived(m.account(), m.queue());
        }
    }

    static String md5Hex(String text) {
        return HEX.formatHex(ObjectFiles.md5().digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
