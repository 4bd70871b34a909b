package dev.spur.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A Spur node started the way the image starts it: deploy/container/entrypoint.sh exec'ing
 * deploy/container/spur (the launcher) exec'ing {@code spur server}, with Spur's jar and libraries
 * where the package step leaves them (spur-cli/target, the image's /opt/spur). One process throughout,
 * so a signal to it reaches Spur, as the kubelet's SIGTERM does. cgroup delegation is pointed at an
 * empty directory (nothing to delegate): that part has its own test.
 */
final class Node implements AutoCloseable {
    private static final String LISTENING = "Spur is listening on ";

    final Process process;
    final String endpoint;
    final List<String> output;
    private final Thread reader;
    private final HttpClient http = HttpClient.newHttpClient();

    private Node(Process process, String endpoint, List<String> output, Thread reader) {
        this.process = process;
        this.endpoint = endpoint;
        this.output = output;
        this.reader = reader;
    }

    /** Starts {@code spur server --sandbox process} on an ephemeral port with {@code options}; returns once it listens. */
    static Node start(Path work, Path data, String... options) throws IOException, InterruptedException {
        Path home = Repo.ROOT.resolve("spur-cli/target");
        if (!Files.exists(home.resolve("spur.jar"))) {
            return Repo.missing("spur-cli/target/spur.jar is missing: build with the reactor (-am), which packages it");
        }
        Files.createDirectories(work.resolve("no-cgroup-v2"));
        List<String> argv = new ArrayList<>(List.of(
                "sh",
                Repo.ENTRYPOINT.toString(),
                "sh",
                Repo.LAUNCHER.toString(),
                "server",
                "--sandbox=process",
                "--port=0",
                "--data-dir=" + data));
        argv.addAll(List.of(options));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        builder.environment().put("SPUR_HOME", home.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment()
                .put("SPUR_CGROUP_MOUNT", work.resolve("no-cgroup-v2").toString());
        builder.environment().remove("SPUR_CGROUP_ROOT");
        Process process = builder.start();
        process.getOutputStream().close();
        List<String> output = new CopyOnWriteArrayList<>();
        CompletableFuture<String> endpoint = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().name("spur-node-output").start(() -> {
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    output.add(line);
                    if (line.startsWith(LISTENING)) {
                        endpoint.complete(line.substring(LISTENING.length()).strip());
                    }
                }
            } catch (IOException e) {
                endpoint.completeExceptionally(e);
            }
            endpoint.completeExceptionally(new IllegalStateException("spur server exited: " + output));
        });
        try {
            return new Node(process, endpoint.get(120, TimeUnit.SECONDS), output, reader);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("spur server did not start: " + output, e);
        }
    }

    /** Creates a python3.12 function from {@code source} (app.handler) with {@code variables}, timeout 60 s. */
    void createFunction(String name, String source, ObjectNode variables) throws IOException, InterruptedException {
        ObjectNode function = Json.MAPPER
                .createObjectNode()
                .put("FunctionName", name)
                .put("Runtime", "python3.12")
                .put("Handler", "app.handler")
                .put("Timeout", 60)
                .put("Role", "arn:aws:iam::000000000000:role/drain");
        function.putObject("Code").put("ZipFile", Base64.getEncoder().encodeToString(zip("app.py", source)));
        function.putObject("Environment").set("Variables", variables);
        HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(endpoint + "/2015-03-31/functions"))
                .POST(HttpRequest.BodyPublishers.ofString(function.toString())));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    /** Invoke; {@code type} RequestResponse or Event. */
    HttpResponse<String> invoke(String name, String payload, String type) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(endpoint + "/2015-03-31/functions/" + name + "/invocations"))
                .header("X-Amz-Invocation-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(payload)));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(endpoint + path)).GET());
    }

    /** Whether a new connection to the node's port is refused (what a probe and a new client see). */
    boolean refusesConnections() throws InterruptedException {
        try (HttpClient fresh = HttpClient.newHttpClient()) {
            fresh.send(
                    HttpRequest.newBuilder(URI.create(endpoint + "/spur/v1/health"))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits for the node to exit and for its last output to be read; returns its exit status, or -1 if
     * it is still running after a minute.
     */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            return -1;
        }
        reader.join();
        return process.exitValue();
    }

    /**
     * SIGTERM, as the kubelet sends after the preStop hook. Through the handle: {@link Process#destroy()}
     * would also close the streams this side reads the node's last words from.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] zip(String name, String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(text.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    /** Kills what is left (a test that failed half-way), and waits for the node to be gone. */
    @Override
    public void close() {
        http.close();
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        process.onExit().join();
    }
}
