package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.ThrottleReason;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/** Throttling as Lambda answers it, regions taken from the SigV4 scope, and media-type errors. */
@SpurTest(accountConcurrency = 1, shared = false)
class ThrottleAndRegionTest {
    static Spur spur;

    @Test
    void invocationsPastTheConcurrencyLimitAre429WithReasonAndRetryAfter() throws Exception {
        String name = Spur.uniqueName("thr");
        spur.create(name, FunctionPackage.testRuntime());
        CompletableFuture<?> busy = CompletableFuture.runAsync(() ->
                spur.lambda().invoke(b -> b.functionName(name).payload(SdkBytes.fromUtf8String("{\"sleep\":1.5}"))));
        Await.await(
                "the first invocation to run",
                Duration.ofSeconds(30),
                () -> spur.server().pools().stats().inFlight() > 0);
        assertThatThrownBy(() -> spur.lambda().invoke(b -> b.functionName(name)))
                .isInstanceOfSatisfying(TooManyRequestsException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(429);
                    assertThat(e.reason()).isEqualTo(ThrottleReason.CONCURRENT_INVOCATION_LIMIT_EXCEEDED);
                    assertThat(e.retryAfterSeconds()).isEqualTo("1");
                });
        busy.get();
        assertThat(spur.lambda().invoke(b -> b.functionName(name)).functionError())
                .isNull();
    }

    @Test
    void theSignedRegionScopesFunctions() {
        try (LambdaClient eu = LambdaClient.builder()
                .endpointOverride(URI.create(spur.endpoint()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("spur", "spur")))
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
            String name = Spur.uniqueName("eu");
            String arn = eu.createFunction(b -> b.functionName(name)
                            .runtime("provided.al2023")
                            .handler("h")
                            .role(Spur.ROLE)
                            .code(c -> c.zipFile(SdkBytes.fromByteArray(
                                    FunctionPackage.testRuntime().zip()))))
                    .functionArn();
            assertThat(arn).isEqualTo("arn:aws:lambda:eu-west-1:000000000000:function:" + name);
            assertThat(eu.listFunctions().functions())
                    .extracting(FunctionConfiguration::functionName)
                    .contains(name);
            assertThat(spur.lambda().listFunctions().functions())
                    .extracting(FunctionConfiguration::functionName)
                    .doesNotContain(name);
            assertThatThrownBy(() -> spur.lambda().getFunction(b -> b.functionName(name)))
                    .isInstanceOf(ResourceNotFoundException.class);
            assertThat(spur.lambda()
                            .getFunction(b -> b.functionName(arn))
                            .configuration()
                            .functionArn())
                    .isEqualTo(arn);
        }
    }

    @Test
    void aNonJsonBodyTypeIs415() throws Exception {
        HttpURLConnection c = (HttpURLConnection)
                URI.create(spur.endpoint() + "/2015-03-31/functions").toURL().openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/xml");
        c.getOutputStream().write("<CreateFunction/>".getBytes(StandardCharsets.UTF_8));
        assertThat(c.getResponseCode()).isEqualTo(415);
        assertThat(c.getHeaderField("x-amzn-ErrorType")).isEqualTo("UnsupportedMediaTypeException");
        try (InputStream err = c.getErrorStream()) {
            assertThat(new String(err.readAllBytes(), StandardCharsets.UTF_8))
                    .contains("\"Type\":\"User\"")
                    .contains("\"message\":");
        }
    }

    @Test
    void unknownOperationsAnswerInTheAwsShape() throws Exception {
        HttpURLConnection c = (HttpURLConnection)
                URI.create(spur.endpoint() + "/2099-01-01/nothing").toURL().openConnection();
        assertThat(c.getResponseCode()).isEqualTo(404);
        assertThat(c.getHeaderField("x-amzn-ErrorType")).isEqualTo("UnknownOperationException");
    }
}
