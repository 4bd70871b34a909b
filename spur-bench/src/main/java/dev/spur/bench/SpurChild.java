package dev.spur.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@code spur server} in a child process, as an operator starts it ({@code ./spur server --sandbox S}, every
 * other setting at its default), on a fresh data directory and an ephemeral port, with the comparison's
 * handler deployed as a function and an HTTP API route to it. A process of its own, like the peer's, so
 * neither shares a JVM or a heap with the benchmark.
 *
 * <p>On a fresh data directory Spur builds its Java client's AOT cache in the background at start (~8 s of one
 * core): {@link #start} waits for that to end, or it would run during the measurement of a Node.js handler.
 */
final class SpurChild implements PeerServer {
    private static final Pattern LISTENING = Pattern.compile("Spur is listening on (http://\\S+)");
    private static final long START_TIMEOUT_NANOS = 120_000_000_000L;

    private final Process process;
    private final Path dataDir;
    private final URI endpoint;
    private final String function;
    private final String apiId;

    private SpurChild(Process process, Path dataDir, URI endpoint, String function, String apiId) {
        this.process = process;
        this.dataDir = dataDir;
        this.endpoint = endpoint;
        this.function = function;
        this.apiId = apiId;
    }

    /**
     * Starts {@code command} (the argv of {@code spur server}) with {@code --sandbox sandbox} on a new data
     * directory under {@code scratch}, and deploys {@code handler} at {@code memoryMb}.
     *
     * @throws IOException if the server exits or stays silent before listening (the log's end is in the
     *                     message; a linux sandbox this machine cannot run says why there), or refuses the deploy
     */
    static SpurChild start(
            List<String> command, String sandbox, Path scratch, Functions.NoOp handler, int memoryMb, Path log)
            throws IOException, InterruptedException {
        Path data = Files.createTempDirectory(scratch, "spur-data-");
        // The linux sandbox's user must traverse the data directory to reach the code it mounts.
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> argv = new ArrayList<>(command);
        argv.addAll(List.of("--sandbox", sandbox, "--port", "0", "--data-dir", data.toString()));
        Process process = new ProcessBuilder(argv)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            URI endpoint = awaitListening(process, log);
            awaitJavaAotTraining(process, data);
            try (BenchClient client = new BenchClient(endpoint)) {
                String function = Bench.create(client, handler, memoryMb);
                return new SpurChild(process, data, endpoint, function, createApi(client, function));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            PeerServer.stop(process);
            Bench.deleteTree(data);
            throw e;
        }
    }

    private static URI awaitListening(Process process, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
            if (m.find()) {
                return URI.create(m.group(1));
            }
            if (!process.isAlive()) {
                throw new IOException("spur server exited " + process.exitValue() + ": " + PeerServer.tail(log, 6));
            }
            Thread.sleep(50);
        }
        throw new IOException("spur server did not start listening within 120 s: " + PeerServer.tail(log, 6));
    }

    /** Until the AOT cache file is in place, or no training JVM runs any more (it failed), at most 120 s. */
    private static void awaitJavaAotTraining(Process process, Path data) throws IOException, InterruptedException {
        long start = System.nanoTime();
        while (System.nanoTime() - start < START_TIMEOUT_NANOS) {
            if (aotCacheExists(data.resolve("runtimes"))) {
                return;
            }
            boolean training = process.descendants()
                    .anyMatch(p -> p.info().arguments().stream()
                            .flatMap(Stream::of)
                            .anyMatch(a -> a.startsWith("-XX:AOTCacheOutput")));
            if (!training && System.nanoTime() - start > 2_000_000_000L) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private static boolean aotCacheExists(Path runtimes) throws IOException {
        if (!Files.isDirectory(runtimes)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(runtimes, 3)) {
            return files.anyMatch(p -> p.getFileName().toString().matches("client-[0-9a-f]+\\.aot"));
        }
    }

    /** An HTTP API (payload 2.0, the default) whose {@code POST /bench} route invokes {@code function}. */
    private static String createApi(BenchClient client, String function) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("Name", "peers");
        ObjectNode route = body.putArray("Routes").addObject();
        route.put("RouteKey", "POST /bench");
        route.putObject("Target").put("Function", function);
        BenchClient.Response r = client.send(
                "POST",
                "/spur/v1/apis",
                Map.of("Content-Type", "application/json"),
                Json.MAPPER.writeValueAsBytes(body));
        if (r.status() != 201) {
            throw new IOException("create API failed: " + r.status() + " " + r.text());
        }
        return Json.MAPPER.readTree(r.body()).path("ApiId").asText();
    }

    @Override
    public URI invokeUrl() {
        return endpoint.resolve("/2015-03-31/functions/" + function + "/invocations");
    }

    @Override
    public URI routeUrl() {
        return endpoint.resolve("/gw/" + apiId + "/bench");
    }

    @Override
    public void close() {
        PeerServer.stop(process);
        try {
            Bench.deleteTree(dataDir);
        } catch (IOException e) {
            // the run's scratch directory is removed at the end anyway
        }
    }
}
