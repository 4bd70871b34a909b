package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.ReceiptHandleIsInvalidException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * SQS on Spur's port with real clients: the AWS CLI v2 (query protocol, XML), the AWS SDK for Java v2's
 * {@link SqsClient} (JSON protocol; it checks every MD5), and event-source mappings feeding Python
 * functions that answer with partial batch responses, FIFO groups kept in order under injected
 * failures, and a redrive to a dead-letter queue.
 */
@SpurTest
class SqsTest {
    static Spur spur;
    static SqsClient sqs;

    @TempDir
    Path dir;

    @BeforeAll
    static void client() {
        sqs = SqsClient.builder()
                .endpointOverride(URI.create(spur.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("spur", "spur")))
                .overrideConfiguration(
                        c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(60)))
                .build();
    }

    @AfterAll
    static void close() {
        sqs.close();
    }

    private AwsCli.Result aws(String... args) throws Exception {
        return new AwsCli(spur.endpoint(), dir, Map.of()).aws(args);
    }

    @Test
    void theAwsCliCreatesSendsReceivesAndDeletesOverTheQueryProtocol() throws Exception {
        String name = Spur.uniqueName("cli-q");
        String url = aws("sqs", "create-queue", "--queue-name", name, "--attributes", "VisibilityTimeout=40")
                .json()
                .path("QueueUrl")
                .asText();
        assertThat(url).isEqualTo(spur.endpoint() + "/000000000000/" + name);
        // the CLI checks MD5OfMessageBody and MD5OfMessageAttributes itself and fails on a mismatch
        JsonNode sent = aws(
                        "sqs",
                        "send-message",
                        "--queue-url",
                        url,
                        "--message-body",
                        "ünïcode & <xml>\r\n",
                        "--message-attributes",
                        "{\"kind\":{\"DataType\":\"String\",\"StringValue\":\"order\"},"
                                + "\"blob\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAEC\"},"
                                + "\"n\":{\"DataType\":\"Number\",\"StringValue\":\"42\"}}")
                .json();
        assertThat(sent.path("MD5OfMessageAttributes").asText()).hasSize(32);

        JsonNode received = aws(
                        "sqs",
                        "receive-message",
                        "--queue-url",
                        url,
                        "--attribute-names",
                        "All",
                        "--message-attribute-names",
                        "All",
                        "--wait-time-seconds",
                        "1")
                .json();
        JsonNode message = received.path("Messages").get(0);
        assertThat(message.path("Body").asText()).isEqualTo("ünïcode & <xml>\r\n");
        assertThat(message.path("MessageId").asText())
                .isEqualTo(sent.path("MessageId").asText());
        assertThat(message.path("Attributes").path("ApproximateReceiveCount").asText())
                .isEqualTo("1");
        assertThat(message.path("MessageAttributes")
                        .path("blob")
                        .path("BinaryValue")
                        .asText())
                .isEqualTo("AAEC");

        JsonNode attributes = aws("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "All")
                .json()
                .path("Attributes");
        assertThat(attributes.path("VisibilityTimeout").asText()).isEqualTo("40");
        assertThat(attributes.path("ApproximateNumberOfMessagesNotVisible").asText())
                .isEqualTo("1");
        assertThat(attributes.path("QueueArn").asText()).isEqualTo("arn:aws:sqs:us-east-1:000000000000:" + name);

        assertThat(aws(
                                "sqs",
                                "delete-message",
                                "--queue-url",
                                url,
                                "--receipt-handle",
                                message.path("ReceiptHandle").asText())
                        .exit())
                .isZero();
        assertThat(aws("sqs", "list-queues", "--queue-name-prefix", name)
                        .json()
                        .path("QueueUrls")
                        .get(0)
                        .asText())
                .isEqualTo(url);
        AwsCli.Result missing = aws("sqs", "get-queue-url", "--queue-name", name + "-nope");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("AWS.SimpleQueueService.NonExistentQueue");
        AwsCli.Result bad = aws("sqs", "set-queue-attributes", "--queue-url", url, "--attributes", "DelaySeconds=901");
        assertThat(bad.err()).contains("InvalidAttributeValue");
        assertThat(aws("sqs", "delete-queue", "--queue-url", url).exit()).isZero();
    }

    @Test
    void theSdkSpeaksTheJsonProtocolWithFifoDedupAndStaleReceiptHandles() {
        String name = Spur.uniqueName("sdk") + ".fifo";
        String url = sqs.createQueue(b -> b.queueName(name)
                        .attributes(Map.of(
                                QueueAttributeName.FIFO_QUEUE,
                                "true",
                                QueueAttributeName.CONTENT_BASED_DEDUPLICATION,
                                "true",
                                QueueAttributeName.VISIBILITY_TIMEOUT,
                                "30")))
                .queueUrl();
        var first = sqs.sendMessage(b -> b.queueUrl(url)
                .messageBody("a")
                .messageGroupId("g")
                .messageAttributes(Map.of(
                        "k",
                        MessageAttributeValue.builder()
                                .dataType("String")
                                .stringValue("v")
                                .build())));
        var duplicate = sqs.sendMessage(b -> b.queueUrl(url).messageBody("a").messageGroupId("g"));
        assertThat(duplicate.messageId()).isEqualTo(first.messageId());
        var batch = sqs.sendMessageBatch(b -> b.queueUrl(url)
                .entries(
                        SendMessageBatchRequestEntry.builder()
                                .id("1")
                                .messageBody("b")
                                .messageGroupId("g")
                                .build(),
                        SendMessageBatchRequestEntry.builder()
                                .id("2")
                                .messageBody("c")
                                .messageGroupId("g")
                                .messageAttributes(Map.of(
                                        "bin",
                                        MessageAttributeValue.builder()
                                                .dataType("Binary")
                                                .binaryValue(SdkBytes.fromByteArray(new byte[] {0, 1, 2}))
                                                .build()))
                                .build()));
        assertThat(batch.successful()).hasSize(2);
        assertThat(batch.failed()).isEmpty();

        var got = sqs.receiveMessage(b -> b.queueUrl(url)
                .maxNumberOfMessages(10)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All"));
        assertThat(got.messages()).extracting(m -> m.body()).containsExactly("a", "b", "c");
        assertThat(got.messages().get(0).attributesAsStrings()).containsEntry("MessageGroupId", "g");
        // the group is in flight: nothing more from it
        assertThat(sqs.receiveMessage(b -> b.queueUrl(url)).messages()).isEmpty();

        String stale = got.messages().get(0).receiptHandle();
        // the whole group back: a FIFO group hands out nothing while any of its messages is in flight
        var released = sqs.changeMessageVisibilityBatch(b -> b.queueUrl(url)
                .entries(got.messages().stream()
                        .map(m -> ChangeMessageVisibilityBatchRequestEntry.builder()
                                .id(m.messageId().substring(0, 8))
                                .receiptHandle(m.receiptHandle())
                                .visibilityTimeout(0)
                                .build())
                        .toList()));
        assertThat(released.successful()).hasSize(3);
        var again = sqs.receiveMessage(b -> b.queueUrl(url)
                .maxNumberOfMessages(1)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));
        assertThat(again.messages().getFirst().attributesAsStrings()).containsEntry("ApproximateReceiveCount", "2");
        assertThatThrownBy(() -> sqs.changeMessageVisibility(
                        b -> b.queueUrl(url).receiptHandle(stale).visibilityTimeout(5)))
                .isInstanceOf(ReceiptHandleIsInvalidException.class);
        sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(stale)); // stale: deletes nothing
        Map<String, String> counts = sqs.getQueueAttributes(b ->
                        b.queueUrl(url).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributesAsStrings();
        assertThat(counts).containsEntry("ApproximateNumberOfMessagesNotVisible", "1");

        assertThatThrownBy(() -> sqs.getQueueUrl(b -> b.queueName("no-such-queue")))
                .isInstanceOf(QueueDoesNotExistException.class);
        sqs.deleteQueue(b -> b.queueUrl(url));
    }

    @Test
    void aLongPollIsWokenAtOnceByASend() throws Exception {
        String url = sqs.createQueue(b -> b.queueName(Spur.uniqueName("poll"))).queueUrl();
        Thread sender = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            sqs.sendMessage(b -> b.queueUrl(url).messageBody("wake"));
        });
        var got = sqs.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(20));
        sender.join();
        assertThat(got.messages()).extracting(m -> m.body()).containsExactly("wake");
    }

    /** A Python function that forwards each record to {@code sink} with the standard library (JSON protocol, AWS_ENDPOINT_URL). */
    private static final String FORWARDER = """
            import json, os, random, urllib.request
            def send(queue, body):
                req = urllib.request.Request(os.environ["AWS_ENDPOINT_URL"] + "/", method="POST",
                    data=json.dumps({"QueueUrl": os.environ["AWS_ENDPOINT_URL"] + "/000000000000/" + queue,
                                     "MessageBody": body}).encode(),
                    headers={"X-Amz-Target": "AmazonSQS.SendMessage", "Content-Type": "application/x-amz-json-1.0"})
                urllib.request.urlopen(req).read()
            def handler(event, context):
                sink = os.environ["SINK"]
                first = all(r["attributes"]["ApproximateReceiveCount"] == "1" for r in event["Records"])
                if first and os.environ.get("FAIL_RATE") and random.random() < float(os.environ["FAIL_RATE"]):
                    raise Exception("injected failure")
                failures = []
                for r in event["Records"]:
                    if "fail" in r["body"]:
                        failures.append({"itemIdentifier": r["messageId"]})
                    else:
                        send(sink, json.dumps(r))
                return {"batchItemFailures": failures}
            """;

    private List<JsonNode> drain(String url, int expected) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        Await.await("the sink's " + expected + " messages", Duration.ofSeconds(240), () -> {
            var got = sqs.receiveMessage(
                    b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1));
            for (var m : got.messages()) {
                try {
                    out.add(Json.MAPPER.readTree(m.body()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()));
            }
            return out.size() >= expected;
        });
        return out;
    }

    @Test
    void aMappingDeliversTheSqsEventFiltersReportsPartialFailuresAndRedrivesToTheDeadLetterQueue() throws Exception {
        String sink = Spur.uniqueName("sink");
        String sinkUrl = sqs.createQueue(b -> b.queueName(sink)).queueUrl();
        String dlq = Spur.uniqueName("dlq");
        String dlqUrl = sqs.createQueue(b -> b.queueName(dlq)).queueUrl();
        String source = Spur.uniqueName("src");
        String redrive = "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:" + dlq
                + "\",\"maxReceiveCount\":\"2\"}";
        String sourceUrl = sqs.createQueue(b -> b.queueName(source)
                        .attributesWithStrings(Map.of("VisibilityTimeout", "10", "RedrivePolicy", redrive)))
                .queueUrl();
        String function = spur.deploy(
                "fwd", FunctionPackage.python(FORWARDER), b -> b.environment(e -> e.variables(Map.of("SINK", sink))));

        JsonNode mapping = aws(
                        "lambda",
                        "create-event-source-mapping",
                        "--function-name",
                        function,
                        "--event-source-arn",
                        "arn:aws:sqs:us-east-1:000000000000:" + source,
                        "--batch-size",
                        "10",
                        "--function-response-types",
                        "ReportBatchItemFailures",
                        "--filter-criteria",
                        "{\"Filters\":[{\"Pattern\":\"{\\\"body\\\":{\\\"drop\\\":[{\\\"exists\\\":false}]}}\"}]}")
                .json();
        assertThat(mapping.path("State").asText()).isEqualTo("Creating");
        String uuid = mapping.path("UUID").asText();
        assertThat(aws("lambda", "get-event-source-mapping", "--uuid", uuid)
                        .json()
                        .path("State")
                        .asText())
                .isEqualTo("Enabled");

        sqs.sendMessage(b -> b.queueUrl(sourceUrl)
                .messageBody("{\"n\":1}")
                .messageAttributes(Map.of(
                        "k",
                        MessageAttributeValue.builder()
                                .dataType("String")
                                .stringValue("v")
                                .build())));
        sqs.sendMessage(b -> b.queueUrl(sourceUrl).messageBody("{\"drop\":true}"));
        sqs.sendMessage(b -> b.queueUrl(sourceUrl).messageBody("please fail"));

        JsonNode record = drain(sinkUrl, 1).getFirst();
        assertThat(record.path("body").asText()).isEqualTo("{\"n\":1}");
        assertThat(record.path("eventSource").asText()).isEqualTo("aws:sqs");
        assertThat(record.path("eventSourceARN").asText()).isEqualTo("arn:aws:sqs:us-east-1:000000000000:" + source);
        assertThat(record.path("awsRegion").asText()).isEqualTo("us-east-1");
        assertThat(record.path("attributes").path("ApproximateReceiveCount").asText())
                .isEqualTo("1");
        assertThat(record.path("md5OfBody").asText()).hasSize(32);
        assertThat(record.path("messageAttributes")
                        .path("k")
                        .path("stringValue")
                        .asText())
                .isEqualTo("v");
        assertThat(record.path("messageAttributes").path("k").path("dataType").asText())
                .isEqualTo("String");

        // "please fail" was reported failed twice and is moved to the DLQ; the filtered one was deleted
        var dead = Await.await(
                "the dead letter",
                Duration.ofSeconds(90),
                () -> sqs.receiveMessage(b -> b.queueUrl(dlqUrl).waitTimeSeconds(1))
                        .messages(),
                l -> !l.isEmpty());
        assertThat(dead.getFirst().body()).isEqualTo("please fail");
        Await.await(
                "an empty source queue",
                Duration.ofSeconds(10),
                () -> sqs.getQueueAttributes(b -> b.queueUrl(sourceUrl).attributeNames(QueueAttributeName.ALL))
                        .attributesAsStrings(),
                a -> a.get("ApproximateNumberOfMessages").equals("0")
                        && a.get("ApproximateNumberOfMessagesNotVisible").equals("0"));

        assertThat(aws("lambda", "update-event-source-mapping", "--uuid", uuid, "--no-enabled")
                        .json()
                        .path("State")
                        .asText())
                .isEqualTo("Updating");
        sqs.sendMessage(b -> b.queueUrl(sourceUrl).messageBody("{\"n\":2}"));
        Thread.sleep(1_500);
        assertThat(sqs.getQueueAttributes(b ->
                                b.queueUrl(sourceUrl).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                        .attributesAsStrings())
                .containsEntry("ApproximateNumberOfMessages", "1");
        assertThat(aws("lambda", "delete-event-source-mapping", "--uuid", uuid)
                        .json()
                        .path("State")
                        .asText())
                .isEqualTo("Deleting");
        assertThat(aws("lambda", "list-event-source-mappings", "--function-name", function)
                        .json()
                        .path("EventSourceMappings"))
                .isEmpty();
    }

    @Test
    void fifoGroupsKeepTheirOrderThroughAMappingWithInjectedFailures() throws Exception {
        String sink = Spur.uniqueName("fsink");
        String sinkUrl = sqs.createQueue(b -> b.queueName(sink)).queueUrl();
        String source = Spur.uniqueName("fsrc") + ".fifo";
        String sourceUrl = sqs.createQueue(b -> b.queueName(source)
                        .attributesWithStrings(Map.of("FifoQueue", "true", "VisibilityTimeout", "10")))
                .queueUrl();
        String function = spur.deploy(
                "ffwd",
                FunctionPackage.python(FORWARDER),
                b -> b.environment(e -> e.variables(Map.of("SINK", sink, "FAIL_RATE", "0.2"))));
        JsonNode mapping = aws(
                        "lambda",
                        "create-event-source-mapping",
                        "--function-name",
                        function,
                        "--event-source-arn",
                        "arn:aws:sqs:us-east-1:000000000000:" + source,
                        "--batch-size",
                        "10",
                        "--scaling-config",
                        "MaximumConcurrency=10")
                .json();
        int groups = 10;
        int perGroup = 100;
        for (int i = 0; i < perGroup; i++) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                String body = g + ":" + i;
                entries.add(SendMessageBatchRequestEntry.builder()
                        .id("e" + g)
                        .messageBody(body)
                        .messageGroupId("g" + g)
                        .messageDeduplicationId(body)
                        .build());
            }
            sqs.sendMessageBatch(b -> b.queueUrl(sourceUrl).entries(entries));
        }
        List<JsonNode> records = drain(sinkUrl, groups * perGroup);
        Map<String, List<Integer>> byGroup = new HashMap<>();
        for (JsonNode r : records) {
            String[] parts = r.path("body").asText().split(":");
            byGroup.computeIfAbsent(parts[0], g -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
            assertThat(r.path("attributes").path("MessageGroupId").asText()).isEqualTo("g" + parts[0]);
        }
        assertThat(byGroup).hasSize(groups);
        assertThat(records)
                .as("some batches failed and came back")
                .anyMatch(r -> !r.path("attributes")
                        .path("ApproximateReceiveCount")
                        .asText()
                        .equals("1"));
        for (List<Integer> order : byGroup.values()) {
            assertThat(order).isSorted().doesNotHaveDuplicates().hasSize(perGroup);
        }
        aws(
                "lambda",
                "delete-event-source-mapping",
                "--uuid",
                mapping.path("UUID").asText());
    }
}
