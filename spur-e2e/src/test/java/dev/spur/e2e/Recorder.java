package dev.spur.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import dev.spur.testing.server.Spur;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A python3.12 function that appends every invocation it sees — request id, time, event — as a JSON
 * line to a file of the test's, then returns {@code {"seen": event}} or, while its {@code FAIL}
 * variable is set, raises {@code ValueError(FAIL)}.
 */
final class Recorder {
    static final String APP = """
            import json, os, time

            def handler(event, context):
                with open(os.environ["RECORD_FILE"], "a") as f:
                    f.write(json.dumps({"id": context.aws_request_id, "at": int(time.time() * 1000),
                                        "event": event}) + "\\n")
                if os.environ.get("FAIL"):
                    raise ValueError(os.environ["FAIL"])
                return {"seen": event}
            """;

    /** One invocation the function saw. */
    record Call(String requestId, Instant at, JsonNode event) {}

    final String name;
    final String arn;
    private final Path file;

    private Recorder(String name, String arn, Path file) {
        this.name = name;
        this.arn = arn;
        this.file = file;
    }

    /** Deploys a recording function; {@code fail} non-empty makes it raise that message. */
    static Recorder deploy(Spur spur, String prefix, String fail) {
        Tools.python();
        String name = Spur.uniqueName(prefix);
        Path file = spur.dataDir().resolve("record-" + name + ".jsonl");
        Map<String, String> env = new HashMap<>(Map.of("RECORD_FILE", file.toString()));
        if (!fail.isEmpty()) {
            env.put("FAIL", fail);
        }
        String arn = spur.create(
                        name, FunctionPackage.python(APP), b -> b.timeout(10).environment(e -> e.variables(env)))
                .functionArn();
        return new Recorder(name, arn, file);
    }

    /** Every complete line written so far, in order. */
    List<Call> calls() {
        return lines(file).stream()
                .map(line -> new Call(
                        line.get("id").asText(),
                        Instant.ofEpochMilli(line.get("at").asLong()),
                        line.get("event")))
                .toList();
    }

    /** The complete JSON lines of a file a function appends to (none while it does not exist). */
    static List<JsonNode> lines(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<JsonNode> lines = new ArrayList<>();
        String[] pieces = text.split("\n", -1);
        for (int i = 0; i < pieces.length - 1; i++) { // the last piece is empty or still being written
            try {
                lines.add(Json.MAPPER.readTree(pieces[i]));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return lines;
    }

    List<Call> calls(String requestId) {
        return calls().stream().filter(c -> c.requestId().equals(requestId)).toList();
    }

    /** Waits until {@code done} holds for the calls seen, and returns them; fails after {@code limit}. */
    List<Call> await(Duration limit, String what, Predicate<List<Call>> done) {
        return Await.await(what + " (calls of " + name + ")", limit, this::calls, done);
    }

    /** Waits until at least {@code n} calls with this request id were seen. */
    List<Call> awaitCalls(String requestId, int n, Duration limit) {
        return await(
                        limit,
                        n + " calls of " + requestId,
                        calls -> calls.stream()
                                        .filter(c -> c.requestId().equals(requestId))
                                        .count()
                                >= n)
                .stream()
                .filter(c -> c.requestId().equals(requestId))
                .toList();
    }
}
