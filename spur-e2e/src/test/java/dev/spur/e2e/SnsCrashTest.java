package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.testing.Await;
import dev.spur.testing.Directories;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
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
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The durability promise of Publish, the hard way: 1,000 messages published by four SnsClients to a topic
 * with three subscribers — an SQS queue with raw delivery, an SQS queue with the JSON notification, and a
 * Python function that forwards each SNS event it receives to a third queue. The server process is killed
 * with SIGKILL once 300 publishes were acknowledged and restarted on the same data directory; the clients
 * go on against the new process. Every publish answered 200 must then have reached every subscriber.
 */
class SnsCrashTest {
    private static final int MESSAGES = 1_000;
    private static final int CLIENTS = 4;
    private static final int KILL_AFTER_ACKNOWLEDGED = 300;
    private static final String FORWARD_MESSAGE = """
            import json, os, urllib.request
            def handler(event, context):
                for r in event["Records"]:
                    req = urllib.request.Request(os.environ["AWS_ENDPOINT_URL"] + "/", method="POST",
                        data=json.dumps({"QueueUrl": os.environ["AWS_ENDPOINT_URL"] + "/000000000000/fn-sink",
                                         "MessageBody": r["Sns"]["Message"]}).encode(),
                        headers={"X-Amz-Target": "AmazonSQS.SendMessage",
                                 "Content-Type": "application/x-amz-json-1.0"})
                    urllib.request.urlopen(req).read()
            """;

    private volatile SnsClient current;
    private volatile String topicArn;

    static SnsClient client(int port) {
        return SnsClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("spur", "spur")))
                .overrideConfiguration(
                        c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(30)))
                .build();
    }

    @Test
    @Timeout(900)
    void everyAcknowledgedPublishReachesEverySubscriberAfterAKill9MidBurst() throws Exception {
        Path work = Files.createTempDirectory("spur-sns-crash-");
        Path data = work.resolve("data");
        Path log = work.resolve("server.log");
        ServerProcess server = ServerProcess.start(data, 4, log);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> unknown = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        boolean keep = false;
        try {
            String endpoint = "http://127.0.0.1:" + server.port();
            try (SqsClient sqs = SqsSink.client(endpoint);
                    LambdaClient lambda = Spur.client(endpoint, "spur", "spur")) {
                for (String q : List.of("raw", "envelope", "fn-sink")) {
                    sqs.createQueue(b -> b.queueName(q).attributesWithStrings(Map.of("VisibilityTimeout", "600")));
                }
                String function =
                        Spur.deploy(lambda, "fwd", FunctionPackage.python(FORWARD_MESSAGE), b -> b.timeout(30));
                current = client(server.port());
                topicArn = current.createTopic(b -> b.name("crash")).topicArn();
                current.subscribe(b -> b.topicArn(topicArn)
                        .protocol("sqs")
                        .endpoint(SqsSink.queueArn("raw"))
                        .attributes(Map.of("RawMessageDelivery", "true")));
                current.subscribe(b -> b.topicArn(topicArn).protocol("sqs").endpoint(SqsSink.queueArn("envelope")));
                current.subscribe(b -> b.topicArn(topicArn)
                        .protocol("lambda")
                        .endpoint("arn:aws:lambda:us-east-1:000000000000:function:" + function));
            }
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(
                        Thread.ofPlatform().name("publisher-" + c).start(() -> publish(next, acknowledged, unknown)));
            }
            while (acknowledged.size() < KILL_AFTER_ACKNOWLEDGED) {
                Thread.sleep(5);
            }
            SnsClient before = current;
            server.kill9(); // while the publishers are mid-request: some publishes are cut off
            current = null;
            before.close();
            server = ServerProcess.start(data, 4, log);
            current = client(server.port());
            for (Thread t : clients) {
                t.join(180_000);
                assertThat(t.isAlive()).as("publisher finished").isFalse();
            }

            Map<String, Map<String, Integer>> received = new HashMap<>();
            try (SqsClient sqs = SqsSink.client("http://127.0.0.1:" + server.port())) {
                String base = "http://127.0.0.1:" + server.port() + "/000000000000/";
                received.put("raw", drain(sqs, base + "raw", acknowledged, false));
                received.put("envelope", drain(sqs, base + "envelope", acknowledged, true));
                received.put("lambda", drain(sqs, base + "fn-sink", acknowledged, false));
            }
            Map<String, Integer> lost = new HashMap<>();
            Map<String, Integer> unexpected = new HashMap<>();
            received.forEach((subscriber, got) -> {
                Set<String> missing = new HashSet<>(acknowledged);
                missing.removeAll(got.keySet());
                lost.put(subscriber, missing.size());
                Set<String> extra = new HashSet<>(got.keySet());
                extra.removeAll(acknowledged);
                extra.removeAll(unknown);
                unexpected.put(subscriber, extra.size());
            });
            System.out.printf(
                    Locale.ROOT,
                    "SNS-CRASH publishes=%d acknowledged=%d cutOffByKill=%d lost=%s unexpected=%s%n",
                    MESSAGES,
                    acknowledged.size(),
                    unknown.size(),
                    lost,
                    unexpected);
            assertThat(acknowledged.size()).isGreaterThan(KILL_AFTER_ACKNOWLEDGED);
            assertThat(acknowledged.size() + unknown.size()).isEqualTo(MESSAGES);
            assertThat(lost)
                    .as("acknowledged publishes a subscriber never got")
                    .containsOnly(Map.entry("raw", 0), Map.entry("envelope", 0), Map.entry("lambda", 0));
            assertThat(unexpected)
                    .as("messages that were never published")
                    .containsOnly(Map.entry("raw", 0), Map.entry("envelope", 0), Map.entry("lambda", 0));
        } catch (Throwable t) {
            keep = true;
            System.err.println("The Spur processes' output (" + log + ", data kept in " + data + "):");
            List<String> output = Files.readAllLines(log);
            output.subList(Math.max(0, output.size() - 60), output.size()).forEach(System.err::println);
            throw t;
        } finally {
            if (current != null) {
                current.close();
            }
            server.close();
            if (!keep) {
                Directories.deleteTree(work);
            }
        }
    }

    /** Publishes until all are taken; a publish whose answer did not come (the kill) is "unknown". */
    private void publish(AtomicInteger next, Set<String> acknowledged, Set<String> unknown) {
        int n;
        while ((n = next.getAndIncrement()) < MESSAGES) {
            String message = "publish-" + n;
            SnsClient client = current;
            while (client == null) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
                client = current;
            }
            try {
                client.publish(b -> b.topicArn(topicArn).message(message));
                acknowledged.add(message);
            } catch (RuntimeException e) {
                unknown.add(message); // delivered or not: the answer never came
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

    /**
     * Every message of the queue by its SNS message (the body, or the envelope's {@code Message}), waiting
     * until every acknowledged one came (the function's forwards run after the restart) or five minutes passed.
     */
    private static Map<String, Integer> drain(SqsClient sqs, String url, Set<String> expected, boolean envelope) {
        Map<String, Integer> received = new HashMap<>();
        try {
            // the function's forwards take longest: each is an invocation, four at a time, on a loaded machine
            Await.await("every acknowledged publish in " + url, Duration.ofSeconds(300), () -> {
                List<Message> got = sqs.receiveMessage(
                                b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1))
                        .messages();
                for (Message m : got) {
                    String body =
                            envelope ? SqsSink.json(m.body()).path("Message").asText() : m.body();
                    received.merge(body, 1, Integer::sum);
                }
                if (!got.isEmpty()) {
                    sqs.deleteMessageBatch(b -> b.queueUrl(url)
                            .entries(got.stream()
                                    .map(m -> DeleteMessageBatchRequestEntry.builder()
                                            .id(m.messageId())
                                            .receiptHandle(m.receiptHandle())
                                            .build())
                                    .toList()));
                }
                return received.keySet().containsAll(expected);
            });
        } catch (AssertionError timedOut) {
            // reported as lost below, with the counts of every subscriber
        }
        return received;
    }
}
