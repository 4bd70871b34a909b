package dev.spur.e2e;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import org.apache.hc.client5.http.impl.InMemoryDnsResolver;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The AWS SDK for Java v2's S3 clients pointed at a Spur: path-style ({@code http://127.0.0.1:<port>/<bucket>/<key>})
 * or virtual-host style ({@code http://<bucket>.s3.localhost:<port>/<key>}, the buckets' host names resolved
 * to the loopback address by the HTTP client, as no resolver here knows {@code *.localhost}).
 */
final class S3Clients {
    private S3Clients() {}

    static S3Client pathStyle(String endpoint, String id, String secret) {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)))
                .overrideConfiguration(
                        c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(60)))
                .build();
    }

    /** Virtual-host style through {@code s3.localhost:<port>}; {@code buckets} are the bucket names to resolve. */
    static S3Client virtualHost(int port, String... buckets) {
        InMemoryDnsResolver dns = new InMemoryDnsResolver();
        try {
            InetAddress loopback = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
            dns.add("s3.localhost", loopback);
            for (String b : buckets) {
                dns.add(b + ".s3.localhost", loopback);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        return S3Client.builder()
                .endpointOverride(URI.create("http://s3.localhost:" + port))
                .forcePathStyle(false)
                .region(Region.US_EAST_1)
                .httpClient(Apache5HttpClient.builder().dnsResolver(dns).build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("spur", "spur")))
                .overrideConfiguration(
                        c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(60)))
                .build();
    }

    static S3Presigner presigner(String endpoint, String id, String secret) {
        return S3Presigner.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .serviceConfiguration(
                        S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)))
                .build();
    }
}
