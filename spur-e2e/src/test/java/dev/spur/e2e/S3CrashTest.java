package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.QueueConfiguration;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The promise that an object that exists always got its notification, the hard way: 1,000 PUTs of keys
 * with spaces, {@code +}, {@code %}, {@code /} and non-ASCII characters by eight SDK clients into a bucket
 * whose notifications go to a queue; the server process is killed with SIGKILL once 300 were
 * acknowledged and restarted on the same data directory; the clients go on. Then every acknowledged PUT's
 * object exists, every object that exists (acknowledged or cut off by the kill) has at least one
 * notification, whose key decodes to the original, and nothing was notified that does not exist.
 */
class S3CrashTest {
    private static final int PUTS = 1_000;
    private static final int CLIENTS = 8;
    private static final int KILL_AFTER_ACKNOWLEDGED = 300;
    private static final String BUCKET = "crash-bucket";

    private volatile S3Client current;

    static String key(int i) {
        return "dir " + (i % 7) + "/a+b%" + i + "/ünï 日本 " + i + ".txt";
    }

    @Test
    @Timeout(300)
    void everyObjectThatExistsWasNotifiedAfterAKill9MidBurst() throws Exception {
        Path work = Files.createTempDirectory("spur-s3-crash-");
        Path data = work.resolve("data");
        Path log = work.resolve("server.log");
        ServerProcess server = ServerProcess.start(data, 4, log);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> unknown = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        try {
            current = S3Clients.pathStyle("http://127.0.0.1:" + server.port(), "spur", "spur");
            String queueUrl;
            try (SqsClient sqs = SqsCrashTest.client(server.port())) {
                sqs.createQueue(b -> b.queueName("notified").attributesWithStrings(Map.of("VisibilityTimeout", "600")));
            }
            current.createBucket(b -> b.bucket(BUCKET));
            current.putBucketNotificationConfiguration(b -> b.bucket(BUCKET)
                    .notificationConfiguration(n -> n.queueConfigurations(QueueConfiguration.builder()
                            .id("all")
                            .queueArn("arn:aws:sqs:us-east-1:000000000000:notified")
                            .eventsWithStrings("s3:ObjectCreated:*")
                            .build())));
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(Thread.ofPlatform().name("putter-" + c).start(() -> put(next, acknowledged, unknown)));
            }
            while (acknowledged.size() < KILL_AFTER_ACKNOWLEDGED) {
                Thread.sleep(5);
            }
            S3Client before = current;
            server.kill9(); // while the clients are mid-request: some PUTs are cut off
            current = null;
            before.close();
            server = ServerProcess.start(data, 4, log);
            current = S3Clients.pathStyle("http://127.0.0.1:" + server.port(), "spur", "spur");
            for (Thread t : clients) {
                t.join(120_000);
                assertThat(t.isAlive()).as("client finished").isFalse();
            }

            Set<String> exists = new HashSet<>();
            for (S3Object o :
                    current.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents()) {
                exists.add(o.key());
            }
            Map<String, Integer> notified;
            try (SqsClient sqs = SqsCrashTest.client(server.port())) {
                queueUrl = sqs.getQueueUrl(b -> b.queueName("notified")).queueUrl();
                notified = drain(sqs, queueUrl);
            }
            Set<String> missingObjects = new HashSet<>(acknowledged);
            missingObjects.removeAll(exists);
            Set<String> unnotified = new HashSet<>(exists);
            unnotified.removeAll(notified.keySet());
            Set<String> phantom = new HashSet<>(notified.keySet());
            phantom.removeAll(exists);
            Set<String> garbled = new HashSet<>(exists);
            for (int i = 0; i < PUTS; i++) {
                garbled.remove(key(i));
            }
            long duplicates = notified.values().stream().filter(n -> n > 1).count();
            System.out.printf(
                    Locale.ROOT,
                    "S3-CRASH puts=%d acknowledged=%d cutOffByKill=%d objects=%d notified=%d lostObjects=%d "
                            + "unnotified=%d phantom=%d duplicates=%d%n",
                    PUTS,
                    acknowledged.size(),
                    unknown.size(),
                    exists.size(),
                    notified.size(),
                    missingObjects.size(),
                    unnotified.size(),
                    phantom.size(),
                    duplicates);
            assertThat(acknowledged.size()).isGreaterThan(KILL_AFTER_ACKNOWLEDGED);
            assertThat(missingObjects)
                    .as("acknowledged PUTs whose object is gone")
                    .isEmpty();
            assertThat(unnotified)
                    .as("objects that exist without a notification")
                    .isEmpty();
            assertThat(phantom).as("notifications of objects that do not exist").isEmpty();
            assertThat(garbled).as("keys that do not decode to an original").isEmpty();
            assertThat(acknowledged.size() + unknown.size()).isEqualTo(PUTS);
        } catch (Throwable t) {
            System.err.println("The Spur processes' output (" + log + "):");
            List<String> output = Files.readAllLines(log);
            output.subList(Math.max(0, output.size() - 60), output.size()).forEach(System.err::println);
            throw t;
        } finally {
            if (current != null) {
                current.close();
            }
            server.close();
            Directories.deleteTree(work);
        }
    }

    private void put(AtomicInteger next, Set<String> acknowledged, Set<String> unknown) {
        int i;
        while ((i = next.getAndIncrement()) < PUTS) {
            String key = key(i);
            S3Client client = current;
            while (client == null) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
                client = current;
            }
            try {
                client.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("object " + key));
                acknowledged.add(key);
            } catch (RuntimeException e) {
                unknown.add(key); // stored or not: the answer never came
                while (current == null || current == client) {
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException stop) {
                        return;
                    }
                }
            }
        }
    }

    /** Every notified key (decoded from the event record), with how many notifications it got. */
    private static Map<String, Integer> drain(SqsClient sqs, String url) {
        Map<String, Integer> notified = new HashMap<>();
        int empty = 0;
        while (empty < 3) {
            List<Message> got = sqs.receiveMessage(
                            b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1))
                    .messages();
            if (got.isEmpty()) {
                empty++;
                continue;
            }
            empty = 0;
            for (Message m : got) {
                JsonNode body;
                try {
                    body = Json.MAPPER.readTree(m.body());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                for (JsonNode r : body.path("Records")) {
                    String key = URLDecoder.decode(
                            r.path("s3").path("object").path("key").asText(), StandardCharsets.UTF_8);
                    notified.merge(key, 1, Integer::sum);
                }
            }
            sqs.deleteMessageBatch(b -> b.queueUrl(url)
                    .entries(got.stream()
                            .map(m -> DeleteMessageBatchRequestEntry.builder()
                                    .id(m.messageId())
                                    .receiptHandle(m.receiptHandle())
                                    .build())
                            .toList()));
        }
        return notified;
    }
}
