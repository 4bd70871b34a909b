package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
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
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;
import software.amazon.awssdk.services.sns.model.NotFoundException;
import software.amazon.awssdk.services.sns.model.PublishBatchRequestEntry;
import software.amazon.awssdk.services.sns.model.PublishBatchResponse;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * SNS on Spur's port with real clients: the AWS CLI v2 and the AWS SDK for Java v2's {@link SnsClient}
 * (both speak the query protocol to SNS), a Python function receiving the SNS event, SQS subscriptions
 * with and without raw delivery, filter policies on attributes and on the body, and a FIFO topic
 * feeding a FIFO queue in order.
 */
@SpurTest
class SnsTest {
    static final String ACCOUNT = "000000000000";
    static Spur spur;
    static SnsClient sns;
    static SqsClient sqs;

    @TempDir
    Path dir;

    @BeforeAll
    static void clients() {
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("spur", "spur"));
        sns = SnsClient.builder()
                .endpointOverride(URI.create(spur.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials)
                .overrideConfiguration(
                        c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(60)))
                .build();
        sqs = SqsSink.client(spur.endpoint());
    }

    @AfterAll
    static void close() {
        sns.close();
        sqs.close();
    }

    private AwsCli.Result aws(String... args) throws Exception {
        return new AwsCli(spur.endpoint(), dir, Map.of()).aws(args);
    }

    static String queueArn(String name) {
        return SqsSink.queueArn(name);
    }

    static List<Message> drain(String url, int expected) {
        return SqsSink.drain(sqs, url, expected);
    }

    static JsonNode json(String text) {
        return SqsSink.json(text);
    }

    @Test
    void theAwsCliCreatesSubscribesPublishesAndSeesSnsErrors() throws Exception {
        String topic = Spur.uniqueName("cli-topic");
        String queue = Spur.uniqueName("cli-inbox");
        String url = sqs.createQueue(b -> b.queueName(queue)).queueUrl();
        String topicArn = aws("sns", "create-topic", "--name", topic)
                .json()
                .path("TopicArn")
                .asText();
        assertThat(topicArn).isEqualTo("arn:aws:sns:us-east-1:" + ACCOUNT + ":" + topic);
        String subscriptionArn = aws(
                        "sns",
                        "subscribe",
                        "--topic-arn",
                        topicArn,
                        "--protocol",
                        "sqs",
                        "--notification-endpoint",
                        queueArn(queue),
                        "--return-subscription-arn")
                .json()
                .path("SubscriptionArn")
                .asText();
        assertThat(subscriptionArn).startsWith(topicArn + ":");

        JsonNode published = aws(
                        "sns",
                        "publish",
                        "--topic-arn",
                        topicArn,
                        "--subject",
                        "Greetings",
                        "--message",
                        "hello & <xml>",
                        "--message-attributes",
                        "{\"kind\":{\"DataType\":\"String\",\"StringValue\":\"order\"}}")
                .json();
        String messageId = published.path("MessageId").asText();

        JsonNode envelope = json(drain(url, 1).getFirst().body());
        assertThat(envelope.path("Type").asText()).isEqualTo("Notification");
        assertThat(envelope.path("MessageId").asText()).isEqualTo(messageId);
        assertThat(envelope.path("TopicArn").asText()).isEqualTo(topicArn);
        assertThat(envelope.path("Subject").asText()).isEqualTo("Greetings");
        assertThat(envelope.path("Message").asText()).isEqualTo("hello & <xml>");
        assertThat(envelope.path("Timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(envelope.path("SignatureVersion").asText()).isEqualTo("1");
        assertThat(envelope.path("Signature").asText()).isNotEmpty();
        assertThat(envelope.path("SigningCertURL").asText()).endsWith(".pem");
        assertThat(envelope.path("UnsubscribeURL").asText())
                .contains("Action=Unsubscribe")
                .contains(subscriptionArn);
        assertThat(envelope.path("MessageAttributes").path("kind").path("Type").asText())
                .isEqualTo("String");
        assertThat(envelope.path("MessageAttributes").path("kind").path("Value").asText())
                .isEqualTo("order");

        JsonNode attributes = aws("sns", "get-topic-attributes", "--topic-arn", topicArn)
                .json()
                .path("Attributes");
        assertThat(attributes.path("SubscriptionsConfirmed").asText()).isEqualTo("1");
        assertThat(attributes.path("Owner").asText()).isEqualTo(ACCOUNT);
        assertThat(aws("sns", "list-subscriptions-by-topic", "--topic-arn", topicArn)
                        .json()
                        .path("Subscriptions")
                        .get(0)
                        .path("Endpoint")
                        .asText())
                .isEqualTo(queueArn(queue));
        assertThat(aws("sns", "list-topics").json().path("Topics").findValuesAsText("TopicArn"))
                .contains(topicArn);

        AwsCli.Result missing = aws("sns", "publish", "--topic-arn", topicArn + "-gone", "--message", "x");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("NotFound").contains("Topic does not exist");
        AwsCli.Result empty = aws("sns", "publish", "--topic-arn", topicArn, "--message", "");
        assertThat(empty.exit()).isNotZero();
        assertThat(empty.err()).contains("InvalidParameter");

        assertThat(aws("sns", "unsubscribe", "--subscription-arn", subscriptionArn)
                        .exit())
                .isZero();
        assertThat(aws("sns", "delete-topic", "--topic-arn", topicArn).exit()).isZero();
        assertThat(aws("sns", "list-topics").json().path("Topics").findValuesAsText("TopicArn"))
                .doesNotContain(topicArn);
    }

    /** A Python function that sends the event it got, as JSON, to the queue {@code SINK} (standard library only). */
    static final String FORWARD_EVENT = """
            import json, os, urllib.request
            def handler(event, context):
                req = urllib.request.Request(os.environ["AWS_ENDPOINT_URL"] + "/", method="POST",
                    data=json.dumps({"QueueUrl": os.environ["AWS_ENDPOINT_URL"] + "/000000000000/" + os.environ["SINK"],
                                     "MessageBody": json.dumps(event)}).encode(),
                    headers={"X-Amz-Target": "AmazonSQS.SendMessage", "Content-Type": "application/x-amz-json-1.0"})
                urllib.request.urlopen(req).read()
                return {"ok": True}
            """;

    @Test
    void aPythonFunctionReceivesTheSnsEventAsAwsDocumentsIt() {
        String sink = Spur.uniqueName("sns-sink");
        String sinkUrl = sqs.createQueue(b -> b.queueName(sink)).queueUrl();
        String function = spur.deploy(
                "sns-fn",
                FunctionPackage.python(FORWARD_EVENT),
                b -> b.environment(e -> e.variables(Map.of("SINK", sink))));
        String topicArn =
                sns.createTopic(b -> b.name(Spur.uniqueName("fn-topic"))).topicArn();
        String subscriptionArn = sns.subscribe(b -> b.topicArn(topicArn)
                        .protocol("lambda")
                        .endpoint("arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:" + function)
                        .returnSubscriptionArn(true))
                .subscriptionArn();

        String messageId = sns.publish(b -> b.topicArn(topicArn)
                        .message("{\"order\":7}")
                        .subject("TestInvoke")
                        .messageAttributes(Map.of(
                                "Test",
                                MessageAttributeValue.builder()
                                        .dataType("String")
                                        .stringValue("TestString")
                                        .build(),
                                "TestBinary",
                                MessageAttributeValue.builder()
                                        .dataType("Binary")
                                        .binaryValue(SdkBytes.fromUtf8String("TestBinary"))
                                        .build())))
                .messageId();

        JsonNode event = json(drain(sinkUrl, 1).getFirst().body());
        assertThat(event.path("Records")).hasSize(1);
        JsonNode record = event.path("Records").get(0);
        assertThat(record.path("EventSource").asText()).isEqualTo("aws:sns");
        assertThat(record.path("EventVersion").asText()).isEqualTo("1.0");
        assertThat(record.path("EventSubscriptionArn").asText()).isEqualTo(subscriptionArn);
        JsonNode n = record.path("Sns");
        assertThat(n.path("Type").asText()).isEqualTo("Notification");
        assertThat(n.path("MessageId").asText()).isEqualTo(messageId);
        assertThat(n.path("TopicArn").asText()).isEqualTo(topicArn);
        assertThat(n.path("Subject").asText()).isEqualTo("TestInvoke");
        assertThat(n.path("Message").asText()).isEqualTo("{\"order\":7}");
        assertThat(n.path("Timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(n.path("SignatureVersion").asText()).isEqualTo("1");
        assertThat(n.path("Signature").asText()).isNotEmpty();
        assertThat(n.path("SigningCertUrl").asText())
                .startsWith(spur.endpoint())
                .endsWith(".pem");
        assertThat(n.path("UnsubscribeUrl").asText()).contains("Action=Unsubscribe&SubscriptionArn=" + subscriptionArn);
        assertThat(n.path("MessageAttributes").path("Test").path("Type").asText())
                .isEqualTo("String");
        assertThat(n.path("MessageAttributes").path("Test").path("Value").asText())
                .isEqualTo("TestString");
        assertThat(n.path("MessageAttributes").path("TestBinary").path("Type").asText())
                .isEqualTo("Binary");
        assertThat(n.path("MessageAttributes").path("TestBinary").path("Value").asText())
                .isEqualTo(Base64.getEncoder().encodeToString("TestBinary".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void rawDeliveryAndFilterPoliciesOnAttributesAndOnTheBody() {
        String topicArn =
                sns.createTopic(b -> b.name(Spur.uniqueName("filters"))).topicArn();
        String raw = Spur.uniqueName("raw");
        String rawUrl = sqs.createQueue(b -> b.queueName(raw)).queueUrl();
        String byAttribute = Spur.uniqueName("by-attr");
        String byAttributeUrl = sqs.createQueue(b -> b.queueName(byAttribute)).queueUrl();
        String byBody = Spur.uniqueName("by-body");
        String byBodyUrl = sqs.createQueue(b -> b.queueName(byBody)).queueUrl();
        sns.subscribe(b -> b.topicArn(topicArn)
                .protocol("sqs")
                .endpoint(queueArn(raw))
                .attributes(Map.of("RawMessageDelivery", "true")));
        String attributeSubscription = sns.subscribe(b -> b.topicArn(topicArn)
                        .protocol("sqs")
                        .endpoint(queueArn(byAttribute))
                        .attributes(Map.of(
                                "FilterPolicy",
                                "{\"store\":[\"example_corp\"],\"price_usd\":[{\"numeric\":[\">=\",100]}]}")))
                .subscriptionArn();
        sns.subscribe(b -> b.topicArn(topicArn)
                .protocol("sqs")
                .endpoint(queueArn(byBody))
                .attributes(Map.of(
                        "FilterPolicyScope", "MessageBody",
                        "FilterPolicy", "{\"kind\":[{\"prefix\":\"book\"}]}")));

        publish(topicArn, "{\"kind\":\"books\"}", "example_corp", "150");
        publish(topicArn, "{\"kind\":\"toys\"}", "example_corp", "99");
        publish(topicArn, "{\"kind\":\"bookends\"}", "other_corp", "500");

        List<Message> rawMessages = drain(rawUrl, 3);
        assertThat(rawMessages)
                .extracting(Message::body)
                .containsExactlyInAnyOrder("{\"kind\":\"books\"}", "{\"kind\":\"toys\"}", "{\"kind\":\"bookends\"}");
        assertThat(rawMessages.getFirst().messageAttributes().get("store").stringValue())
                .isIn("example_corp", "other_corp");
        assertThat(rawMessages.getFirst().messageAttributes().get("price_usd").dataType())
                .isEqualTo("Number");
        assertThat(drain(byAttributeUrl, 1))
                .extracting(m -> json(m.body()).path("Message").asText())
                .containsExactly("{\"kind\":\"books\"}");
        assertThat(drain(byBodyUrl, 2))
                .extracting(m -> json(m.body()).path("Message").asText())
                .containsExactlyInAnyOrder("{\"kind\":\"books\"}", "{\"kind\":\"bookends\"}");
        // nothing else arrives later
        assertThat(sqs.receiveMessage(b -> b.queueUrl(byAttributeUrl).waitTimeSeconds(1))
                        .messages())
                .isEmpty();

        assertThat(sns.getSubscriptionAttributes(b -> b.subscriptionArn(attributeSubscription))
                        .attributes())
                .containsEntry("FilterPolicyScope", "MessageAttributes")
                .containsEntry("RawMessageDelivery", "false")
                .containsEntry("PendingConfirmation", "false");
        assertThatThrownBy(() -> sns.setSubscriptionAttributes(b -> b.subscriptionArn(attributeSubscription)
                        .attributeName("FilterPolicy")
                        .attributeValue("{\"store\":\"not-an-array\"}")))
                .hasMessageContaining("FilterPolicy");
        assertThatThrownBy(() -> sns.publish(b -> b.topicArn(topicArn + "-gone").message("x")))
                .isInstanceOf(NotFoundException.class);
    }

    private static void publish(String topicArn, String message, String store, String price) {
        sns.publish(b -> b.topicArn(topicArn)
                .message(message)
                .messageAttributes(Map.of(
                        "store",
                        MessageAttributeValue.builder()
                                .dataType("String")
                                .stringValue(store)
                                .build(),
                        "price_usd",
                        MessageAttributeValue.builder()
                                .dataType("Number")
                                .stringValue(price)
                                .build())));
    }

    @Test
    void aFifoTopicFeedsAFifoQueueInOrderPerGroupAndBatchesAnswerPerEntry() {
        String topicArn = sns.createTopic(b -> b.name(Spur.uniqueName("orders") + ".fifo")
                        .attributes(Map.of("FifoTopic", "true", "ContentBasedDeduplication", "true")))
                .topicArn();
        String queue = Spur.uniqueName("orders") + ".fifo";
        String url = sqs.createQueue(b -> b.queueName(queue).attributesWithStrings(Map.of("FifoQueue", "true")))
                .queueUrl();
        sns.subscribe(b -> b.topicArn(topicArn)
                .protocol("sqs")
                .endpoint(queueArn(queue))
                .attributes(Map.of("RawMessageDelivery", "true")));
        assertThatThrownBy(() -> sns.subscribe(
                        b -> b.topicArn(topicArn).protocol("sqs").endpoint(queueArn(Spur.uniqueName("standard")))))
                .hasMessageContaining("FIFO");
        assertThatThrownBy(() -> sns.publish(b -> b.topicArn(topicArn).message("no group")))
                .hasMessageContaining("MessageGroupId");

        List<String> sequences = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            sequences.add(sns.publish(b -> b.topicArn(topicArn)
                            .message("g" + (n % 2) + "-" + n)
                            .messageGroupId("g" + (n % 2)))
                    .sequenceNumber());
        }
        assertThat(sequences).isSorted().doesNotHaveDuplicates();
        PublishBatchResponse batch = sns.publishBatch(b -> b.topicArn(topicArn)
                .publishBatchRequestEntries(
                        PublishBatchRequestEntry.builder()
                                .id("a")
                                .message("g0-20")
                                .messageGroupId("g0")
                                .build(),
                        PublishBatchRequestEntry.builder()
                                .id("b")
                                .message("no group")
                                .build()));
        assertThat(batch.successful()).extracting(s -> s.id()).containsExactly("a");
        assertThat(batch.failed()).extracting(f -> f.id()).containsExactly("b");
        assertThat(batch.failed().getFirst().code()).isEqualTo("InvalidParameter");
        assertThat(batch.failed().getFirst().senderFault()).isTrue();

        List<String> bodies = drain(url, 21).stream().map(Message::body).toList();
        for (String group : List.of("g0", "g1")) {
            List<Integer> order = bodies.stream()
                    .filter(s -> s.startsWith(group + "-"))
                    .map(s -> Integer.parseInt(s.substring(3)))
                    .toList();
            assertThat(order).isSorted().hasSize(group.equals("g0") ? 11 : 10);
        }
    }
}
