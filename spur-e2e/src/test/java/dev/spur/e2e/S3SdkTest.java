package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * S3 on Spur's port with the AWS SDK for Java v2: its {@link S3Client} path-style and virtual-host style
 * (its default checksums, aws-chunked uploads, {@code encoding-type=url} listings), keys that need
 * encoding round-tripping, errors as the SDK's typed exceptions, and a URL presigned by
 * {@code S3Presigner} fetched by {@code java.net.http}.
 */
@SpurTest
class S3SdkTest {
    static Spur spur;

    static final List<String> AWKWARD_KEYS = List.of(
            "plain.txt",
            "with space.txt",
            "plus+sign",
            "100% done",
            "a/b/c/deep.bin",
            "ünïcödé/日本語 ✓",
            "semi;colon,comma=eq&amp?q#hash",
            "tilde~star*(paren)'quote'");

    private static String bucket() {
        return Spur.uniqueName("sdk").toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Test
    void thePathStyleClientRoundTripsAwkwardKeysAndListsThem() {
        String bucket = bucket();
        try (S3Client s3 = S3Clients.pathStyle(spur.endpoint(), "spur", "spur")) {
            s3.createBucket(b -> b.bucket(bucket));
            for (String key : AWKWARD_KEYS) {
                s3.putObject(
                        b -> b.bucket(bucket).key(key).contentType("text/plain").metadata(Map.of("k", "v")),
                        RequestBody.fromString("body of " + key));
            }
            for (String key : AWKWARD_KEYS) {
                ResponseBytes<GetObjectResponse> got =
                        s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
                assertThat(got.asUtf8String()).isEqualTo("body of " + key);
                assertThat(got.response().metadata()).containsEntry("k", "v");
                assertThat(got.response().contentType()).isEqualTo("text/plain");
            }
            List<String> listed = new ArrayList<>();
            s3.listObjectsV2Paginator(b -> b.bucket(bucket).maxKeys(3))
                    .contents()
                    .forEach(o -> listed.add(o.key()));
            assertThat(listed).containsExactlyInAnyOrderElementsOf(AWKWARD_KEYS);
            assertThat(listed)
                    .isSortedAccordingTo((a, b) -> Arrays.compareUnsigned(
                            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));

            assertThat(s3.getObjectAsBytes(
                                    b -> b.bucket(bucket).key("a/b/c/deep.bin").range("bytes=-4"))
                            .asUtf8String())
                    .isEqualTo(".bin");
            assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("missing")))
                    .isInstanceOf(NoSuchKeyException.class);
            assertThatThrownBy(() -> s3.listObjectsV2(b -> b.bucket(bucket + "-none")))
                    .isInstanceOf(NoSuchBucketException.class);
            assertThatThrownBy(() -> s3.deleteBucket(b -> b.bucket(bucket)))
                    .isInstanceOfSatisfying(
                            S3Exception.class,
                            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("BucketNotEmpty"));

            for (S3Object o : s3.listObjectsV2(b -> b.bucket(bucket)).contents()) {
                s3.deleteObject(b -> b.bucket(bucket).key(o.key()));
            }
            s3.deleteBucket(b -> b.bucket(bucket));
            assertThat(s3.listBuckets().buckets()).noneMatch(b -> b.name().equals(bucket));
        }
    }

    @Test
    void theVirtualHostClientAddressesBucketsByHostName() {
        String bucket = bucket();
        try (S3Client s3 = S3Clients.virtualHost(spur.port(), bucket)) {
            s3.createBucket(b -> b.bucket(bucket));
            for (String key : AWKWARD_KEYS) {
                s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key));
            }
            for (String key : AWKWARD_KEYS) {
                assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String())
                        .isEqualTo(key);
            }
            s3.copyObject(b -> b.sourceBucket(bucket)
                    .sourceKey("with space.txt")
                    .destinationBucket(bucket)
                    .destinationKey("copied ü"));
            assertThat(s3.headObject(b -> b.bucket(bucket).key("copied ü")).contentLength())
                    .isEqualTo("with space.txt".length());
        }
        try (S3Client path = S3Clients.pathStyle(spur.endpoint(), "spur", "spur")) {
            assertThat(path.getObjectAsBytes(b -> b.bucket(bucket).key("copied ü"))
                            .asUtf8String())
                    .as("the same bucket, path-style")
                    .isEqualTo("with space.txt");
        }
    }

    @Test
    void aPresignedGetIsServedToAPlainHttpClient() throws Exception {
        String bucket = bucket();
        try (S3Client s3 = S3Clients.pathStyle(spur.endpoint(), "spur", "spur");
                var presigner = S3Clients.presigner(spur.endpoint(), "spur", "spur")) {
            s3.createBucket(b -> b.bucket(bucket));
            s3.putObject(b -> b.bucket(bucket).key("shared file ü.txt"), RequestBody.fromString("presigned"));
            URI url = presigner
                    .presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                            .getObjectRequest(g -> g.bucket(bucket).key("shared file ü.txt")))
                    .url()
                    .toURI();
            HttpResponse<String> got = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(got.body()).isEqualTo("presigned");
        }
    }
}
