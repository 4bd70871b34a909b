package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.auth.Credential;
import dev.spur.server.SpurServer;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * With {@code --auth sigv4}, SQS on Spur's port checks signatures and accounts exactly as Lambda's API
 * does: a queue belongs to the signer's account, another account's queue URL answers NonExistentQueue,
 * and a bad signature is refused in SQS's error shape.
 */
@SpurTest(auth = SpurServer.Auth.SIGV4)
class SqsSigV4Test {
    static Spur spur;

    static SqsClient client(String id, String secret) {
        return SqsClient.builder()
                .endpointOverride(URI.create(spur.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)))
                .overrideConfiguration(
                        c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(30)))
                .build();
    }

    @Test
    void queuesBelongToTheSignersAccountAndABadSignatureIsRefused() {
        Credential alice = spur.newKey("111111111111");
        Credential bob = spur.newKey("222222222222");
        String name = Spur.uniqueName("signed");
        try (SqsClient a = client(alice.accessKeyId(), alice.secretKey());
                SqsClient b = client(bob.accessKeyId(), bob.secretKey());
                SqsClient forged = client(alice.accessKeyId(), "not-the-secret")) {
            String url = a.createQueue(r -> r.queueName(name)).queueUrl();
            assertThat(url).endsWith("/111111111111/" + name);
            a.sendMessage(r -> r.queueUrl(url).messageBody("for alice"));
            assertThat(a.getQueueAttributes(r -> r.queueUrl(url).attributeNamesWithStrings("QueueArn"))
                            .attributesAsStrings())
                    .containsEntry("QueueArn", "arn:aws:sqs:us-east-1:111111111111:" + name);

            assertThatThrownBy(() -> b.receiveMessage(r -> r.queueUrl(url)))
                    .isInstanceOf(QueueDoesNotExistException.class);
            assertThatThrownBy(() -> b.getQueueUrl(r -> r.queueName(name)))
                    .isInstanceOf(QueueDoesNotExistException.class);
            assertThatThrownBy(() -> forged.listQueues()).isInstanceOfSatisfying(AwsServiceException.class, e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
            });
            assertThat(a.receiveMessage(r -> r.queueUrl(url)).messages())
                    .extracting(m -> m.body())
                    .containsExactly("for alice");
        }
    }
}
