package dev.spur.auth;

import static dev.spur.auth.AwsSdkSigning.ACCOUNT;
import static dev.spur.auth.AwsSdkSigning.KEYS;
import static dev.spur.auth.AwsSdkSigning.KEY_ID;
import static dev.spur.auth.AwsSdkSigning.SIGNED_AT;
import static dev.spur.auth.AwsSdkSigning.presign;
import static dev.spur.auth.AwsSdkSigning.request;
import static dev.spur.auth.AwsSdkSigning.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;

/** Every way a request fails authentication, with AWS's error type and wording. */
class RejectionsTest {
    private static final byte[] JSON = "{\"order\": 1}".getBytes(StandardCharsets.UTF_8);
    private static final String PATH =
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations";
    private static final String MISMATCH =
            "The request signature we calculated does not match the signature you provided. "
                    + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    private final SigV4Verifier verifier = new SigV4Verifier(KEYS, InstantSource.fixed(SIGNED_AT));
    private final SignedRequest good = sign(
            request("POST", PATH).putRawQueryParameter("Qualifier", "prod").putHeader("X-Amz-Invocation-Type", "Event"),
            JSON);

    @Test
    void theUntamperedRequestVerifies() {
        assertThat(verifier.verify(good, "lambda").accessKeyId()).isEqualTo(KEY_ID);
    }

    @Test
    void wrongSecret() {
        var keys = (CredentialLookup) id -> Optional.of(new Credential(id, "not-the-secret-the-client-used", ACCOUNT));

        assertRejected(
                new SigV4Verifier(keys, InstantSource.fixed(SIGNED_AT)),
                good,
                AuthException.INVALID_SIGNATURE,
                MISMATCH);
    }

    @Test
    void tamperedBody() {
        var tampered = new SignedRequest(
                good.method(),
                good.rawPath(),
                good.rawQuery(),
                good.headers(),
                "{\"order\": 2}".getBytes(StandardCharsets.UTF_8));

        // The SDK sends x-amz-content-sha256 with every request, so the body fails that check first.
        assertThat(good.header("x-amz-content-sha256")).hasSize(64);
        assertRejected(
                tampered,
                AuthException.INVALID_SIGNATURE,
                "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }

    @Test
    void tamperedBodyOfASignerThatSendsNoContentHash() {
        var signed = new SigV4DocumentedExampleTest().listUsers();
        var tampered = new SignedRequest("POST", signed.rawPath(), signed.rawQuery(), signed.headers(), JSON);
        var iam =
                new SigV4Verifier(SigV4DocumentedExampleTest.KEYS, InstantSource.fixed(SigV4DocumentedExampleTest.AT));

        assertThatThrownBy(() -> iam.verify(tampered, "iam"))
                .isInstanceOfSatisfying(
                        AuthException.class, e -> assertThat(e.getMessage()).isEqualTo(MISMATCH));
    }

    @Test
    void tamperedSignedHeader() {
        assertRejected(
                withHeader(good, "X-Amz-Invocation-Type", "RequestResponse"),
                AuthException.INVALID_SIGNATURE,
                MISMATCH);
    }

    @Test
    void tamperedPath() {
        var tampered = new SignedRequest(
                good.method(), good.rawPath().replace("%3Af/", "%3Ag/"), good.rawQuery(), good.headers(), good.body());

        assertRejected(tampered, AuthException.INVALID_SIGNATURE, MISMATCH);
    }

    @Test
    void tamperedQuery() {
        var tampered = new SignedRequest(good.method(), good.rawPath(), "Qualifier=dev", good.headers(), good.body());

        assertRejected(tampered, AuthException.INVALID_SIGNATURE, MISMATCH);
    }

    @Test
    void tamperedMethod() {
        var tampered = new SignedRequest("PUT", good.rawPath(), good.rawQuery(), good.headers(), good.body());

        assertRejected(tampered, AuthException.INVALID_SIGNATURE, MISMATCH);
    }

    @Test
    void contentSha256HeaderThatIsNotTheBodysHash() {
        var forged = withHeader(good, "x-amz-content-sha256", "0".repeat(64));

        assertRejected(
                forged,
                AuthException.INVALID_SIGNATURE,
                "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }

    @Test
    void expiredSixteenMinutesLater() {
        var later = new SigV4Verifier(KEYS, InstantSource.fixed(SIGNED_AT.plus(Duration.ofMinutes(16))));

        assertRejected(
                later,
                good,
                AuthException.INVALID_SIGNATURE,
                "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)");
    }

    @Test
    void signedSixteenMinutesInTheFuture() {
        var earlier = new SigV4Verifier(KEYS, InstantSource.fixed(SIGNED_AT.minus(Duration.ofMinutes(16))));

        assertRejected(
                earlier,
                good,
                AuthException.INVALID_SIGNATURE,
                "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z (20150830T122000Z + 15 min.)");
    }

    @Test
    void unknownAccessKey() {
        var noKeys = new SigV4Verifier(id -> Optional.empty(), InstantSource.fixed(SIGNED_AT));

        assertRejected(
                noKeys,
                good,
                AuthException.UNRECOGNIZED_CLIENT,
                "The security token included in the request is invalid.");
    }

    @Test
    void missingAuthentication() {
        var unsigned = new SignedRequest(
                "GET", "/2015-03-31/functions/", null, List.of(Map.entry("Host", "spur.example.test")), new byte[0]);

        assertThat(SigV4Verifier.isSigned(unsigned)).isFalse();
        assertRejected(unsigned, AuthException.MISSING_TOKEN, "Missing Authentication Token");
    }

    @Test
    void authorizationHeaderWithoutSignatureOrSignedHeaders() {
        var malformed = withHeader(
                good,
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=" + KEY_ID + "/20150830/us-east-1/lambda/aws4_request");

        assertThat(SigV4Verifier.isSigned(malformed)).isTrue();
        assertRejected(
                malformed,
                AuthException.INCOMPLETE_SIGNATURE,
                "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.");
    }

    @Test
    void authorizationHeaderWithoutAnything() {
        var bare = withoutHeader(withHeader(good, "Authorization", "AWS4-HMAC-SHA256"), "X-Amz-Date");

        assertRejected(
                bare,
                AuthException.INCOMPLETE_SIGNATURE,
                "Authorization header requires 'Credential' parameter. "
                        + "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
                        + "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }

    @Test
    void credentialWithoutFiveParts() {
        var malformed =
                withAuthorization(good, a -> a.replace("/us-east-1/lambda/aws4_request", "/lambda/aws4_request"));

        assertRejected(
                malformed,
                AuthException.INCOMPLETE_SIGNATURE,
                "Credential must have exactly 5 slash-delimited "
                        + "elements, e.g. keyid/date/region/service/term, got '" + KEY_ID
                        + "/20150830/lambda/aws4_request'");
    }

    @Test
    void otherAuthorizationSchemesAreNotSigV4() {
        var bearer = withHeader(good, "Authorization", "Bearer secret-token-value");

        assertThat(SigV4Verifier.isSigned(bearer)).isFalse();
        AuthException e = catchThrowableOfType(AuthException.class, () -> verifier.verify(bearer, "lambda"));
        assertThat(e.errorType()).isEqualTo(AuthException.INCOMPLETE_SIGNATURE);
        assertThat(e.getMessage()).doesNotContain("secret-token-value");
    }

    @Test
    void hostMustBeSigned() {
        var hostless = withAuthorization(good, a -> a.replace("SignedHeaders=host;", "SignedHeaders="));

        assertRejected(
                hostless,
                AuthException.INCOMPLETE_SIGNATURE,
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }

    @Test
    void wrongService() {
        SignedRequest forIam =
                sign(request("GET", "/"), new byte[0], r -> r.putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "iam"));

        assertRejected(
                forIam, AuthException.INVALID_SIGNATURE, "Credential should be scoped to correct service: 'lambda'. ");
    }

    @Test
    void scopeDateIsNotTheRequestDate() {
        var nextDay = withHeader(good, "X-Amz-Date", "20150831T123600Z");

        assertRejected(
                nextDay,
                AuthException.INVALID_SIGNATURE,
                "Date in Credential scope does not match YYYYMMDD from "
                        + "ISO-8601 version of date from HTTP: '20150830' != '20150831', from '20150831T123600Z'.");
    }

    @Test
    void dateNotInIsoBasicFormat() {
        var badDate = withHeader(good, "X-Amz-Date", "2015-08-30T12:36:00Z");

        assertRejected(
                badDate,
                AuthException.INCOMPLETE_SIGNATURE,
                "Date must be in ISO-8601 'basic format'. "
                        + "Got '2015-08-30T12:36:00Z'. See http://en.wikipedia.org/wiki/ISO_8601");
    }

    @Test
    void presignedUrlPastItsExpiry() {
        SignedRequest signed = presign(request("GET", "/2015-03-31/functions/"), Duration.ofSeconds(60));
        var later = new SigV4Verifier(KEYS, InstantSource.fixed(SIGNED_AT.plusSeconds(61)));

        assertThat(new SigV4Verifier(KEYS, InstantSource.fixed(SIGNED_AT.plusSeconds(60))).verify(signed, "lambda"))
                .isNotNull();
        assertRejected(
                later,
                signed,
                AuthException.INVALID_SIGNATURE,
                "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T123701Z - 60 sec.)");
    }

    @Test
    void presignedUrlWithTamperedQuery() {
        SignedRequest signed = presign(
                request("GET", "/2015-03-31/functions/").putRawQueryParameter("MaxItems", "1"), Duration.ofMinutes(5));
        var tampered = new SignedRequest(
                "GET",
                signed.rawPath(),
                signed.rawQuery().replace("MaxItems=1", "MaxItems=50"),
                signed.headers(),
                signed.body());

        assertRejected(tampered, AuthException.INVALID_SIGNATURE, MISMATCH);
    }

    @Test
    void presignedUrlValidForMoreThanAWeek() {
        SignedRequest signed = presign(request("GET", "/2015-03-31/functions/"), Duration.ofMinutes(5));
        var tooLong = new SignedRequest(
                "GET",
                signed.rawPath(),
                signed.rawQuery().replace("X-Amz-Expires=300", "X-Amz-Expires=604801"),
                signed.headers(),
                signed.body());

        assertRejected(
                tooLong,
                AuthException.INCOMPLETE_SIGNATURE,
                "X-Amz-Expires must be less than a week (in seconds) that is 604800");
    }

    @Test
    void presignedUrlAndAuthorizationHeaderTogether() {
        SignedRequest signed = presign(request("GET", "/2015-03-31/functions/"), Duration.ofMinutes(5));
        var both = withHeader(signed, "Authorization", good.header("Authorization"));

        assertThatThrownBy(() -> verifier.verify(both, "lambda"))
                .isInstanceOfSatisfying(
                        AuthException.class,
                        e -> assertThat(e.errorType()).isEqualTo(AuthException.INCOMPLETE_SIGNATURE));
    }

    @Test
    void everyRejectionIsForbidden() {
        AuthException e = catchThrowableOfType(AuthException.class, () -> verifier.verify(good, "s3"));

        assertThat(e.status()).isEqualTo(403);
        assertThat(e.getStackTrace()).isEmpty();
    }

    private void assertRejected(SignedRequest request, String errorType, String message) {
        assertRejected(verifier, request, errorType, message);
    }

    private static void assertRejected(
            SigV4Verifier verifier, SignedRequest request, String errorType, String message) {
        assertThatThrownBy(() -> verifier.verify(request, "lambda")).isInstanceOfSatisfying(AuthException.class, e -> {
            assertThat(e.errorType()).isEqualTo(errorType);
            assertThat(e.getMessage()).isEqualTo(message);
            assertThat(e.status()).isEqualTo(403);
        });
    }

    private static SignedRequest withAuthorization(SignedRequest request, UnaryOperator<String> edit) {
        return withHeader(request, "Authorization", edit.apply(request.header("Authorization")));
    }

    /** Replaces every value of {@code name} with one value (or adds it). */
    private static SignedRequest withHeader(SignedRequest request, String name, String value) {
        List<Map.Entry<String, String>> headers =
                new ArrayList<>(withoutHeader(request, name).headers());
        headers.add(new SimpleImmutableEntry<>(name, value));
        return new SignedRequest(request.method(), request.rawPath(), request.rawQuery(), headers, request.body());
    }

    private static SignedRequest withoutHeader(SignedRequest request, String name) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(request.headers());
        headers.removeIf(h -> h.getKey().equalsIgnoreCase(name));
        return new SignedRequest(request.method(), request.rawPath(), request.rawQuery(), headers, request.body());
    }
}
