package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import dev.spur.server.Rendezvous;
import dev.spur.store.TestPostgres;
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
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A fleet of three Spur nodes, each a JVM of its own ({@link ServerProcess}) with its own data directory, on
 * one PostgreSQL database ({@link TestPostgres}) and loopback: membership, routing, propagation of control
 * plane changes, fleet-wide concurrency limits, schedules that fire once across the nodes, and what a
 * {@code kill -9} of one node costs (last: it kills node C). One fleet serves every test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetTest {
    private static final int DISPATCHERS = 8;
    private static final Duration PROPAGATION = Duration.ofSeconds(2);
    private static final Duration LEASE = Duration.ofSeconds(30);
    /** The events C held run again after its lease; the backlog of a loaded 2-core machine may take longer. */
    private static final Duration DRAIN = Duration.ofSeconds(120);

    private static final String ROLE = "arn:aws:iam::000000000000:role/fleet";
    private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    /** Answers its color, version and process; sleeps if asked; appends its request id (and schedule) to a file. */
    private static final String APP = """
            import json, os, time

            def handler(event, context):
                if isinstance(event, dict) and event.get("ticks"):
                    for i in range(event["ticks"]):
                        print("tick %s %d" % (event["tag"], i), flush=True)
                        time.sleep(0.05)
                if isinstance(event, dict) and event.get("sleep"):
                    time.sleep(event["sleep"])
                path = os.environ.get("IDS_FILE")
                if path:
                    resources = event.get("resources") if isinstance(event, dict) else None
                    records = event.get("Records") if isinstance(event, dict) else None
                    bodies = [r.get("body") for r in records] if records else []
                    line = json.dumps({"id": context.aws_request_id, "resources": resources, "bodies": bodies,
                                       "at": time.time()}) + "\\n"
                    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                    os.write(fd, line.encode())
                    os.close(fd)
                return {"color": os.environ.get("COLOR", ""), "version": context.function_version, "pid": os.getpid()}
            """;

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Path work;
    private static Path log;
    private static final ServerProcess[] NODES = new ServerProcess[3];
    private static final String[] NAMES = {"node-a", "node-b", "node-c"};

    @BeforeAll
    static void startFleet() throws Exception {
        Tools.python();
        String database = TestPostgres.freshDatabase();
        work = Files.createTempDirectory("spur-fleet-");
        log = work.resolve("nodes.log");
        for (int i = 0; i < 3; i++) {
            NODES[i] = ServerProcess.start(
                    work.resolve(NAMES[i]), DISPATCHERS, log, List.of("database=" + database, "node=" + NAMES[i]));
        }
        Await.await(
                "three live nodes", Duration.ofSeconds(20), () -> liveNodes(0).size() == 3);
    }

    @AfterAll
    static void stopFleet() {
        for (ServerProcess node : NODES) {
            if (node != null) {
                node.close();
            }
        }
        if (work != null) {
            Directories.deleteTree(work);
        }
    }

    @Test
    @Order(1)
    void everyNodeListsTheThreeLiveNodesWithTheirLoad() {
        for (int i = 0; i < 3; i++) {
            JsonNode nodes = get(i, "/spur/v1/nodes").path("Nodes");
            assertThat(nodes).hasSize(3);
            for (int n = 0; n < 3; n++) {
                JsonNode node = nodes.get(n);
                assertThat(node.path("Name").asText()).isEqualTo(NAMES[n]);
                assertThat(node.path("State").asText()).isEqualTo("ACTIVE");
                assertThat(node.path("Self").asBoolean()).isEqualTo(n == i);
                assertThat(node.path("Advertise").asText()).isEqualTo("http://127.0.0.1:" + NODES[n].port());
                assertThat(node.path("Report").has("InFlight")).isTrue();
                assertThat(node.path("Report").has("LiveEnvironments")).isTrue();
            }
        }
    }

    @Test
    @Order(2)
    void aFunctionCreatedWithTheAwsCliOnAIsInvokedThroughBAndCOnOneWarmNode() throws Exception {
        Path dir = Files.createDirectories(work.resolve("cli"));
        Path zip = dir.resolve("app.zip");
        Files.write(zip, Zips.create().text("app.py", APP).bytes());
        String name = unique("cli");
        new AwsCli(endpoint(0), dir, Map.of())
                .aws(
                        "lambda",
                        "create-function",
                        "--function-name",
                        name,
                        "--runtime",
                        "python3.12",
                        "--handler",
                        "app.handler",
                        "--role",
                        ROLE,
                        "--environment",
                        "Variables={COLOR=blue}",
                        "--zip-file",
                        "fileb://" + zip)
                .json();
        long startedBefore = environmentsStarted();
        for (int round = 0; round < 3; round++) {
            for (int node : new int[] {1, 2}) {
                AwsCli.Result invoked = new AwsCli(endpoint(node), dir, Map.of())
                        .aws(
                                "lambda",
                                "invoke",
                                "--function-name",
                                name,
                                "--cli-binary-format",
                                "raw-in-base64-out",
                                "--payload",
                                "{}",
                                dir.resolve("out.json").toString());
                assertThat(invoked.json().path("StatusCode").asInt()).isEqualTo(200);
                assertThat(Json.MAPPER
                                .readTree(Files.readString(dir.resolve("out.json")))
                                .path("color")
                                .asText())
                        .isEqualTo("blue");
            }
        }
        // six sequential invocations through two nodes ran on the one node that owns the function
        assertThat(environmentsStarted() - startedBefore)
                .as("environments started")
                .isEqualTo(1);
    }

    @Test
    @Order(3)
    void aConfigurationChangeOnBIsSeenOnAWithinTwoSeconds() {
        String name = createFunction(1, unique("update"), Map.of("COLOR", "c0"));
        List<Long> millis = new ArrayList<>();
        for (int round = 1; round <= 10; round++) {
            String color = "c" + round;
            Answer updated = call(1, "PUT", "/2015-03-31/functions/" + name + "/configuration", """
                    {"Environment":{"Variables":{"COLOR":"%s"}}}""".formatted(color));
            assertThat(updated.status()).as(updated.body()).isEqualTo(200);
            long start = System.nanoTime();
            Await.await(
                    "A sees " + color,
                    PROPAGATION,
                    () -> color.equals(get(0, "/2015-03-31/functions/" + name + "/configuration")
                            .path("Environment")
                            .path("Variables")
                            .path("COLOR")
                            .asText()));
            millis.add((System.nanoTime() - start) / 1_000_000);
        }
        assertThat(invoke(0, name, "", "{}").path("color").asText()).isEqualTo("c10");
        millis.sort(null);
        System.out.printf(
                Locale.ROOT, "FLEET-PROPAGATION n=%d p50=%dms max=%dms%n", millis.size(), millis.get(4), millis.get(9));
    }

    @Test
    @Order(4)
    void anAliasWeightChangedOnCAppliesOnEveryNode() throws InterruptedException {
        String name = createFunction(0, unique("alias"), Map.of("COLOR", "one"));
        assertThat(call(0, "POST", "/2015-03-31/functions/" + name + "/versions", "{}")
                        .status())
                .isEqualTo(201);
        call(0, "PUT", "/2015-03-31/functions/" + name + "/configuration", """
                {"Environment":{"Variables":{"COLOR":"two"}}}""");
        assertThat(call(0, "POST", "/2015-03-31/functions/" + name + "/versions", "{}")
                        .status())
                .isEqualTo(201);
        Answer alias = call(0, "POST", "/2015-03-31/functions/" + name + "/aliases", """
                {"Name":"live","FunctionVersion":"1"}""");
        assertThat(alias.status()).as(alias.body()).isEqualTo(201);
        for (int node = 0; node < 3; node++) {
            int n = node;
            Await.await(
                    "node " + n + " runs version 1 for the alias",
                    PROPAGATION,
                    () -> "1"
                            .equals(invoke(n, name, "live", "{}")
                                    .path("version")
                                    .asText()));
        }
        Answer weighted = call(2, "PUT", "/2015-03-31/functions/" + name + "/aliases/live", """
                {"FunctionVersion":"1","RoutingConfig":{"AdditionalVersionWeights":{"2":0.5}}}""");
        assertThat(weighted.status()).as(weighted.body()).isEqualTo(200);
        Thread.sleep(PROPAGATION.toMillis());
        for (int node = 0; node < 3; node++) {
            Set<String> colors = new HashSet<>();
            for (int i = 0; i < 24; i++) {
                colors.add(invoke(node, name, "live", "{}").path("color").asText());
            }
            assertThat(colors)
                    .as("node %d picks both versions by the weights", node)
                    .containsExactlyInAnyOrder("one", "two");
        }
    }

    @Test
    @Order(5)
    void aReservedConcurrencyHoldsAcrossTheFleetAndTheLogShowsEveryNodesLines() throws Exception {
        String name = createFunction(0, unique("reserved"), Map.of());
        assertThat(call(0, "PUT", "/2017-10-31/functions/" + name + "/concurrency", """
                        {"ReservedConcurrentExecutions":3}""")
                        .status())
                .isEqualTo(200);
        Thread.sleep(PROPAGATION.toMillis()); // every node has the reservation
        List<Integer> statuses = new CopyOnWriteArrayList<>();
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int node = i % 3;
            callers.add(Thread.ofPlatform()
                    .start(() -> statuses.add(
                            call(node, "POST", "/2015-03-31/functions/" + name + "/invocations", "{\"sleep\":4}")
                                    .status())));
            Thread.sleep(100);
        }
        for (Thread t : callers) {
            t.join();
        }
        assertThat(statuses)
                .as("3 of 5 run fleet-wide, 2 throttled")
                .containsExactlyInAnyOrder(200, 200, 200, 429, 429);
        // the three ran on three nodes (a share of one each); the log's tail on any node shows all three
        for (int node = 0; node < 3; node++) {
            String tail = call(node, "GET", "/spur/v1/functions/" + name + "/logs", null)
                    .body();
            assertThat(tail.split("START RequestId", -1)).as(tail).hasSize(4);
        }
    }

    @Test
    @Order(6)
    void oneTimeSchedulesCreatedOnDifferentNodesFireExactlyOnceAcrossTheFleet() throws Exception {
        schedulesFireOnce("before", new int[] {0, 1, 2});
    }

    @Test
    @Order(7)
    void aPeerRequestWithoutTheFleetsSignatureIsRefusedAndRunsNothing() throws Exception {
        Path ids = work.resolve("forged-ids.txt");
        String name = createFunction(0, unique("forged"), Map.of("IDS_FILE", ids.toString()));
        HttpRequest forged = HttpRequest.newBuilder(
                        URI.create(endpoint(1) + "/spur/v1/peer/functions/" + name + "/invocations"))
                .header("X-Spur-Hop", "node-a")
                .header("X-Spur-Account", "000000000000")
                .header("X-Spur-Region", "us-east-1")
                .header("X-Spur-Version", "$LATEST")
                .header("X-Spur-Request-Id", UUID.randomUUID().toString())
                .header("X-Spur-Deadline-Ms", "3000")
                .header("X-Spur-Issued-Ms", Long.toString(System.currentTimeMillis()))
                .header("X-Spur-Signature", Base64.getEncoder().encodeToString(new byte[32]))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build();
        HttpResponse<String> answer = HTTP.send(forged, HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(403);
        assertThat(answer.headers().firstValue("x-amzn-ErrorType")).hasValue("AccessDeniedException");
        assertThat(ids).doesNotExist();
    }

    @Test
    @Order(8)
    void theLogsApiThroughANodeThatRanNothingShowsBothNodesLinesInTimeOrderOnce() throws Exception {
        String name = createFunction(0, unique("fleetlogs"), Map.of());
        String group = "/aws/lambda/" + name;
        // a reservation of 2 over 3 nodes: shares 1, 1, 0 — two overlapping calls run on two nodes, one runs none
        assertThat(call(0, "PUT", "/2017-10-31/functions/" + name + "/concurrency", """
                        {"ReservedConcurrentExecutions":2}""")
                        .status())
                .isEqualTo(200);
        Thread.sleep(PROPAGATION.toMillis());
        List<String> tags = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            tags.addAll(overlappingTicks(name, 2, 10));
        }
        List<Integer> ran = nodesWithLogs(name);
        assertThat(ran).as("the calls ran on two nodes").hasSize(2);
        int third = 3 - ran.get(0) - ran.get(1);
        Path dir = Files.createDirectories(work.resolve("fleet-logs"));
        AwsCli cli = new AwsCli(endpoint(third), dir, Map.of());

        // filter-log-events in pages of 7 (the CLI follows the fleet cursor), through the node that ran nothing
        JsonNode filtered = cli.aws(
                        "logs",
                        "filter-log-events",
                        "--log-group-name",
                        group,
                        "--filter-pattern",
                        "tick",
                        "--page-size",
                        "7")
                .json();
        List<String> messages = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> streams = new HashSet<>();
        long previous = 0;
        for (JsonNode e : filtered.path("events")) {
            messages.add(e.path("message").asText().strip());
            assertThat(ids.add(e.path("eventId").asText()))
                    .as("event ids are unique")
                    .isTrue();
            streams.add(e.path("logStreamName").asText());
            assertThat(e.path("timestamp").asLong()).as("in time order").isGreaterThanOrEqualTo(previous);
            previous = e.path("timestamp").asLong();
        }
        assertThat(messages).as("every tick of both nodes, once").containsExactlyInAnyOrderElementsOf(ticks(tags, 10));
        assertThat(streams).as("streams of two nodes").hasSizeGreaterThanOrEqualTo(2);

        // the streams of both nodes, and each stream's events from the node that has it
        JsonNode described = cli.aws("logs", "describe-log-streams", "--log-group-name", group)
                .json();
        assertThat(described.path("logStreams")).hasSizeGreaterThanOrEqualTo(2);
        for (JsonNode s : described.path("logStreams")) {
            JsonNode events = cli.aws(
                            "logs",
                            "get-log-events",
                            "--log-group-name",
                            group,
                            "--log-stream-name",
                            s.path("logStreamName").asText(),
                            "--start-from-head")
                    .json();
            assertThat(events.path("events")).as(s.toString()).isNotEmpty();
        }
        JsonNode groups = cli.aws("logs", "describe-log-groups", "--log-group-name-prefix", group)
                .json();
        assertThat(groups.path("logGroups")).hasSize(1);
        assertThat(groups.path("logGroups").get(0).path("storedBytes").asLong()).isPositive();

        // aws logs tail: the same lines, each once, in time order; --follow then sees new lines of both nodes once
        AwsCli.Result tail = cli.aws("logs", "tail", group, "--since", "1h", "--filter-pattern", "tick");
        assertThat(tail.exit()).as(tail.err()).isZero();
        assertThat(tailTicks(tail.out())).containsExactlyInAnyOrderElementsOf(ticks(tags, 10));
        Path followed = dir.resolve("follow.txt");
        ProcessBuilder pb = new ProcessBuilder(
                        Tools.awsCliV2().toString(),
                        "logs",
                        "tail",
                        group,
                        "--follow",
                        "--since",
                        "1h",
                        "--filter-pattern",
                        "tick",
                        "--endpoint-url",
                        endpoint(third))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(followed.toFile());
        pb.environment().put("AWS_ACCESS_KEY_ID", "spur");
        pb.environment().put("AWS_SECRET_ACCESS_KEY", "spur");
        pb.environment().put("AWS_DEFAULT_REGION", "us-east-1");
        pb.environment().put("AWS_CONFIG_FILE", dir.resolve("none").toString());
        Process follow = pb.start();
        try {
            List<String> before = ticks(tags, 10);
            Await.await(
                    "the follow shows the earlier lines",
                    Duration.ofSeconds(60),
                    () -> tailTicks(read(followed)).containsAll(before));
            tags.addAll(overlappingTicks(name, 2, 10));
            List<String> all = ticks(tags, 10);
            Await.await(
                    "the follow shows the new lines",
                    Duration.ofSeconds(60),
                    () -> tailTicks(read(followed)).containsAll(all));
            Thread.sleep(6_000); // one more poll of the CLI: nothing comes twice
            assertThat(tailTicks(read(followed))).containsExactlyInAnyOrderElementsOf(all);
        } finally {
            follow.destroy();
            follow.waitFor();
        }

        // the console's live log through the node that ran nothing: both nodes' lines, each once
        HttpRequest events = HttpRequest.newBuilder(URI.create(endpoint(third) + "/console/events?function=" + name))
                .timeout(Duration.ofSeconds(60))
                .build();
        List<String> live = new CopyOnWriteArrayList<>();
        HttpResponse<Stream<String>> stream = HTTP.send(events, HttpResponse.BodyHandlers.ofLines());
        assertThat(stream.statusCode()).isEqualTo(200);
        Thread reader = Thread.ofVirtual()
                .start(() -> stream.body().forEach(line -> {
                    int at = line.indexOf(" tick ");
                    if (line.startsWith("data:") && at > 0) {
                        live.add(line.substring(at + 1).strip());
                    }
                }));
        try {
            List<String> all = ticks(tags, 10);
            Await.await("the console's live log shows every tick", Duration.ofSeconds(30), () -> live.containsAll(all));
            Thread.sleep(2_500); // two more reads: nothing comes twice
            assertThat(live).containsExactlyInAnyOrderElementsOf(all);
        } finally {
            stream.body().close();
            reader.interrupt();
        }
    }

    /** {@code calls} overlapping invocations through nodes A and B, each printing {@code ticks} tagged lines. */
    private static List<String> overlappingTicks(String name, int calls, int ticks) throws InterruptedException {
        List<String> tags = new ArrayList<>();
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            String tag = UUID.randomUUID().toString().substring(0, 8);
            tags.add(tag);
            int node = i % 2;
            String event = "{\"ticks\":%d,\"tag\":\"%s\",\"sleep\":2}".formatted(ticks, tag);
            callers.add(Thread.ofPlatform().start(() -> invoke(node, name, "", event)));
            Thread.sleep(100);
        }
        for (Thread t : callers) {
            t.join();
        }
        return tags;
    }

    private static List<String> ticks(List<String> tags, int ticks) {
        List<String> out = new ArrayList<>();
        for (String tag : tags) {
            for (int i = 0; i < ticks; i++) {
                out.add("tick " + tag + " " + i);
            }
        }
        return out;
    }

    /** The tick lines {@code aws logs tail} printed ({@code <time> <stream> <message>}), checked in time order. */
    private static List<String> tailTicks(String output) {
        List<String> out = new ArrayList<>();
        String previous = "";
        for (String line : output.split("\n")) {
            String[] parts = line.split(" ", 3);
            if (parts.length == 3 && parts[2].startsWith("tick ")) {
                assertThat(parts[0]).as("in time order: " + line).isGreaterThanOrEqualTo(previous);
                previous = parts[0];
                out.add(parts[2].strip());
            }
        }
        return out;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The nodes whose data directory holds a log of {@code function}. */
    private static List<Integer> nodesWithLogs(String function) throws IOException {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (var files = Files.walk(work.resolve(NAMES[i]))) {
                if (files.anyMatch(p -> p.getFileName().toString().equals(function)
                        && p.toString().contains("/logs/"))) {
                    out.add(i);
                }
            }
        }
        return out;
    }

    /** Six one-time schedules created on {@code nodes} in turn, due in 4–5 s: each fires exactly once. */
    private static void schedulesFireOnce(String label, int[] nodes) throws Exception {
        Path ids = work.resolve("schedule-ids-" + label + ".txt");
        String name = createFunction(nodes[0], unique("sched"), Map.of("IDS_FILE", ids.toString()));
        String arn = get(nodes[0], "/2015-03-31/functions/" + name + "/configuration")
                .path("FunctionArn")
                .asText();
        Thread.sleep(PROPAGATION.toMillis()); // every node knows the function
        Instant at = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.SECONDS);
        List<String> schedules = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String schedule = unique("once" + i);
            Answer created = call(nodes[i % nodes.length], "POST", "/spur/v1/schedules", """
                    {"Name":"%s","ScheduleExpression":"at(%s)","Target":{"Arn":"%s"}}""".formatted(
                            schedule, AT.format(LocalDateTime.ofInstant(at.plusSeconds(i % 2), ZoneOffset.UTC)), arn));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            schedules.add(schedule);
        }
        Await.await(
                "every schedule fired", Duration.ofSeconds(30), () -> fires(ids).size() >= 6);
        Thread.sleep(3_000); // a second fire of any of them would have come by now
        Map<String, Integer> counts = fires(ids);
        for (String schedule : schedules) {
            assertThat(counts.entrySet().stream()
                            .filter(e -> e.getKey().endsWith("/" + schedule))
                            .mapToInt(Map.Entry::getValue)
                            .sum())
                    .as("fires of " + schedule)
                    .isEqualTo(1);
        }
    }

    /** A function whose version 1 node C owns: its provisioned environments live on C until C is killed. */
    private static String provisioned;

    @Test
    @Order(8)
    void provisionedConcurrencyOfFourIsHeldOnceByTheFleetOnTheVersionsOwner() throws Exception {
        String candidate;
        do {
            candidate = unique("provisioned");
        } while (!Rendezvous.order(Rendezvous.item("000000000000", "us-east-1", candidate, "1"), List.of(NAMES))
                .getFirst()
                .equals("node-c"));
        String name = candidate;
        provisioned = createFunction(0, name, Map.of());
        assertThat(call(0, "POST", "/2015-03-31/functions/" + name + "/versions", "{}")
                        .status())
                .isEqualTo(201);
        Answer put = call(0, "PUT", "/2019-09-30/functions/" + name + "/provisioned-concurrency?Qualifier=1", """
                {"ProvisionedConcurrentExecutions":4}""");
        assertThat(put.status()).as(put.body()).isEqualTo(202);
        for (int node = 0; node < 3; node++) {
            int n = node;
            Await.await(
                    "node " + n + " reports the configuration READY with 4 allocated",
                    Duration.ofSeconds(90),
                    () -> provisionedReady(n, name, 4));
        }
        Thread.sleep(1_600); // one more beat of every node: a surplus would show now
        assertThat(provisionedEnvironments())
                .as("provisioned environments per node")
                .containsExactly(0, 0, 4);
        JsonNode answer = invoke(0, name, "1", "{}");
        assertThat(answer.path("version").asText()).isEqualTo("1");
        Thread.sleep(1_600);
        assertThat(provisionedEnvironments())
                .as("an invocation through A used C's")
                .containsExactly(0, 0, 4);
    }

    /** The SQS mapping of the test below: its queue, its UUID, the file its function records the bodies in. */
    private static String mappedQueue;

    private static String mappingUuid;
    private static Path mappedBodies;

    @Test
    @Order(9)
    @Timeout(180)
    void anSqsMappingCreatedOnCIsPolledByCAloneAndDeliversWhatAAndBSend() throws Exception {
        mappedBodies = work.resolve("mapped-bodies.txt");
        String function = createFunction(2, unique("mapped"), Map.of("IDS_FILE", mappedBodies.toString()));
        mappedQueue = sqs(2, "CreateQueue", Json.MAPPER.createObjectNode().put("QueueName", unique("fleet-q")))
                .path("QueueUrl")
                .asText();
        String arn = "arn:aws:sqs:us-east-1:000000000000:" + mappedQueue.substring(mappedQueue.lastIndexOf('/') + 1);
        Answer created = call(
                2,
                "POST",
                "/2015-03-31/event-source-mappings/",
                Json.MAPPER
                        .createObjectNode()
                        .put("EventSourceArn", arn)
                        .put("FunctionName", function)
                        .put("BatchSize", 10)
                        .toString());
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        mappingUuid = json(created.body()).path("UUID").asText();
        for (int viewer = 0; viewer < 3; viewer++) {
            int v = viewer;
            Await.await(
                    "node " + v + " sees C alone polling the mapping",
                    Duration.ofSeconds(10),
                    () -> pollers(v, mappingUuid).equals(List.of("node-c")));
        }
        Map<String, Long> sentAt = sendAll(0, 50, "before");
        Await.await("50 delivered", Duration.ofSeconds(60), () -> delivered().containsAll(sentAt.keySet()));
        List<Long> latencies = latencies(sentAt);
        System.out.printf(
                Locale.ROOT,
                "FLEET-MAPPING send on A/B -> invoke on C: n=%d p50=%dms max=%dms%n",
                latencies.size(),
                latencies.get(latencies.size() / 2),
                latencies.getLast());
        for (int viewer = 0; viewer < 3; viewer++) {
            assertThat(pollers(viewer, mappingUuid))
                    .as("seen from node %d", viewer)
                    .containsExactly("node-c");
        }
    }

    @Test
    @Order(22)
    @Timeout(180)
    void theKilledOwnersMappingIsTakenOverByASurvivorAndNothingIsLost() throws Exception {
        assertThat(mappingUuid).as("the mapping of the test before").isNotNull();
        long start = System.nanoTime();
        Await.await(
                "one survivor polls the mapping",
                Duration.ofSeconds(60),
                () -> pollers(0, mappingUuid).size() == 1
                        && pollers(1, mappingUuid).equals(pollers(0, mappingUuid)));
        System.out.printf(
                Locale.ROOT,
                "FLEET-MAPPING-MOVE %s polls again %.1f s after C was declared dead%n",
                pollers(0, mappingUuid),
                (System.nanoTime() - start) / 1e9);
        Map<String, Long> sentAt = sendAll(0, 50, "after");
        Set<String> all = new HashSet<>(sentAt.keySet());
        for (int i = 0; i < 50; i++) {
            all.add("before-" + i);
        }
        Await.await(
                "all 100 delivered", Duration.ofSeconds(60), () -> delivered().containsAll(all));
        assertThat(pollers(0, mappingUuid)).hasSize(1).doesNotContain("node-c");
        assertThat(pollers(1, mappingUuid)).isEqualTo(pollers(0, mappingUuid));
    }

    /** Sends {@code n} messages named {@code label-i}, alternately on A and B; when each was sent. */
    private static Map<String, Long> sendAll(int first, int n, String label) {
        Map<String, Long> sentAt = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String body = label + "-" + i;
            sentAt.put(body, System.currentTimeMillis());
            sqs(
                    (first + i) % 2,
                    "SendMessage",
                    Json.MAPPER.createObjectNode().put("QueueUrl", mappedQueue).put("MessageBody", body));
        }
        return sentAt;
    }

    /** The bodies the mapped function received so far. */
    private static Set<String> delivered() {
        Set<String> bodies = new HashSet<>();
        deliveries().forEach(line -> line.path("bodies").forEach(b -> bodies.add(b.asText())));
        return bodies;
    }

    private static List<JsonNode> deliveries() {
        List<JsonNode> out = new ArrayList<>();
        try {
            if (Files.exists(mappedBodies)) {
                for (String line : Files.readAllLines(mappedBodies)) {
                    try {
                        out.add(Json.MAPPER.readTree(line));
                    } catch (IOException partial) {
                        // a line being written
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Milliseconds from each send to the start of the invocation that received it, sorted. */
    private static List<Long> latencies(Map<String, Long> sentAt) {
        List<Long> out = new ArrayList<>();
        for (JsonNode line : deliveries()) {
            long at = Math.round(line.path("at").asDouble() * 1000);
            line.path("bodies").forEach(b -> {
                Long sent = sentAt.get(b.asText());
                if (sent != null) {
                    out.add(at - sent);
                }
            });
        }
        out.sort(null);
        return out;
    }

    /** The live nodes whose last report says they poll mapping {@code uuid}, as node {@code viewer} lists them. */
    private static List<String> pollers(int viewer, String uuid) {
        List<String> names = new ArrayList<>();
        for (JsonNode node : liveNodes(viewer)) {
            for (JsonNode polled : node.path("Report").path("PolledMappings")) {
                if (polled.asText().equals(uuid)) {
                    names.add(node.path("Name").asText());
                }
            }
        }
        return names;
    }

    private static JsonNode sqs(int node, String operation, ObjectNode input) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint(node) + "/"))
                    .header("X-Amz-Target", "AmazonSQS." + operation)
                    .header("Content-Type", "application/x-amz-json-1.0")
                    .POST(HttpRequest.BodyPublishers.ofString(input.toString()))
                    .timeout(Duration.ofSeconds(30))
                    .build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return json(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Each node's count of live provisioned environments at its last beat, as node A lists them; -1 if not live. */
    private static List<Integer> provisionedEnvironments() {
        List<Integer> counts = new ArrayList<>();
        JsonNode nodes = get(0, "/spur/v1/nodes").path("Nodes");
        for (int i = 0; i < 3; i++) {
            JsonNode node = nodes.get(i);
            counts.add(
                    node.path("Live").asBoolean()
                            ? node.path("Report")
                                    .path("ProvisionedEnvironments")
                                    .asInt()
                            : -1);
        }
        return counts;
    }

    private static boolean provisionedReady(int node, String name, int count) {
        JsonNode config = get(node, "/2019-09-30/functions/" + name + "/provisioned-concurrency?Qualifier=1");
        return config.path("Status").asText().equals("READY")
                && config.path("AllocatedProvisionedConcurrentExecutions").asInt() == count
                && config.path("AvailableProvisionedConcurrentExecutions").asInt() == count
                && config.path("RequestedProvisionedConcurrentExecutions").asInt() == count;
    }

    /**
     * Kills node C with SIGKILL in the middle of a 10,000-event burst spread over the three nodes, while
     * synchronous callers invoke through all three: every event answered 202 runs at least once, repeats are
     * at most what C held (its dispatchers), the queue drains (printed: the time from the kill, against a lease + 10
     * s); synchronous callers of A and B are served (errors only for invocations that were running on C), C's
     * callers lose their connection; afterwards one-time schedules still fire exactly once on the two survivors.
     */
    @Test
    @Order(20)
    @Timeout(300)
    void aNodeKilledMidBurstLosesNoAcceptedEventAndTheOthersKeepServing() throws Exception {
        Path ids = work.resolve("burst-ids.txt");
        String name = createFunction(0, unique("burst"), Map.of("IDS_FILE", ids.toString()));
        List<String> syncFunctions = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            syncFunctions.add(createFunction(i % 3, unique("sync" + i), Map.of()));
        }
        int events = 10_000;
        List<EventBurst> bursts = new ArrayList<>();
        List<EventBurst.Servers> servers = new ArrayList<>();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            EventBurst burst = new EventBurst(name, i < 2 ? events / 3 : events - 2 * (events / 3));
            EventBurst.Servers to = new EventBurst.Servers();
            to.publish(NODES[i].port(), i < 2);
            bursts.add(burst);
            servers.add(to);
            clients.add(Thread.ofPlatform().start(() -> {
                try {
                    burst.run(8, to);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        AtomicBoolean killed = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        Map<Integer, List<String>> syncOutcomes = new ConcurrentHashMap<>();
        AtomicInteger servedAfterKill = new AtomicInteger();
        List<Thread> syncCallers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int node = i % 3;
            String fn = syncFunctions.get(i);
            syncCallers.add(Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    boolean after = killed.get();
                    String outcome;
                    try {
                        outcome = Integer.toString(
                                callOrThrow(node, "POST", "/2015-03-31/functions/" + fn + "/invocations", "{}")
                                        .status());
                        if (after && node != 2 && outcome.equals("200")) {
                            servedAfterKill.incrementAndGet();
                        }
                    } catch (IOException e) {
                        outcome = "connection";
                    } catch (InterruptedException e) {
                        return;
                    }
                    syncOutcomes
                            .computeIfAbsent(node, n -> new CopyOnWriteArrayList<>())
                            .add(outcome);
                    if (outcome.equals("connection")) {
                        return;
                    }
                }
            }));
        }
        int accepted;
        do {
            Thread.sleep(50);
            accepted = bursts.stream().mapToInt(b -> b.accepted.size()).sum();
        } while (accepted < events / 2);
        NODES[2].kill9();
        long killedAt = System.nanoTime();
        killed.set(true);
        servers.get(2).publish(NODES[1].port(), true); // C's event clients go on through B
        for (Thread t : clients) {
            t.join(Duration.ofSeconds(180).toMillis());
            assertThat(t.isAlive()).as("the burst finished").isFalse();
        }
        long burstEnd = System.nanoTime();
        Set<String> all202 = new HashSet<>();
        bursts.forEach(b -> all202.addAll(b.accepted));
        try {
            Await.await("every accepted event ran", DRAIN, () -> distinct(ids).containsAll(all202));
        } catch (AssertionError e) {
            Set<String> missing = new HashSet<>(all202);
            missing.removeAll(distinct(ids));
            System.err.println("FLEET-KILL missing " + missing.size() + "; queue on A: " + get(0, "/spur/v1/async")
                    + "; on B: " + get(1, "/spur/v1/async"));
            printLog();
            throw e;
        }
        double drainSeconds = (System.nanoTime() - burstEnd) / 1e9;
        double sinceKill = (System.nanoTime() - killedAt) / 1e9;
        Thread.sleep(2_000);
        stop.set(true);
        for (Thread t : syncCallers) {
            t.join();
        }
        List<String> executed = lines(ids);
        Map<String, Integer> runs = new HashMap<>();
        executed.forEach(id -> runs.merge(id, 1, Integer::sum));
        Set<String> lost = new HashSet<>(all202);
        lost.removeAll(runs.keySet());
        int repeats = executed.size() - runs.size();
        int connectionFailures =
                bursts.stream().mapToInt(b -> b.connectionFailures.get()).sum();
        System.out.printf(
                Locale.ROOT,
                "FLEET-KILL events=%d accepted=%d executed=%d distinct=%d repeats=%d lost=%d connectionFailures=%d "
                        + "drainAfterBurst=%.1fs doneAfterKill=%.1fs sync=%s%n",
                events,
                all202.size(),
                executed.size(),
                runs.size(),
                repeats,
                lost.size(),
                connectionFailures,
                drainSeconds,
                sinceKill,
                summary(syncOutcomes));
        assertThat(bursts.stream().flatMap(b -> b.otherAnswers.stream()))
                .as("answers other than 202")
                .isEmpty();
        assertThat(lost).as("accepted (202) events that never ran").isEmpty();
        assertThat(all202.size() + connectionFailures).isEqualTo(events);
        assertThat(repeats).as("repeated runs: at most what C held").isLessThanOrEqualTo(DISPATCHERS);
        for (int node : new int[] {0, 1}) {
            assertThat(syncOutcomes.get(node))
                    .as("A's and B's synchronous callers: served, or an error for an invocation that was on C")
                    .allMatch(o -> o.equals("200") || o.equals("500"));
            assertThat(syncOutcomes.get(node).stream().filter("500"::equals).count())
                    .as("errors: only invocations that were running on C")
                    .isLessThanOrEqualTo(2);
        }
        assertThat(servedAfterKill.get()).as("served after the kill").isPositive();
        assertThat(syncOutcomes.get(2)).last().isEqualTo("connection");
        Await.await(
                "C is dead to the others",
                Duration.ofSeconds(10),
                () -> liveNodes(0).size() == 2);
    }

    @Test
    @Order(21)
    @Timeout(180)
    void theKilledNodesProvisionedEnvironmentsComeBackOnTheSurvivors() throws Exception {
        assertThat(provisioned)
                .as("the provisioned function of the test before")
                .isNotNull();
        String next = Rendezvous.order(Rendezvous.item("000000000000", "us-east-1", provisioned, "1"), List.of(NAMES))
                .get(1);
        int holder = List.of(NAMES).indexOf(next);
        long start = System.nanoTime();
        Await.await(
                "4 provisioned environments on " + next,
                Duration.ofSeconds(90),
                () -> provisionedEnvironments().get(holder) == 4);
        System.out.printf(
                Locale.ROOT,
                "FLEET-PROVISIONED-MOVE %s holds 4 again %.1f s after C was declared dead%n",
                next,
                (System.nanoTime() - start) / 1e9);
        for (int node = 0; node < 2; node++) {
            int n = node;
            Await.await(
                    "node " + n + " reports READY", Duration.ofSeconds(10), () -> provisionedReady(n, provisioned, 4));
        }
        Thread.sleep(1_600);
        List<Integer> counts = provisionedEnvironments();
        assertThat(counts.get(2)).as("C is dead").isEqualTo(-1);
        assertThat(counts.get(0) + counts.get(1))
                .as("exactly 4 on the two survivors")
                .isEqualTo(4);
        assertThat(invoke(1, provisioned, "1", "{}").path("version").asText()).isEqualTo("1");
    }

    private static void printLog() {
        try {
            List<String> output = Files.readAllLines(log);
            System.err.println("The nodes' output (last 150 lines of " + log + "):");
            output.subList(Math.max(0, output.size() - 150), output.size()).forEach(System.err::println);
        } catch (IOException e) {
            System.err.println("cannot read " + log + ": " + e);
        }
    }

    private static String summary(Map<Integer, List<String>> outcomes) {
        Map<String, Map<String, Long>> out = new HashMap<>();
        outcomes.forEach((node, list) -> {
            Map<String, Long> counts = new HashMap<>();
            list.forEach(o -> counts.merge(o, 1L, Long::sum));
            out.put(NAMES[node], counts);
        });
        return out.toString();
    }

    // ---- helpers

    private record Answer(int status, String body) {}

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String endpoint(int node) {
        return "http://127.0.0.1:" + NODES[node].port();
    }

    private static String createFunction(int node, String name, Map<String, String> env) {
        ObjectNode function = Json.MAPPER
                .createObjectNode()
                .put("FunctionName", name)
                .put("Runtime", "python3.12")
                .put("Handler", "app.handler")
                .put("Role", ROLE);
        function.putObject("Code")
                .put(
                        "ZipFile",
                        Base64.getEncoder()
                                .encodeToString(
                                        Zips.create().text("app.py", APP).bytes()));
        ObjectNode variables = function.putObject("Environment").putObject("Variables");
        env.forEach(variables::put);
        Answer created = call(node, "POST", "/2015-03-31/functions", function.toString());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return name;
    }

    private static JsonNode invoke(int node, String name, String qualifier, String event) {
        Answer answer = call(
                node,
                "POST",
                "/2015-03-31/functions/" + name + "/invocations"
                        + (qualifier.isEmpty() ? "" : "?Qualifier=" + qualifier),
                event);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return json(answer.body());
    }

    private static JsonNode get(int node, String path) {
        Answer answer = call(node, "GET", path, null);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return json(answer.body());
    }

    private static List<JsonNode> liveNodes(int node) {
        List<JsonNode> live = new ArrayList<>();
        get(node, "/spur/v1/nodes").path("Nodes").forEach(n -> {
            if (n.path("Live").asBoolean()) {
                live.add(n);
            }
        });
        return live;
    }

    /** Environments started on the three nodes so far, as they report at their next beat. */
    private static long environmentsStarted() throws InterruptedException {
        Thread.sleep(1_600); // every node beats (every ~1 s) with what it did until now
        long sum = 0;
        for (int i = 0; i < 3; i++) {
            sum += get(i, "/spur/v1/nodes")
                    .path("Nodes")
                    .get(i)
                    .path("Report")
                    .path("EnvironmentsStarted")
                    .asLong();
        }
        return sum;
    }

    private static Answer call(int node, String method, String path, String body) {
        try {
            return callOrThrow(node, method, path, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Answer callOrThrow(int node, String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint(node) + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The ids recorded in {@code file}, one JSON line per run. A line that does not parse is skipped: a
     * function still writing it (read mid-append), or one whose environment died with a killed node
     * mid-write — that run did not finish, and its event runs again.
     */
    private static List<String> lines(Path file) {
        List<String> ids = new ArrayList<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.isBlank()) {
                        try {
                            ids.add(Json.MAPPER.readTree(line).path("id").asText());
                        } catch (IOException partial) {
                            // skipped, as said above
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ids;
    }

    private static Set<String> distinct(Path file) {
        return new HashSet<>(lines(file));
    }

    /** Fires per schedule ARN, from the events the function recorded. */
    private static Map<String, Integer> fires(Path file) {
        Map<String, Integer> counts = new HashMap<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.isBlank()) {
                        json(line).path("resources").forEach(r -> counts.merge(r.asText(), 1, Integer::sum));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return counts;
    }
}
