package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.auth.Credential;
import dev.spur.server.SpurServer;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * With {@code --auth sigv4}, S3 checks signatures as S3 does — the SDK's signed and aws-chunked uploads,
 * the CLI's, presigned URLs with their expiry — and buckets belong to the signer's account.
 */
@SpurTest(auth = SpurServer.Auth.SIGV4)
class S3SigV4Test {
    static Spur spur;

    @TempDir
    Path dir;

    @Test
    void bucketsBelongToTheSignersAccountAndForgedOrExpiredSignaturesAreRefused() throws Exception {
        Credential alice = spur.newKey("111111111111");
        Credential bob = spur.newKey("222222222222");
        String bucket = Spur.uniqueName("signed").toLowerCase(Locale.ROOT).replace('_', '-');
        try (S3Client a = S3Clients.pathStyle(spur.endpoint(), alice.accessKeyId(), alice.secretKey());
                S3Client b = S3Clients.pathStyle(spur.endpoint(), bob.accessKeyId(), bob.secretKey());
                S3Client forged = S3Clients.pathStyle(spur.endpoint(), alice.accessKeyId(), "not-the-secret");
                var presigner = S3Clients.presigner(spur.endpoint(), alice.accessKeyId(), alice.secretKey())) {
            a.createBucket(r -> r.bucket(bucket));
            byte[] big = new byte[3 * 1024 * 1024 + 17];
            a.putObject(r -> r.bucket(bucket).key("k ü+"), RequestBody.fromBytes(big));
            assertThat(a.getObjectAsBytes(r -> r.bucket(bucket).key("k ü+")).asByteArray())
                    .isEqualTo(big);

            assertThatThrownBy(() -> b.getObjectAsBytes(r -> r.bucket(bucket).key("k ü+")))
                    .isInstanceOfSatisfying(
                            S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
            assertThatThrownBy(() -> forged.listBuckets()).isInstanceOfSatisfying(S3Exception.class, e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
            });
            assertThat(a.listBuckets().buckets()).anyMatch(x -> x.name().equals(bucket));
            assertThat(b.listBuckets().buckets()).noneMatch(x -> x.name().equals(bucket));

            URI url = presigner
                    .presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                            .getObjectRequest(g -> g.bucket(bucket).key("k ü+")))
                    .url()
                    .toURI();
            HttpClient http = HttpClient.newHttpClient();
            assertThat(http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray())
                            .body())
                    .isEqualTo(big);
            URI tampered = URI.create(url.toString().replace("X-Amz-Expires=300", "X-Amz-Expires=301"));
            HttpResponse<String> refused =
                    http.send(HttpRequest.newBuilder(tampered).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("<Code>SignatureDoesNotMatch</Code>");

            Path file = dir.resolve("f.txt");
            Files.writeString(file, "by the cli");
            AwsCli cli = new AwsCli(
                    spur.endpoint(),
                    dir,
                    Map.of("AWS_ACCESS_KEY_ID", alice.accessKeyId(), "AWS_SECRET_ACCESS_KEY", alice.secretKey()));
            AwsCli.Result cp = cli.aws("s3", "cp", file.toString(), "s3://" + bucket + "/cli file.txt");
            assertThat(cp.exit()).as(cp.err()).isZero();
            assertThat(a.getObjectAsBytes(r -> r.bucket(bucket).key("cli file.txt"))
                            .asUtf8String())
                    .isEqualTo("by the cli");
        }
    }
}
