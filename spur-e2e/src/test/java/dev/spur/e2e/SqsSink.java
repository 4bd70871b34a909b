package dev.spur.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/** SQS queues as the place where SNS and EventBridge tests look at what was delivered. */
final class SqsSink {
    private SqsSink() {}

    static SqsClient client(String endpoint) {
        return SqsClient.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("spur", "spur")))
                .overrideConfiguration(
                        c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(60)))
                .build();
    }

    static String queueArn(String name) {
        return "arn:aws:sqs:us-east-1:000000000000:" + name;
    }

    /** Every message now in the queue (deleted as read), waiting until {@code expected} came. */
    static List<Message> drain(SqsClient sqs, String url, int expected) {
        List<Message> out = new ArrayList<>();
        Await.await("the queue's " + expected + " messages", Duration.ofSeconds(120), () -> {
            var got = sqs.receiveMessage(b ->
                    b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1).messageAttributeNames("All"));
            for (Message m : got.messages()) {
                out.add(m);
                sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()));
            }
            return out.size() >= expected;
        });
        return out;
    }

    static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
