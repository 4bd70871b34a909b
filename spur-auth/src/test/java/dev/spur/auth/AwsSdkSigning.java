package dev.spur.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner.AuthLocation;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Signs requests with AWS's own SigV4 signer from the AWS SDK for Java v2, and turns the result into
 * the {@link SignedRequest} the edge would see on the wire (path and query as the SDK's URI renders
 * them, headers one entry per value).
 */
final class AwsSdkSigning {
    static final String KEY_ID = "AKSPTESTKEY234567ABC";
    static final String SECRET = "Zm9vYmFyYmF6cXV4cXV1eC9wbHVzK3NsYXNoLzQw";
    static final String ACCOUNT = "000000000000";
    static final Instant SIGNED_AT = Instant.parse("2015-08-30T12:36:00Z");
    static final CredentialLookup KEYS =
            id -> id.equals(KEY_ID) ? Optional.of(new Credential(KEY_ID, SECRET, ACCOUNT)) : Optional.empty();

    private AwsSdkSigning() {}

    static SdkHttpRequest.Builder request(String method, String encodedPath) {
        return SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(method))
                .protocol("https")
                .host("spur.example.test")
                .port(9000)
                .encodedPath(encodedPath);
    }

    /** Header-signs for lambda/us-east-1 at {@link #SIGNED_AT}. */
    static SignedRequest sign(SdkHttpRequest.Builder request, byte[] body) {
        return sign(request, body, r -> {});
    }

    static SignedRequest sign(
            SdkHttpRequest.Builder request,
            byte[] body,
            Consumer<SignRequest.Builder<AwsCredentialsIdentity>> options) {
        return sign(request, body, AwsCredentialsIdentity.create(KEY_ID, SECRET), options);
    }

    static SignedRequest sign(
            SdkHttpRequest.Builder request,
            byte[] body,
            AwsCredentialsIdentity identity,
            Consumer<SignRequest.Builder<AwsCredentialsIdentity>> options) {
        var signed = AwsV4HttpSigner.create().sign(r -> {
            r.identity(identity)
                    .request(request.build())
                    .payload(ContentStreamProvider.fromByteArray(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "lambda")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                    .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(SIGNED_AT, ZoneOffset.UTC));
            options.accept(r);
        });
        return onTheWire(signed.request(), body);
    }

    /** Presigns (query-string auth) with the given lifetime. */
    static SignedRequest presign(SdkHttpRequest.Builder request, Duration expiresIn) {
        return sign(
                request,
                new byte[0],
                r -> r.putProperty(AwsV4HttpSigner.AUTH_LOCATION, AuthLocation.QUERY_STRING)
                        .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, expiresIn));
    }

    static SignedRequest onTheWire(SdkHttpRequest request, byte[] body) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        request.forEachHeader((name, values) -> values.forEach(v -> headers.add(new SimpleImmutableEntry<>(name, v))));
        return new SignedRequest(
                request.method().name(),
                request.getUri().getRawPath(),
                request.getUri().getRawQuery(),
                headers,
                body);
    }
}
