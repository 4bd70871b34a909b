package dev.spur.testing.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.auth.Credential;
import dev.spur.common.Json;
import dev.spur.sandbox.LinuxSandbox;
import dev.spur.sandbox.Sandbox;
import dev.spur.server.SpurServer;
import dev.spur.testing.Directories;
import dev.spur.testing.FunctionPackage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.CreateFunctionResponse;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.Runtime;

/**
 * A real Spur server for a test class (see {@link SpurTest}): its endpoint and data directory, the
 * AWS SDK for Java v2 pointed at it (no retries, so errors surface as they are answered), Spur's own
 * API, and the deploy/invoke steps every end-to-end test takes.
 */
public final class Spur implements AutoCloseable {
    /** The role every test function is created with (Spur checks its shape only). */
    public static final String ROLE = "arn:aws:iam::000000000000:role/e2e";

    private final ServerOptions options;
    private final Path dataDir;
    private final Sandbox sandbox;
    private SpurServer server;
    private LambdaClient lambda;

    private Spur(ServerOptions options) throws IOException {
        this.options = options;
        this.sandbox = options.sandbox() == SpurTest.Sandbox.LINUX
                ? Sandboxes.linux(LinuxSandbox.Settings.defaults().withCgroupName(options.cgroup()))
                : Sandbox.process();
        this.dataDir = Files.createTempDirectory("spur-test-");
        if (sandbox.isolatesFiles()) {
            Directories.traversable(dataDir); // the sandbox's users reach the code below it
        }
        try {
            server = SpurServer.start(serverOptions());
        } catch (RuntimeException e) {
            sandbox.close();
            Directories.deleteTree(dataDir); // nothing half-made stays behind
            throw e;
        }
        lambda = client("spur", "spur");
    }

    static Spur start(ServerOptions options) {
        try {
            return new Spur(options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private SpurServer.Options serverOptions() {
        return SpurServer.Options.defaults(dataDir)
                .withPort(0)
                .withPools(options.pools())
                .withAuth(options.auth())
                .withAsync(options.async())
                .withSandbox(sandbox);
    }

    public SpurServer server() {
        return server;
    }

    /** The SDK client of the default account, {@code spur}/{@code spur} (useless against SigV4 but to be refused). */
    public LambdaClient lambda() {
        return lambda;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String endpoint() {
        return server.endpoint();
    }

    public int port() {
        return server.port();
    }

    /** Whether other test classes use this server too. */
    public boolean shared() {
        return options.shared();
    }

    /** Stops the server and starts a new one on the same data directory (on a new port). */
    public void restart() {
        restart(() -> {});
    }

    /** As {@link #restart()}, running {@code whileDown} between the stop and the start. */
    public void restart(Runnable whileDown) {
        if (options.shared()) {
            throw new IllegalStateException("a shared server does not restart: use @SpurTest(shared = false)");
        }
        lambda.close();
        server.close();
        whileDown.run();
        server = SpurServer.start(serverOptions());
        lambda = client("spur", "spur");
    }

    /** A new access key for {@code account} (for a server with {@link SpurServer.Auth#SIGV4}). */
    public Credential newKey(String account) {
        return server.keys().create(account);
    }

    /** An SDK client signing with {@code key} (no retries, as {@link #lambda()}); the caller closes it. */
    public LambdaClient client(Credential key) {
        return client(key.accessKeyId(), key.secretKey());
    }

    /** An SDK client signing with the given key (no retries, as {@link #lambda()}); the caller closes it. */
    public LambdaClient client(String accessKeyId, String secretKey) {
        return client(endpoint(), accessKeyId, secretKey);
    }

    /** An SDK client for the Spur at {@code endpoint} (a server in another process, say), as {@link #lambda()}. */
    public static LambdaClient client(String endpoint, String accessKeyId, String secretKey) {
        return LambdaClient.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretKey)))
                .overrideConfiguration(
                        c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(60)))
                .build();
    }

    /** An answer of Spur's own API: the status and the JSON body ({@code null} when there is none). */
    public record Answer(int status, JsonNode body) {}

    /** A request to Spur's own API ({@code /spur/v1/...}), unsigned; {@code json} may be null. */
    public Answer spurApi(String method, String path, String json) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint() + path))
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            byte[] body = response.body();
            return new Answer(response.statusCode(), body.length == 0 ? null : Json.MAPPER.readTree(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code prefix-} and 8 random hex digits: names that no other test on a shared server takes. */
    public static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates {@code name} from a zip, as {@link #ROLE}. */
    public CreateFunctionResponse create(String name, String runtime, String handler, byte[] zip) {
        return lambda.createFunction(b -> b.functionName(name)
                .runtime(Runtime.fromValue(runtime))
                .handler(handler)
                .role(ROLE)
                .code(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
    }

    /** Deploys {@code function} under a {@link #uniqueName} with Lambda's defaults; returns the name. */
    public String deploy(String prefix, FunctionPackage function) {
        return deploy(prefix, function, b -> {});
    }

    /** As {@link #deploy(String, FunctionPackage)}, with more settings ({@code b -> b.timeout(10)}). */
    public String deploy(String prefix, FunctionPackage function, Consumer<CreateFunctionRequest.Builder> settings) {
        return deploy(lambda, prefix, function, settings);
    }

    /** As {@link #deploy(String, FunctionPackage, Consumer)}, through {@code lambda}. */
    public static String deploy(
            LambdaClient lambda,
            String prefix,
            FunctionPackage function,
            Consumer<CreateFunctionRequest.Builder> settings) {
        String name = uniqueName(prefix);
        create(lambda, name, function, settings);
        return name;
    }

    /** Creates {@code name} from {@code function}, as {@link #ROLE}, with Lambda's defaults. */
    public CreateFunctionResponse create(String name, FunctionPackage function) {
        return create(name, function, b -> {});
    }

    /** Creates {@code name} from {@code function}, as {@link #ROLE}, with more settings. */
    public CreateFunctionResponse create(
            String name, FunctionPackage function, Consumer<CreateFunctionRequest.Builder> settings) {
        return create(lambda, name, function, settings);
    }

    private static CreateFunctionResponse create(
            LambdaClient lambda,
            String name,
            FunctionPackage function,
            Consumer<CreateFunctionRequest.Builder> settings) {
        byte[] zip = function.zip();
        return lambda.createFunction(b -> {
            b.functionName(name)
                    .runtime(function.runtime())
                    .handler(function.handler())
                    .role(ROLE)
                    .code(c -> c.zipFile(SdkBytes.fromByteArray(zip)));
            settings.accept(b);
        });
    }

    /**
     * Deploys a python3.12 function whose {@code app.py} is {@code app} (handler {@code app.handler});
     * {@code ephemeralMb} 0 keeps the default /tmp size. Returns its name.
     */
    public String deployPython(String prefix, String app, int memoryMb, int ephemeralMb, int timeoutSeconds) {
        return deployPython(lambda, prefix, app, memoryMb, ephemeralMb, timeoutSeconds);
    }

    /** As {@link #deployPython(String, String, int, int, int)}, through {@code lambda}. */
    public static String deployPython(
            LambdaClient lambda, String prefix, String app, int memoryMb, int ephemeralMb, int timeoutSeconds) {
        return deploy(lambda, prefix, FunctionPackage.python(app), b -> {
            b.memorySize(memoryMb).timeout(timeoutSeconds);
            if (ephemeralMb > 0) {
                b.ephemeralStorage(e -> e.size(ephemeralMb));
            }
        });
    }

    /** A synchronous invoke with {@code event} as its JSON payload. */
    public InvokeResponse invoke(String name, Object event) {
        return invoke(lambda, name, event);
    }

    /** As {@link #invoke(String, Object)}, through {@code lambda}. */
    public static InvokeResponse invoke(LambdaClient lambda, String name, Object event) {
        try {
            String payload = Json.MAPPER.writeValueAsString(event);
            return lambda.invoke(b -> b.functionName(name).payload(SdkBytes.fromUtf8String(payload)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A synchronous invoke of {@code payload} (JSON text) that asks for the log tail ({@code LogType: Tail}). */
    public InvokeResponse invokeWithTail(String name, String payload) {
        return lambda.invoke(b -> b.functionName(name).logType(LogType.TAIL).payload(SdkBytes.fromUtf8String(payload)));
    }

    /** The log tail of an invoke that asked for it, decoded. */
    public static String tail(InvokeResponse response) {
        return new String(Base64.getDecoder().decode(response.logResult()), StandardCharsets.UTF_8);
    }

    /** The result of an invoke that must have succeeded (the error payload is the failure's message). */
    public static JsonNode ok(InvokeResponse response) {
        String payload = response.payload().asUtf8String();
        if (response.functionError() != null) {
            throw new AssertionError("the invoke failed (" + response.functionError() + "): " + payload);
        }
        try {
            return Json.MAPPER.readTree(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the server, deletes its data directory and, for the linux sandbox, its parent cgroups if empty. */
    @Override
    public void close() {
        lambda.close();
        server.close();
        Directories.deleteTree(dataDir);
        if (options.sandbox() == SpurTest.Sandbox.LINUX) {
            HostCgroups.removeParentCgroups(options.cgroup()); // empty now, unless a test left something
        }
    }

    @Override
    public String toString() {
        return "Spur[" + endpoint() + ", " + options + "]";
    }
}
