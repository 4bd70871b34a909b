package dev.spur.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.invoke.AsyncPolicy;
import dev.spur.pools.PoolSettings;
import dev.spur.sandbox.LinuxSandbox;
import dev.spur.sandbox.Sandbox;
import dev.spur.server.SpurServer;
import dev.spur.testing.server.HostCgroups;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateFunctionResponse;
import software.amazon.awssdk.services.lambda.model.FunctionCode;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.Runtime;

/**
 * A real Spur server on an ephemeral port with its own data directory, and the AWS SDK for Java v2
 * pointed at it (no retries, so errors surface as they are answered).
 */
final class SpurHarness implements AutoCloseable {
    SpurServer server;
    LambdaClient lambda;
    final Path dataDir;
    private final PoolSettings settings;
    private final SpurServer.Auth auth;
    private final AsyncPolicy async;
    private final Sandbox sandbox;

    private SpurHarness(PoolSettings settings, SpurServer.Auth auth) {
        this(settings, auth, AsyncPolicy.quick(Duration.ofMillis(200)));
    }

    private SpurHarness(PoolSettings settings, SpurServer.Auth auth, AsyncPolicy async) {
        this(settings, auth, async, defaultSandbox());
    }

    /**
     * The plain process sandbox, unless the build runs a suite again with {@code -Dspur.test.sandbox=linux}
     * (spur-e2e's pom does, for the runtime suites): then the linux sandbox, the server's default.
     */
    private static Sandbox defaultSandbox() {
        if (!"linux".equals(System.getProperty("spur.test.sandbox"))) {
            return Sandbox.process();
        }
        return Tools.linuxSandbox(LinuxSandbox.Settings.defaults().withCgroupName(DEFAULT_LINUX_CGROUP));
    }

    /** The parent cgroup of {@link #defaultSandbox()}'s environments: this JVM's own. */
    private static final String DEFAULT_LINUX_CGROUP =
            "spur-e2e-" + ProcessHandle.current().pid();

    private SpurHarness(PoolSettings settings, SpurServer.Auth auth, AsyncPolicy async, Sandbox sandbox) {
        try {
            dataDir = Files.createTempDirectory("spur-e2e-");
            if (sandbox.isolatesFiles()) {
                // A temp directory is 0700; the sandbox's user must traverse it (not list it) to the code.
                Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx--x--x"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.settings = settings;
        this.auth = auth;
        this.async = async;
        this.sandbox = sandbox;
        server = SpurServer.start(options());
        lambda = client("spur", "spur");
    }

    /** Stops the server and starts a new one on the same data directory (on a new port). */
    void restart() {
        restart(() -> {});
    }

    /** As {@link #restart()}, running {@code whileDown} between the stop and the start. */
    void restart(Runnable whileDown) {
        lambda.close();
        server.close();
        whileDown.run();
        server = SpurServer.start(options());
        lambda = client("spur", "spur");
    }

    private SpurServer.Options options() {
        return SpurServer.Options.defaults(dataDir)
                .withPort(0)
                .withPools(settings)
                .withAuth(auth)
                .withAsync(async)
                .withSandbox(sandbox);
    }

    /** A server whose asynchronous path uses the given retry delays and backoff. */
    static SpurHarness start(AsyncPolicy async) {
        return new SpurHarness(PoolSettings.defaults(), SpurServer.Auth.NONE, async);
    }

    /** A server whose functions run in {@code sandbox} (a linux sandbox should have passed its check). */
    static SpurHarness start(Sandbox sandbox) {
        return new SpurHarness(
                PoolSettings.defaults(), SpurServer.Auth.NONE, AsyncPolicy.quick(Duration.ofMillis(200)), sandbox);
    }

    static SpurHarness start() {
        return new SpurHarness(PoolSettings.defaults(), SpurServer.Auth.NONE);
    }

    static SpurHarness start(PoolSettings settings) {
        return new SpurHarness(settings, SpurServer.Auth.NONE);
    }

    /** A server that requires SigV4 on every Lambda API request; {@link #lambda} is then unsigned-useless. */
    static SpurHarness startWithSigV4() {
        return new SpurHarness(PoolSettings.defaults(), SpurServer.Auth.SIGV4);
    }

    /** An SDK client signing with the given key (no retries, as {@link #lambda}). */
    LambdaClient client(String accessKeyId, String secretKey) {
        return client(server.endpoint(), accessKeyId, secretKey);
    }

    /** An SDK client for the Spur at {@code endpoint} (a server in another process, say), as {@link #lambda}. */
    static LambdaClient client(String endpoint, String accessKeyId, String secretKey) {
        return LambdaClient.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretKey)))
                .overrideConfiguration(
                        c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(60)))
                .build();
    }

    String endpoint() {
        return server.endpoint();
    }

    /** An answer of Spur's own API: the status and the JSON body ({@code null} when there is none). */
    record Answer(int status, JsonNode body) {}

    /** A request to Spur's own API ({@code /spur/v1/...}), unsigned; {@code json} may be null. */
    Answer spurApi(String method, String path, String json) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.endpoint() + path))
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

    static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    CreateFunctionResponse create(String name, String runtime, String handler, byte[] zip) {
        return lambda.createFunction(b -> b.functionName(name)
                .runtime(Runtime.fromValue(runtime))
                .handler(handler)
                .role("arn:aws:iam::000000000000:role/e2e")
                .code(FunctionCode.builder()
                        .zipFile(SdkBytes.fromByteArray(zip))
                        .build()));
    }

    /**
     * Deploys a python3.12 function whose {@code app.py} is {@code app} (handler {@code app.handler});
     * {@code ephemeralMb} 0 keeps the default /tmp size. Returns its name.
     */
    String deployPython(String prefix, String app, int memoryMb, int ephemeralMb, int timeoutSeconds) {
        return deployPython(lambda, prefix, app, memoryMb, ephemeralMb, timeoutSeconds);
    }

    /** As {@link #deployPython(String, String, int, int, int)}, through {@code lambda}. */
    static String deployPython(
            LambdaClient lambda, String prefix, String app, int memoryMb, int ephemeralMb, int timeoutSeconds) {
        String name = uniqueName(prefix);
        byte[] zip = Zips.create().text("app.py", app).bytes();
        lambda.createFunction(b -> {
            b.functionName(name)
                    .runtime(Runtime.PYTHON3_12)
                    .handler("app.handler")
                    .memorySize(memoryMb)
                    .timeout(timeoutSeconds)
                    .role("arn:aws:iam::000000000000:role/e2e")
                    .code(c -> c.zipFile(SdkBytes.fromByteArray(zip)));
            if (ephemeralMb > 0) {
                b.ephemeralStorage(e -> e.size(ephemeralMb));
            }
        });
        return name;
    }

    /** A synchronous invoke with {@code event} as its JSON payload. */
    InvokeResponse invoke(String name, Object event) {
        return invoke(lambda, name, event);
    }

    /** As {@link #invoke(String, Object)}, through {@code lambda}. */
    static InvokeResponse invoke(LambdaClient lambda, String name, Object event) {
        try {
            String payload = Json.MAPPER.writeValueAsString(event);
            return lambda.invoke(b -> b.functionName(name).payload(SdkBytes.fromUtf8String(payload)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The result of an invoke that must have succeeded (the error payload is the failure's message). */
    static JsonNode ok(InvokeResponse response) {
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

    @Override
    public void close() {
        lambda.close();
        server.close();
        deleteTree(dataDir);
        if (sandbox instanceof LinuxSandbox) {
            HostCgroups.removeParentCgroups(DEFAULT_LINUX_CGROUP); // empty now; another name is its test's to remove
        }
    }

    /** Deletes a tree that may hold read-only directories (unpacked code). Best effort. */
    static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isDirectory).forEach(p -> p.toFile().setWritable(true));
        } catch (IOException e) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
