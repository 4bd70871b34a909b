package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.testing.Directories;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * The durability promise of SQS sends, the hard way: 10,000 messages sent in batches of ten by eight
 * SDK clients; the server process is killed with SIGKILL once 3,000 were acknowledged and restarted on
 * the same data directory; the clients go on against the new process. Every message whose send was
 * answered 200 must then be received — none lost — and nothing that was never sent may appear.
 */
class SqsCrashTest {
    private static final int MESSAGES = 10_000;
    private static final int BATCH = 10;
    private static final int CLIENTS = 8;
    private static final int KILL_AFTER_ACKNOWLEDGED = 3_000;

    private volatile SqsClient current;
    private volatile String queueUrl;

    static SqsClient client(int port) {
        return SqsClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("spur", "spur")))
                .overrideConfiguration(
                        c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(30)))
                .build();
    }

    @Test
    @Timeout(300)
    void everyAcknowledgedSendIsReceivedAfterAKill9MidBurst() throws Exception {
        Path work = Files.createTempDirectory("spur-sqs-crash-");
        Path data = work.resolve("data");
        Path log = work.resolve("server.log");
        ServerProcess server = ServerProcess.start(data, 4, log);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> unknown = ConcurrentHashMap.newKeySet();
        AtomicInteger nextBatch = new AtomicInteger();
        try {
            current = client(server.port());
            queueUrl = current.createQueue(
                            b -> b.queueName("crash").attributesWithStrings(Map.of("VisibilityTimeout", "600")))
                    .queueUrl();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(
                        Thread.ofPlatform().name("sender-" + c).start(() -> send(nextBatch, acknowledged, unknown)));
            }
            while (acknowledged.size() < KILL_AFTER_ACKNOWLEDGED) {
                Thread.sleep(5);
            }
            SqsClient before = current;
            server.kill9(); // while the senders are mid-request: some batches are cut off
            current = null;
            before.close();
            server = ServerProcess.start(data, 4, log);
            current = client(server.port());
            queueUrl = current.getQueueUrl(b -> b.queueName("crash")).queueUrl();
            for (Thread t : clients) {
                t.join(120_000);
                assertThat(t.isAlive()).as("sender finished").isFalse();
            }

            Map<String, Integer> received = drain(current, queueUrl);
            Set<String> lost = new HashSet<>(acknowledged);
            lost.removeAll(received.keySet());
            Set<String> unexpected = new HashSet<>(received.keySet());
            unexpected.removeAll(acknowledged);
            unexpected.removeAll(unknown);
            long duplicates = received.values().stream().filter(n -> n > 1).count();
            System.out.printf(
                    Locale.ROOT,
                    "SQS-CRASH messages=%d acknowledged=%d cutOffByKill=%d received=%d lost=%d unexpected=%d "
                            + "duplicates=%d%n",
                    MESSAGES,
                    acknowledged.size(),
                    unknown.size(),
                    received.size(),
                    lost.size(),
                    unexpected.size(),
                    duplicates);
            assertThat(acknowledged.size())
                    .as("sends acknowledged before and after the kill")
                    .isGreaterThan(KILL_AFTER_ACKNOWLEDGED);
            assertThat(lost).as("acknowledged messages never received").isEmpty();
            assertThat(unexpected).as("messages that were never sent").isEmpty();
            assertThat(duplicates).isZero();
            assertThat(acknowledged.size() + unknown.size()).isEqualTo(MESSAGES);
        } catch (Throwable t) {
            System.err.println("The Spur processes' output (" + log + "):");
            List<String> output = Files.readAllLines(log);
            output.subList(Math.max(0, output.size() - 60), output.size()).forEach(System.err::println);
            throw t;
        } finally {
            server.close();
            Directories.deleteTree(work);
        }
    }

    /** Sends batches until all are taken; a batch whose answer did not come (the kill) is "unknown". */
    private void send(AtomicInteger nextBatch, Set<String> acknowledged, Set<String> unknown) {
        int b;
        while ((b = nextBatch.getAndIncrement()) < MESSAGES / BATCH) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                entries.add(SendMessageBatchRequestEntry.builder()
                        .id("m" + i)
                        .messageBody("message-" + (b * BATCH + i))
                        .build());
            }
            SqsClient client = current;
            while (client == null) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
                client = current;
            }
            try {
                SendMessageBatchResponse r =
                        client.sendMessageBatch(x -> x.queueUrl(queueUrl).entries(entries));
                assertThat(r.failed()).isEmpty();
                entries.forEach(e -> acknowledged.add(e.messageBody()));
            } catch (RuntimeException e) {
                entries.forEach(x -> unknown.add(x.messageBody())); // stored or not: the answer never came
                while (current == null || current == client) { // the server is down: wait for the next one
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException stop) {
                        return;
                    }
                }
            }
        }
    }

    private static Map<String, Integer> drain(SqsClient sqs, String url) {
        Map<String, Integer> received = new HashMap<>();
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
            got.forEach(m -> received.merge(m.body(), 1, Integer::sum));
            sqs.deleteMessageBatch(b -> b.queueUrl(url)
                    .entries(got.stream()
                            .map(m -> DeleteMessageBatchRequestEntry.builder()
                                    .id(m.messageId())
                                    .receiptHandle(m.receiptHandle())
                                    .build())
                            .toList()));
        }
        return received;
    }
}
