package dev.spur.auth;

import static dev.spur.auth.AwsSdkSigning.ACCOUNT;
import static dev.spur.auth.AwsSdkSigning.KEYS;
import static dev.spur.auth.AwsSdkSigning.KEY_ID;
import static dev.spur.auth.AwsSdkSigning.SECRET;
import static dev.spur.auth.AwsSdkSigning.SIGNED_AT;
import static dev.spur.auth.AwsSdkSigning.presign;
import static dev.spur.auth.AwsSdkSigning.request;
import static dev.spur.auth.AwsSdkSigning.sign;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/** Requests signed by AWS's real SigV4 signer (AWS SDK for Java v2) verify. */
class SdkSignedRequestsTest {
    private static final byte[] NO_BODY = new byte[0];
    private static final byte[] JSON = "{\"key\": \"value\", \"n\": [1, 2, 3]}".getBytes(StandardCharsets.UTF_8);
    private static final String ARN_PATH =
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations";

    private final SigV4Verifier verifier = new SigV4Verifier(KEYS, InstantSource.fixed(SIGNED_AT));

    @Test
    void getWithHeaderSignature() {
        SignedRequest signed = sign(request("GET", "/2015-03-31/functions/"), NO_BODY);

        assertThat(SigV4Verifier.isSigned(signed)).isTrue();
        assertThat(verifier.verify(signed, "lambda")).isEqualTo(new Principal(ACCOUNT, KEY_ID, "us-east-1", "lambda"));
    }

    @Test
    void postWithJsonBody() {
        SignedRequest signed =
                sign(request("POST", "/2015-03-31/functions").putHeader("Content-Type", "application/json"), JSON);

        assertThat(verifier.verify(signed, "lambda").account()).isEqualTo(ACCOUNT);
    }

    @Test
    void invokeByArnKeepsPercentEncodedPathAndIsDoubleEncodedInTheSignature() {
        SignedRequest signed =
                sign(request("POST", ARN_PATH).putHeader("X-Amz-Invocation-Type", "RequestResponse"), JSON);

        // The SDK sends the path as given; what it signs is that path encoded once more.
        assertThat(signed.rawPath()).isEqualTo(ARN_PATH);
        assertThat(verifier.verify(signed, "lambda").accessKeyId()).isEqualTo(KEY_ID);
    }

    @Test
    void queryWithSpacesReservedCharactersRepeatsAndEmptyValues() {
        SignedRequest signed = sign(
                request("GET", "/2015-03-31/functions/f/aliases")
                        .putRawQueryParameter("Marker", "a b+c/d=e&f?g#h%i")
                        .putRawQueryParameter("FunctionVersion", "$LATEST")
                        .putRawQueryParameter("MaxItems", "10")
                        .putRawQueryParameter("repeated", List.of("z", "a", "m"))
                        .putRawQueryParameter("empty", "")
                        .putRawQueryParameter("ünïcode ~*", "ψ ~*'()!"),
                NO_BODY);

        assertThat(signed.rawQuery()).contains("%20").contains("%26");
        assertThat(verifier.verify(signed, "lambda").accessKeyId()).isEqualTo(KEY_ID);
    }

    @Test
    void repeatedHeadersAndWhitespaceInValues() {
        SignedRequest signed = sign(
                request("POST", "/2015-03-31/functions/f/invocations")
                        .putHeader("X-Spur-Custom", List.of("first  value ", "  second\tvalue"))
                        .putHeader("X-Amz-Client-Context", "e30="),
                JSON);

        assertThat(signed.headers())
                .filteredOn(h -> h.getKey().equalsIgnoreCase("X-Spur-Custom"))
                .hasSize(2);
        assertThat(verifier.verify(signed, "lambda").accessKeyId()).isEqualTo(KEY_ID);
    }

    @Test
    void unsignedPayload() {
        SignedRequest signed = sign(
                request("POST", ARN_PATH),
                JSON,
                r -> r.putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                        .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, false));

        assertThat(signed.header("x-amz-content-sha256")).isEqualTo("UNSIGNED-PAYLOAD");
        assertThat(verifier.verify(signed, "lambda").accessKeyId()).isEqualTo(KEY_ID);
    }

    @Test
    void sessionTokenIsSignedButNotItselfChecked() {
        SignedRequest signed = sign(
                request("GET", "/2015-03-31/functions/"),
                NO_BODY,
                AwsSessionCredentialsIdentity.create(KEY_ID, SECRET, "FwoGZXIvYXdzEJr//////////session+token="),
                r -> {});

        assertThat(signed.header("X-Amz-Security-Token")).isNotNull();
        assertThat(verifier.verify(signed, "lambda").accessKeyId()).isEqualTo(KEY_ID);
    }

    @Test
    void presignedUrlVerifiesWithinItsLifetime() {
        SignedRequest signed = presign(
                request("GET", ARN_PATH).putRawQueryParameter("Qualifier", "prod live"), Duration.ofMinutes(10));

        assertThat(signed.header("Authorization")).isNull();
        assertThat(signed.rawQuery()).contains("X-Amz-Signature=").contains("X-Amz-Expires=600");
        assertThat(SigV4Verifier.isSigned(signed)).isTrue();
        SigV4Verifier nineMinutesLater = new SigV4Verifier(KEYS, InstantSource.fixed(SIGNED_AT.plusSeconds(540)));
        assertThat(nineMinutesLater.verify(signed, "lambda").accessKeyId()).isEqualTo(KEY_ID);
    }

    @Test
    void presignedUrlOverUnsignedPayload() {
        SignedRequest signed = sign(
                request("GET", "/2015-03-31/functions/"),
                NO_BODY,
                r -> r.putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4HttpSigner.AuthLocation.QUERY_STRING)
                        .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(1))
                        .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false));

        assertThat(signed.header("x-amz-content-sha256")).isNull();
        assertThat(verifier.verify(signed, "lambda").accessKeyId()).isEqualTo(KEY_ID);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/a//b",
                "//a/b",
                "/a/./b/../c",
                "/a/b/..",
                "/a/b/.",
                "/a/b/",
                "/../a",
                "/a/%2E%2E/b",
                "/a%2Fb/c",
                "/",
                "/caf%C3%A9/%F0%9F%98%80",
                "/a:b@c/$d,e;f=g"
            })
    void pathsTheSdkNormalisesOrEncodes(String path) {
        SignedRequest signed = sign(request("GET", path), NO_BODY);

        assertThat(verifier.verify(signed, "lambda").accessKeyId())
                .as(path + " sent as " + signed.rawPath())
                .isEqualTo(KEY_ID);
    }

    @Test
    void signedWithinTheSkewWindowEitherWay() {
        SignedRequest signed = sign(request("GET", "/2015-03-31/functions/"), NO_BODY);

        for (int minutes : new int[] {-15, -1, 1, 15}) {
            var clock = InstantSource.fixed(SIGNED_AT.plus(Duration.ofMinutes(minutes)));
            assertThat(new SigV4Verifier(KEYS, clock).verify(signed, "lambda").accessKeyId())
                    .isEqualTo(KEY_ID);
        }
    }
}
