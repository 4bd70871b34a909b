package dev.spur.auth;

import static dev.spur.auth.AwsSdkSigning.ACCOUNT;
import static dev.spur.auth.AwsSdkSigning.KEYS;
import static dev.spur.auth.AwsSdkSigning.KEY_ID;
import static dev.spur.auth.AwsSdkSigning.SECRET;
import static dev.spur.auth.AwsSdkSigning.SIGNED_AT;
import static dev.spur.auth.AwsSdkSigning.request;
import static dev.spur.auth.AwsSdkSigning.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.http.SdkHttpRequest;

/** {@link SigV4Signer} signs exactly as AWS's own signer does, and {@link SigV4Verifier} accepts it. */
class SigV4SignerTest {
    private static final byte[] NO_BODY = new byte[0];
    private static final byte[] JSON = "{\"key\": \"value\", \"n\": [1, 2, 3]}".getBytes(StandardCharsets.UTF_8);
    private static final String ARN_PATH =
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations";
    private static final String HOST = "spur.example.test:9000";
    private static final Credential KEY = new Credential(KEY_ID, SECRET, "");
    private static final Set<String> ADDED = Set.of("authorization", "x-amz-date", "x-amz-content-sha256");

    private final SigV4Verifier verifier = new SigV4Verifier(KEYS, InstantSource.fixed(SIGNED_AT));

    static Stream<Arguments> requests() {
        return Stream.of(
                Arguments.of("list functions", request("GET", "/2015-03-31/functions/"), NO_BODY),
                Arguments.of(
                        "create function with a JSON body",
                        request("POST", "/2015-03-31/functions").putHeader("Content-Type", "application/json"),
                        JSON),
                Arguments.of(
                        "invoke by ARN (%3A in the path)",
                        request("POST", ARN_PATH)
                                .putHeader("Content-Type", "application/json")
                                .putHeader("X-Amz-Invocation-Type", "RequestResponse")
                                .putHeader("X-Amz-Log-Type", "Tail"),
                        JSON),
                Arguments.of(
                        "query with encoding, repeats and an empty value",
                        request("GET", "/2015-03-31/functions/")
                                .putRawQueryParameter("Marker", "a b+c/d=e&f")
                                .putRawQueryParameter("MaxItems", "10")
                                .putRawQueryParameter("repeated", List.of("z", "a"))
                                .putRawQueryParameter("empty", ""),
                        NO_BODY),
                Arguments.of(
                        "spur logs",
                        request("GET", "/spur/v1/functions/f/logs").putRawQueryParameter("from", "4096"),
                        NO_BODY),
                Arguments.of(
                        "repeated headers and whitespace",
                        request("PUT", "/2015-03-31/functions/f/code")
                                .putHeader("X-Spur-Custom", List.of("first  value ", "  second\tvalue"))
                                .putHeader("X-Amz-Client-Context", "e30="),
                        JSON),
                Arguments.of("delete", request("DELETE", "/2015-03-31/functions/my-function"), NO_BODY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void signsAsAwsSdkSigns(String description, SdkHttpRequest.Builder request, byte[] body) {
        SignedRequest bySdk = sign(request, body);
        List<Map.Entry<String, String>> given = withoutAdded(bySdk.headers());
        assertThat(given).contains(Map.entry("Host", HOST));

        Map<String, String> ours = SigV4Signer.sign(
                bySdk.method(), bySdk.rawPath(), bySdk.rawQuery(), given, body, KEY, "us-east-1", "lambda", SIGNED_AT);

        assertThat(ours).containsOnlyKeys("X-Amz-Date", "x-amz-content-sha256", "Authorization");
        assertThat(ours.get("X-Amz-Date")).isEqualTo(bySdk.header("X-Amz-Date")).isEqualTo("20150830T123600Z");
        assertThat(ours.get("x-amz-content-sha256")).isEqualTo(bySdk.header("x-amz-content-sha256"));
        assertThat(ours.get("Authorization")).isEqualTo(bySdk.header("Authorization"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void verifierAcceptsWhatItSigns(String description, SdkHttpRequest.Builder request, byte[] body) {
        SignedRequest unsigned = AwsSdkSigning.onTheWire(request.build(), body);

        SignedRequest signed = signed(
                unsigned.method(),
                unsigned.rawPath(),
                unsigned.rawQuery(),
                withHost(unsigned.headers()),
                body,
                KEY,
                SIGNED_AT);

        assertThat(verifier.verify(signed, "lambda")).isEqualTo(new Principal(ACCOUNT, KEY_ID, "us-east-1", "lambda"));
    }

    @Test
    void tamperingIsRejected() {
        List<Map.Entry<String, String>> headers =
                List.of(Map.entry("Host", HOST), Map.entry("X-Amz-Invocation-Type", "Event"));
        SignedRequest good = signed("POST", ARN_PATH, "Qualifier=prod", headers, JSON, KEY, SIGNED_AT);
        assertThat(verifier.verify(good, "lambda").accessKeyId()).isEqualTo(KEY_ID);

        assertRejected(
                new SignedRequest("POST", ARN_PATH.replace("%3Af/", "%3Ag/"), "Qualifier=prod", good.headers(), JSON),
                AuthException.INVALID_SIGNATURE);
        assertRejected(
                new SignedRequest("POST", ARN_PATH, "Qualifier=dev", good.headers(), JSON),
                AuthException.INVALID_SIGNATURE);
        assertRejected(
                new SignedRequest("PUT", ARN_PATH, "Qualifier=prod", good.headers(), JSON),
                AuthException.INVALID_SIGNATURE);
        assertRejected(
                new SignedRequest(
                        "POST",
                        ARN_PATH,
                        "Qualifier=prod",
                        good.headers(),
                        "{\"key\": \"other\"}".getBytes(StandardCharsets.UTF_8)),
                AuthException.INVALID_SIGNATURE);
        List<Map.Entry<String, String>> changedHeader = new ArrayList<>(good.headers());
        changedHeader.replaceAll(
                h -> h.getKey().equals("X-Amz-Invocation-Type") ? Map.entry(h.getKey(), "RequestResponse") : h);
        assertRejected(
                new SignedRequest("POST", ARN_PATH, "Qualifier=prod", changedHeader, JSON),
                AuthException.INVALID_SIGNATURE);

        SignedRequest wrongSecret = signed(
                "POST",
                ARN_PATH,
                "Qualifier=prod",
                headers,
                JSON,
                new Credential(KEY_ID, "not-" + SECRET, ""),
                SIGNED_AT);
        assertRejected(wrongSecret, AuthException.INVALID_SIGNATURE);
        SignedRequest unknownKey = signed(
                "POST",
                ARN_PATH,
                "Qualifier=prod",
                headers,
                JSON,
                new Credential("AKSPUNKNOWNKEY000000", SECRET, ""),
                SIGNED_AT);
        assertRejected(unknownKey, AuthException.UNRECOGNIZED_CLIENT);
    }

    @Test
    void theCachedSigningKeyFollowsTheSecretAndTheDay() {
        Credential other = new Credential("AKSPOTHERKEY00000000", "another-secret", ACCOUNT);
        CredentialLookup both = id -> id.equals(other.accessKeyId()) ? Optional.of(other) : KEYS.find(id);
        List<Map.Entry<String, String>> headers = List.of(Map.entry("Host", HOST));
        Instant lastSecond = Instant.parse("2015-08-30T23:59:59Z");
        Instant nextDay = Instant.parse("2015-08-31T00:00:00Z");

        for (Instant at : List.of(lastSecond, nextDay, lastSecond)) {
            SigV4Verifier atThatTime = new SigV4Verifier(both, InstantSource.fixed(at));
            for (Credential key : List.of(KEY, other, KEY)) {
                SignedRequest signed = signed("GET", "/2015-03-31/functions/", null, headers, NO_BODY, key, at);
                assertThat(atThatTime.verify(signed, "lambda").accessKeyId()).isEqualTo(key.accessKeyId());
            }
        }
    }

    @Test
    void hostMustBeGivenAndTheAddedHeadersMustNot() {
        assertThatThrownBy(() ->
                        SigV4Signer.sign("GET", "/", null, List.of(), NO_BODY, KEY, "us-east-1", "lambda", SIGNED_AT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Host");
        for (String added : List.of("Authorization", "X-Amz-Date", "X-Amz-Content-SHA256")) {
            assertThatThrownBy(() -> SigV4Signer.sign(
                            "GET",
                            "/",
                            null,
                            List.of(Map.entry("Host", HOST), Map.entry(added, "x")),
                            NO_BODY,
                            KEY,
                            "us-east-1",
                            "lambda",
                            SIGNED_AT))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(added);
        }
    }

    private void assertRejected(SignedRequest request, String errorType) {
        assertThatThrownBy(() -> verifier.verify(request, "lambda"))
                .isInstanceOfSatisfying(
                        AuthException.class, e -> assertThat(e.errorType()).isEqualTo(errorType));
    }

    /** The request with the signer's headers added, as the server would receive it. */
    private static SignedRequest signed(
            String method,
            String rawPath,
            String rawQuery,
            List<Map.Entry<String, String>> headers,
            byte[] body,
            Credential key,
            Instant at) {
        List<Map.Entry<String, String>> all = new ArrayList<>(headers);
        SigV4Signer.sign(method, rawPath, rawQuery, headers, body, key, "us-east-1", "lambda", at)
                .forEach((name, value) -> all.add(Map.entry(name, value)));
        return new SignedRequest(method, rawPath, rawQuery, all, body);
    }

    private static List<Map.Entry<String, String>> withoutAdded(List<Map.Entry<String, String>> headers) {
        return headers.stream()
                .filter(h -> !ADDED.contains(h.getKey().toLowerCase()))
                .toList();
    }

    private static List<Map.Entry<String, String>> withHost(List<Map.Entry<String, String>> headers) {
        List<Map.Entry<String, String>> all = new ArrayList<>(headers);
        all.add(Map.entry("Host", HOST));
        return all;
    }
}
