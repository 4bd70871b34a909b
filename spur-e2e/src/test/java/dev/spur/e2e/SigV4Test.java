package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.auth.Credential;
import dev.spur.server.SpurServer;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.FunctionUrlAuthType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * {@code --auth sigv4}: every Lambda API request must be signed with a known key; keys belong to
 * accounts, and an account sees nothing of another's. Valid requests come from the real SDK; the
 * forged ones are signed by AWS's own signer and then altered, so only the alteration is wrong.
 */
@SpurTest(auth = SpurServer.Auth.SIGV4)
class SigV4Test {
    static Spur spur;
    static Credential alice;
    static Credential bob;

    @AutoClose
    static LambdaClient aliceClient;

    @AutoClose
    static LambdaClient bobClient;

    @BeforeAll
    static void keys() {
        alice = spur.newKey("111111111111");
        bob = spur.newKey("222222222222");
        aliceClient = spur.client(alice);
        bobClient = spur.client(bob);
    }

    @Test
    void aSignedSdkClientRunsTheWholeReleaseFlow() {
        String name = Spur.uniqueName("signed");
        aliceClient.createFunction(b -> b.functionName(name)
                .runtime("provided.al2023")
                .handler("h")
                .role("arn:aws:iam::111111111111:role/r")
                .code(c -> c.zipFile(
                        SdkBytes.fromByteArray(FunctionPackage.testRuntime().zip()))));
        assertThat(aliceClient
                        .getFunction(b -> b.functionName(name))
                        .configuration()
                        .functionArn())
                .isEqualTo("arn:aws:lambda:us-east-1:111111111111:function:" + name);
        assertThat(aliceClient.publishVersion(b -> b.functionName(name)).version())
                .isEqualTo("1");
        aliceClient.createAlias(b -> b.functionName(name).name("live").functionVersion("1"));

        InvokeResponse response =
                aliceClient.invoke(b -> b.functionName(name).qualifier("live").payload(SdkBytes.fromUtf8String("{}")));
        assertThat(response.executedVersion()).isEqualTo("1");
        assertThat(response.payload().asUtf8String()).contains("\"AWS_LAMBDA_FUNCTION_VERSION\": \"1\"");

        aliceClient.putFunctionConcurrency(b -> b.functionName(name).reservedConcurrentExecutions(0));
        assertThatThrownBy(() -> aliceClient.invoke(b -> b.functionName(name).qualifier("live")))
                .isInstanceOfSatisfying(LambdaException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(429);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("TooManyRequestsException");
                });
        aliceClient.deleteFunction(b -> b.functionName(name));
        assertThatThrownBy(() -> aliceClient.getFunction(b -> b.functionName(name)))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void anotherAccountCanNeitherSeeReadInvokeNorDeleteAFunction() {
        String name = Spur.uniqueName("private");
        aliceClient.createFunction(b -> b.functionName(name)
                .runtime("provided.al2023")
                .handler("h")
                .role("arn:aws:iam::111111111111:role/r")
                .code(c -> c.zipFile(
                        SdkBytes.fromByteArray(FunctionPackage.testRuntime().zip()))));
        String arn = "arn:aws:lambda:us-east-1:111111111111:function:" + name;

        assertThat(bobClient.listFunctions().functions())
                .noneMatch(f -> f.functionName().equals(name));
        for (String ref : new String[] {name, arn}) {
            assertThatThrownBy(() -> bobClient.getFunction(b -> b.functionName(ref)))
                    .isInstanceOf(ResourceNotFoundException.class);
            assertThatThrownBy(() -> bobClient.invoke(b -> b.functionName(ref)))
                    .isInstanceOf(ResourceNotFoundException.class);
            assertThatThrownBy(() -> bobClient.deleteFunction(b -> b.functionName(ref)))
                    .isInstanceOf(ResourceNotFoundException.class);
            assertThatThrownBy(() -> bobClient.publishVersion(b -> b.functionName(ref)))
                    .isInstanceOf(ResourceNotFoundException.class);
        }
        assertThatThrownBy(() -> bobClient.listTags(b -> b.resource(arn)))
                .isInstanceOf(ResourceNotFoundException.class);

        // Bob's function of the same name is his own.
        bobClient.createFunction(b -> b.functionName(name)
                .runtime("provided.al2023")
                .handler("h")
                .role("arn:aws:iam::222222222222:role/r")
                .code(c -> c.zipFile(
                        SdkBytes.fromByteArray(FunctionPackage.testRuntime().zip()))));
        assertThat(bobClient
                        .getFunction(b -> b.functionName(name))
                        .configuration()
                        .functionArn())
                .contains(":222222222222:");
        assertThat(aliceClient
                        .getFunction(b -> b.functionName(name))
                        .configuration()
                        .functionArn())
                .contains(":111111111111:");
        bobClient.deleteFunction(b -> b.functionName(name));
        assertThat(aliceClient.getFunction(b -> b.functionName(name))).isNotNull();
        aliceClient.deleteFunction(b -> b.functionName(name));
    }

    @Test
    void aWrongSecretIsAnInvalidSignature() {
        try (LambdaClient forged = spur.client(alice.accessKeyId(), "not-" + alice.secretKey())) {
            assertThatThrownBy(forged::listFunctions).isInstanceOfSatisfying(LambdaException.class, e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
            });
        }
    }

    @Test
    void anUnknownKeyIsAnUnrecognizedClient() {
        try (LambdaClient stranger = spur.client("AKSPNOTAREALKEY00000", "whatever")) {
            assertThatThrownBy(stranger::listFunctions).isInstanceOfSatisfying(LambdaException.class, e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
            });
        }
    }

    @Test
    void aDeletedKeyStopsWorking() {
        Credential temporary = spur.newKey("111111111111");
        try (LambdaClient client = spur.client(temporary)) {
            assertThat(client.listFunctions()).isNotNull();
            assertThat(spur.server().keys().delete(temporary.accessKeyId())).isTrue();
            assertThatThrownBy(client::listFunctions)
                    .isInstanceOfSatisfying(
                            LambdaException.class,
                            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException"));
        }
    }

    @Test
    void anUnsignedRequestIsRefused() throws IOException {
        Answer answer = send("GET", "/2015-03-31/functions", Map.of(), null);
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.errorType()).isEqualTo("MissingAuthenticationTokenException");
    }

    @Test
    void aValidHandSignedRequestIsAccepted() throws IOException {
        SdkHttpRequest signed = sign(post(), "{\"Name\":\"x\"}", alice, Clock.systemUTC());
        Answer answer = send(signed, "{\"Name\":\"x\"}");
        // Signed correctly, so the request reaches the API: a 404 for the function that does not exist.
        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.errorType()).isEqualTo("ResourceNotFoundException");
    }

    @Test
    void aTamperedBodyIsRefused() throws IOException {
        SdkHttpRequest signed = sign(post(), "{\"Name\":\"x\"}", alice, Clock.systemUTC());
        Answer answer = send(signed, "{\"Name\":\"y\"}");
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.errorType()).isEqualTo("InvalidSignatureException");
    }

    @Test
    void aTamperedSignedHeaderIsRefused() throws IOException {
        SdkHttpRequest request =
                post().toBuilder().putHeader("X-Amz-Client-Context", "e30=").build();
        SdkHttpRequest signed = sign(request, "{}", alice, Clock.systemUTC());
        Answer answer = send(
                signed.toBuilder().putHeader("X-Amz-Client-Context", "e31=").build(), "{}");
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.errorType()).isEqualTo("InvalidSignatureException");
    }

    @Test
    void anExpiredSignatureIsRefused() throws IOException {
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofMinutes(20)), ZoneOffset.UTC);
        Answer answer = send(sign(post(), "{}", alice, past), "{}");
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.errorType()).isEqualTo("InvalidSignatureException");
        assertThat(answer.body()).contains("Signature expired");
    }

    @Test
    void iamFunctionUrlsNeedASignatureFromTheFunctionsAccount() throws IOException {
        String name = Spur.uniqueName("iam-url");
        aliceClient.createFunction(b -> b.functionName(name)
                .runtime("provided.al2023")
                .handler("h")
                .role("arn:aws:iam::111111111111:role/r")
                .code(c -> c.zipFile(
                        SdkBytes.fromByteArray(FunctionPackage.testRuntime().zip()))));
        String url = aliceClient
                .createFunctionUrlConfig(b -> b.functionName(name).authType(FunctionUrlAuthType.AWS_IAM))
                .functionUrl();
        String id = URI.create(url).getHost().substring(0, 32);
        String path = "/url/" + id + "/hello";

        assertThat(send("GET", path, Map.of(), null).status()).isEqualTo(403);
        SdkHttpRequest get = SdkHttpRequest.builder()
                .method(SdkHttpMethod.GET)
                .uri(URI.create(spur.endpoint() + path))
                .build();
        assertThat(send(sign(get, "", bob, Clock.systemUTC()), null).status()).isEqualTo(403);
        Answer ok = send(sign(get, "", alice, Clock.systemUTC()), null);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).contains("\"rawPath\"").contains(alice.accessKeyId());
        aliceClient.deleteFunction(b -> b.functionName(name));
    }

    private static SdkHttpRequest post() {
        return SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(URI.create(spur.endpoint() + "/2015-03-31/functions/no-such-function/invocations"))
                .putHeader("Content-Type", "application/json")
                .build();
    }

    /** Signs with AWS's own SigV4 signer, as the SDK does, at the given clock. */
    private static SdkHttpRequest sign(SdkHttpRequest request, String body, Credential key, Clock clock) {
        SignedRequest signed = AwsV4HttpSigner.create()
                .sign(r -> r.identity(AwsBasicCredentials.create(key.accessKeyId(), key.secretKey()))
                        .request(request)
                        .payload(ContentStreamProvider.fromUtf8String(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "lambda")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                        .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, clock));
        return signed.request();
    }

    record Answer(int status, String errorType, String body) {}

    private static Answer send(SdkHttpRequest request, String body) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        request.headers().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("Host")) {
                headers.put(k, String.join(",", v));
            }
        });
        String pathAndQuery = request.encodedPath()
                + request.encodedQueryParameters().map(q -> "?" + q).orElse("");
        return send(request.method().name(), pathAndQuery, headers, body);
    }

    private static Answer send(String method, String pathAndQuery, Map<String, String> headers, String body)
            throws IOException {
        HttpURLConnection c = (HttpURLConnection)
                URI.create(spur.endpoint() + pathAndQuery).toURL().openConnection();
        c.setRequestMethod(method);
        headers.forEach(c::setRequestProperty);
        if (body != null) {
            c.setDoOutput(true);
            c.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        }
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (in != null) {
            in.transferTo(out);
        }
        return new Answer(status, c.getHeaderField("x-amzn-ErrorType"), out.toString(StandardCharsets.UTF_8));
    }
}
