package dev.spur.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node told to stop (SIGTERM, as the kubelet does after the preStop hook) drains: it refuses new
 * connections at once, lets the invocations in progress finish within {@code --drain-timeout}, then
 * exits. Real processes throughout ({@link Node}); the function waits for a file the test creates, so
 * "in progress" is a fact, not a race.
 */
class DrainTest {
    /** Says it started (one line per run), then waits until the test lets it finish. */
    private static final String WAITS_FOR_RELEASE = """
            import os, time

            def handler(event, context):
                with open(os.environ["STARTED"], "a") as f:
                    f.write(context.aws_request_id + "\\n")
                while not os.path.exists(os.environ["RELEASE"]):
                    time.sleep(0.01)
                return {"finished": event["n"]}
            """;

    @TempDir
    Path work;

    @Test
    @Timeout(180)
    void sigtermRefusesNewConnectionsAndLetsTheInvocationInProgressFinish() throws Exception {
        python();
        try (Node node = Node.start(work, work.resolve("data"), "--drain-timeout=120s")) {
            node.createFunction("waits", WAITS_FOR_RELEASE, files());
            CompletableFuture<HttpResponse<String>> answer = invokeInBackground(node, "{\"n\":1}");
            awaitStarted(1);
            node.terminate();
            while (!node.refusesConnections()) {
                Thread.sleep(10);
            }
            assertThat(node.process.isAlive()).as("draining, not gone").isTrue();
            Files.createFile(work.resolve("release"));

            HttpResponse<String> finished = answer.get();
            assertThat(finished.statusCode()).isEqualTo(200);
            assertThat(finished.body()).isEqualTo("{\"finished\": 1}");
            assertThat(node.awaitExit()).as("ended by SIGTERM").isEqualTo(128 + 15);
            assertThat(node.output).anyMatch(l -> l.startsWith("Spur is draining: 1 invocations in progress"));
        }
    }

    @Test
    @Timeout(180)
    void anInvocationStillRunningAtTheDrainBoundIsCutOffAndTheNodeExits() throws Exception {
        python();
        try (Node node = Node.start(work, work.resolve("data"), "--drain-timeout=1s")) {
            node.createFunction("waits", WAITS_FOR_RELEASE, files());
            CompletableFuture<HttpResponse<String>> answer = invokeInBackground(node, "{\"n\":1}");
            awaitStarted(1);

            node.terminate();

            assertThat(node.awaitExit()).as("exits at the bound").isEqualTo(128 + 15);
            assertThat(answer)
                    .as("the caller's connection closes without an answer, as when a node dies")
                    .failsWithin(60, TimeUnit.SECONDS)
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(IOException.class);
        }
    }

    @Test
    @Timeout(240)
    void anAsynchronousInvocationInProgressFinishesBeforeExitAndIsNotRunAgain() throws Exception {
        python();
        Path data = work.resolve("data");
        try (Node node = Node.start(work, data, "--drain-timeout=120s")) {
            node.createFunction("waits", WAITS_FOR_RELEASE, files());
            assertThat(node.invoke("waits", "{\"n\":2}", "Event").statusCode()).isEqualTo(202);
            awaitStarted(1);

            node.terminate();
            while (!node.refusesConnections()) {
                Thread.sleep(10);
            }
            Files.createFile(work.resolve("release"));
            assertThat(node.awaitExit()).isEqualTo(128 + 15);
        }
        try (Node again = Node.start(work, data)) {
            var stats = Json.MAPPER.readTree(again.get("/spur/v1/async").body());

            assertThat(stats.path("depth").asLong())
                    .as("nothing left queued: " + stats)
                    .isZero();
            assertThat(Files.readAllLines(work.resolve("started"))).hasSize(1);
        }
    }

    private ObjectNode files() {
        ObjectNode variables = Json.MAPPER.createObjectNode();
        variables.put("STARTED", work.resolve("started").toString());
        variables.put("RELEASE", work.resolve("release").toString());
        return variables;
    }

    private static CompletableFuture<HttpResponse<String>> invokeInBackground(Node node, String payload) {
        CompletableFuture<HttpResponse<String>> answer = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                answer.complete(node.invoke("waits", payload, "RequestResponse"));
            } catch (IOException | InterruptedException | RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        return answer;
    }

    /** Until the function has started {@code runs} times (the test's timeout bounds it). */
    private void awaitStarted(int runs) throws IOException, InterruptedException {
        Path started = work.resolve("started");
        while (!Files.exists(started) || Files.readAllLines(started).size() < runs) {
            Thread.sleep(10);
        }
    }

    private static void python() {
        if (!Files.isExecutable(Path.of("/usr/bin/python3"))) {
            Repo.missing("Python 3 (/usr/bin/python3) is not installed; .ci/run installs it");
        }
    }
}
