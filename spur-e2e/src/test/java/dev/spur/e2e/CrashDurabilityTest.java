package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import dev.spur.testing.Await;
import dev.spur.testing.Directories;
import dev.spur.testing.Tools;
import dev.spur.testing.Zips;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The durability promise of Event invokes, tested the hard way: a burst of 10,000 Event invokes to a
 * function that appends its request id to a file; the server process is killed with SIGKILL halfway
 * through the burst and restarted on the same data directory; the burst goes on against the new
 * process. Every request id that was answered 202 must have run at least once. Repeats are allowed
 * (at least once) and counted.
 */
class CrashDurabilityTest {
    private static final int EVENTS = 10_000;
    private static final int CLIENTS = 32;
    private static final int KILL_AFTER_ACCEPTED = 5_000;
    private static final int DISPATCHERS = 16;
    private static final Duration DRAIN_DEADLINE = Duration.ofSeconds(120);

    /** One O_APPEND write per invocation: a line is written whole or not at all. */
    private static final String APPEND_ID = """
            import os
            FD = os.open(os.environ["IDS_FILE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

            def handler(event, context):
                os.write(FD, (context.aws_request_id + "\\n").encode())
                return "ok"
            """;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    @Timeout(300)
    void everyEventAnswered202RunsAtLeastOnceAfterAKill9MidBurst() throws Exception {
        Tools.python();
        Path work = Files.createTempDirectory("spur-crash-");
        Path data = work.resolve("data");
        Path ids = work.resolve("ids.txt");
        Path log = work.resolve("server.log");
        ServerProcess server = ServerProcess.start(data, DISPATCHERS, log);
        try {
            String name = "crash-" + UUID.randomUUID().toString().substring(0, 8);
            createFunction(server.port(), name, ids);
            EventBurst burst = new EventBurst(name, EVENTS);
            EventBurst.Servers servers = new EventBurst.Servers();
            servers.publish(server.port(), false);
            long burstStart = System.nanoTime();
            Thread clients = Thread.ofPlatform().name("burst").start(() -> {
                try {
                    burst.run(CLIENTS, servers);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });

            awaitAccepted(burst, KILL_AFTER_ACCEPTED);
            server.kill9();
            Set<String> ranBeforeKill = new HashSet<>(readLines(ids));
            long restart = System.nanoTime();
            server = ServerProcess.start(data, DISPATCHERS, log);
            servers.publish(server.port(), true);
            clients.join(DRAIN_DEADLINE.toMillis());
            assertThat(clients.isAlive()).as("the burst finished").isFalse();
            double burstSeconds = (System.nanoTime() - burstStart) / 1e9;
            JsonNode stats = awaitEmptyQueue(server.port());
            double drainSeconds = (System.nanoTime() - restart) / 1e9;

            List<String> executed = readLines(ids);
            Map<String, Integer> runs = new HashMap<>();
            executed.forEach(id -> runs.merge(id, 1, Integer::sum));
            Set<String> lost = new HashSet<>(burst.accepted);
            lost.removeAll(runs.keySet());
            long duplicates = runs.values().stream().filter(n -> n > 1).count();
            Set<String> ranWithout202 = new HashSet<>(runs.keySet());
            ranWithout202.removeAll(burst.accepted);
            Set<String> pendingAtKill = new HashSet<>(burst.acceptedByFirst);
            pendingAtKill.removeAll(ranBeforeKill);

            System.out.printf(
                    Locale.ROOT,
                    "CRASH-DURABILITY events=%d accepted=%d acceptedBeforeKill=%d "
                            + "pendingAtKill=%d executed=%d distinct=%d duplicates=%d extraRuns=%d lost=%d "
                            + "ranWithout202=%d connectionFailures=%d burst=%.1fs drain=%.1fs%n",
                    EVENTS,
                    burst.accepted.size(),
                    burst.acceptedByFirst.size(),
                    pendingAtKill.size(),
                    executed.size(),
                    runs.size(),
                    duplicates,
                    executed.size() - runs.size(),
                    lost.size(),
                    ranWithout202.size(),
                    burst.connectionFailures.get(),
                    burstSeconds,
                    drainSeconds);

            assertThat(burst.otherAnswers).as("answers other than 202").isEmpty();
            assertThat(pendingAtKill)
                    .as("events accepted but not yet run when the server was killed")
                    .isNotEmpty();
            assertThat(lost).as("accepted (202) events that never ran").isEmpty();
            // Only events running at the kill (at most one per dispatcher) may run twice: completions are durable.
            assertThat(executed.size() - runs.size()).as("repeated runs").isLessThanOrEqualTo(DISPATCHERS);
            assertThat(burst.accepted.size() + burst.connectionFailures.get()).isEqualTo(EVENTS);
            // Only requests cut off by the kill may have been stored without their 202 arriving.
            assertThat(ranWithout202.size()).isLessThanOrEqualTo(burst.connectionFailures.get());
            assertThat(stats.get("deadLetters").asLong()).isZero();
        } catch (Throwable t) {
            System.err.println("The Spur processes' output (" + log + "):");
            List<String> output = readLines(log);
            output.subList(Math.max(0, output.size() - 100), output.size()).forEach(System.err::println);
            throw t;
        } finally {
            server.close();
            Directories.deleteTree(work);
        }
    }

    private void createFunction(int port, String name, Path ids) throws IOException, InterruptedException {
        String zip = Base64.getEncoder()
                .encodeToString(Zips.create().text("app.py", APPEND_ID).bytes());
        ObjectNode function = Json.MAPPER
                .createObjectNode()
                .put("FunctionName", name)
                .put("Runtime", "python3.12")
                .put("Handler", "app.handler")
                .put("Role", "arn:aws:iam::000000000000:role/e2e");
        function.putObject("Code").put("ZipFile", zip);
        function.putObject("Environment").putObject("Variables").put("IDS_FILE", ids.toString());
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/2015-03-31/functions"))
                        .POST(HttpRequest.BodyPublishers.ofString(function.toString()))
                        .header("Content-Type", "application/json")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    private static void awaitAccepted(EventBurst burst, int count) {
        Await.await(count + " events accepted", Duration.ofSeconds(60), () -> burst.accepted.size() >= count);
    }

    /** Waits until the queue holds nothing, running events included; returns the last statistics. */
    private JsonNode awaitEmptyQueue(int port) {
        return Await.await(
                "the queue to drain",
                DRAIN_DEADLINE,
                () -> stats(port),
                stats -> stats.get("depth").asLong() == 0);
    }

    private JsonNode stats(int port) {
        try {
            HttpResponse<String> answer = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/spur/v1/async"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return Json.MAPPER.readTree(answer.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> readLines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }
}
