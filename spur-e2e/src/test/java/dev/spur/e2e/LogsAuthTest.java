package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.auth.Credential;
import dev.spur.server.SpurServer;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.CloudWatchLogsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogGroup;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.LambdaClient;

/** {@code --auth sigv4}: CloudWatch Logs requests are verified as Lambda's are (service {@code logs}); accounts see only their own groups. */
@SpurTest(auth = SpurServer.Auth.SIGV4)
class LogsAuthTest {
    static Spur spur;

    private static CloudWatchLogsClient logs(String keyId, String secret) {
        return CloudWatchLogsClient.builder()
                .endpointOverride(URI.create(spur.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
                .build();
    }

    @Test
    void anAccountSeesOnlyItsOwnLogGroups() {
        Credential alice = spur.newKey("333333333333");
        Credential bob = spur.newKey("444444444444");
        String name;
        try (LambdaClient lambda = spur.client(alice)) {
            name = Spur.deploy(
                    lambda,
                    "private-logs",
                    FunctionPackage.testRuntime(),
                    b -> b.role("arn:aws:iam::333333333333:role/r"));
            Spur.ok(Spur.invoke(lambda, name, Map.of("print", "alice-secret")));
        }
        String group = "/aws/lambda/" + name;
        try (CloudWatchLogsClient aliceLogs = logs(alice.accessKeyId(), alice.secretKey());
                CloudWatchLogsClient bobLogs = logs(bob.accessKeyId(), bob.secretKey());
                CloudWatchLogsClient stranger = logs("AKIAUNKNOWN000000000", "nope")) {
            assertThat(aliceLogs.describeLogGroups().logGroups())
                    .extracting(LogGroup::logGroupName)
                    .contains(group);
            assertThat(aliceLogs
                            .filterLogEvents(r -> r.logGroupName(group).filterPattern("alice-secret"))
                            .events())
                    .hasSize(1);
            assertThat(aliceLogs.describeLogGroups().logGroups().getFirst().arn())
                    .startsWith("arn:aws:logs:us-east-1:333333333333:log-group:");

            assertThat(bobLogs.describeLogGroups().logGroups())
                    .extracting(LogGroup::logGroupName)
                    .doesNotContain(group);
            assertThatThrownBy(() -> bobLogs.filterLogEvents(r -> r.logGroupName(group)))
                    .isInstanceOf(ResourceNotFoundException.class);
            assertThatThrownBy(() -> bobLogs.putRetentionPolicy(
                            r -> r.logGroupName(group).retentionInDays(1)))
                    .isInstanceOf(ResourceNotFoundException.class);
            assertThatThrownBy(() -> stranger.describeLogGroups())
                    .isInstanceOfSatisfying(CloudWatchLogsException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
                    });
        }
    }
}
