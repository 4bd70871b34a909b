package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilterLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/**
 * CloudWatch Logs' API on Spur's port, driven by the real AWS CLI v2 ({@code aws logs tail --follow},
 * {@code filter-log-events} with each kind of filter pattern, {@code get-log-events} paging,
 * {@code describe-log-groups/streams}, retention) and the AWS SDK for Java v2's CloudWatchLogsClient.
 */
@SpurTest
class LogsApiTest {
    static Spur spur;
    static String function;
    static String group;

    @AutoClose
    static CloudWatchLogsClient logsClient;

    @TempDir
    Path dir;

    @BeforeAll
    static void deployAndLog() {
        function = spur.deploy("logs", FunctionPackage.testRuntime());
        group = "/aws/lambda/" + function;
        for (String line : List.of(
                "ERROR disk full",
                "WARN slow disk",
                "INFO all good",
                "{\"level\":\"ERROR\",\"latency\":250,\"msg\":\"boom\"}",
                "{\"level\":\"INFO\",\"latency\":20,\"msg\":\"fine\"}")) {
            Spur.ok(spur.invoke(function, Map.of("print", line)));
        }
        logsClient = CloudWatchLogsClient.builder()
                .endpointOverride(URI.create(spur.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("spur", "spur")))
                .build();
    }

    private AwsCli.Result aws(String... args) throws Exception {
        return new AwsCli(spur.endpoint(), dir, Map.of()).aws(args);
    }

    private List<String> messages(String pattern) throws Exception {
        JsonNode out = aws("logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", pattern)
                .json();
        List<String> messages = new ArrayList<>();
        out.get("events").forEach(e -> messages.add(e.get("message").asText()));
        return messages;
    }

    private static boolean shows(Path file, String text) {
        try {
            return Files.readString(file).contains(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void awsLogsTailFollowShowsANewLineWithinSixSeconds() throws Exception {
        Path out = dir.resolve("tail.txt");
        ProcessBuilder pb = new ProcessBuilder(
                        Tools.awsCliV2().toString(),
                        "logs",
                        "tail",
                        group,
                        "--follow",
                        "--since",
                        "1h",
                        "--endpoint-url",
                        spur.endpoint())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().put("AWS_ACCESS_KEY_ID", "spur");
        pb.environment().put("AWS_SECRET_ACCESS_KEY", "spur");
        pb.environment().put("AWS_DEFAULT_REGION", "us-east-1");
        pb.environment().put("AWS_CONFIG_FILE", dir.resolve("none").toString());
        Process tail = pb.start();
        try {
            Await.await("the tail shows earlier lines", Duration.ofSeconds(60), () -> shows(out, "INFO all good"));
            String marker = "tail-marker-" + UUID.randomUUID();
            Spur.ok(spur.invoke(function, Map.of("print", marker)));
            long invoked = System.nanoTime();
            Await.await("the tail shows the new line", Duration.ofSeconds(30), () -> shows(out, marker));
            double seconds = (System.nanoTime() - invoked) / 1e9;
            System.out.printf("aws logs tail --follow showed the new line after %.2f s%n", seconds);
            assertThat(seconds).as("the CLI polls every 5 s").isLessThan(6.0);
            String shown = Files.readString(out);
            assertThat(shown).contains("REPORT RequestId:");
            assertThat(shown.split(marker, -1)).as("each line once").hasSize(2);
        } finally {
            tail.destroy();
            tail.waitFor();
        }
    }

    @Test
    void filterLogEventsMatchesTermsPhrasesExclusionsAlternativesAndJson() throws Exception {
        assertThat(messages("ERROR")).contains("ERROR disk full").anyMatch(m -> m.contains("\"boom\""));
        assertThat(messages("\"disk full\"")).containsExactly("ERROR disk full");
        assertThat(messages("disk -ERROR")).containsExactly("WARN slow disk");
        assertThat(messages("?WARN ?good")).containsExactlyInAnyOrder("WARN slow disk", "INFO all good");
        assertThat(messages("{ $.level = \"ERROR\" }"))
                .singleElement()
                .asString()
                .contains("boom");
        assertThat(messages("{ $.latency > 100 && $.level = \"ERR*\" }"))
                .singleElement()
                .asString()
                .contains("boom");
        assertThat(messages("{ $.latency < 100 || $.msg = \"nothing\" }"))
                .singleElement()
                .asString()
                .contains("fine");
        assertThat(messages("{ $.missing NOT EXISTS && $.level != \"ERROR\" }"))
                .singleElement()
                .asString()
                .contains("fine");
        assertThat(messages("START RequestId")).hasSizeGreaterThanOrEqualTo(5);

        var bad = aws("logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "{ $.level = }");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("InvalidParameterException");
        var missing = aws("logs", "filter-log-events", "--log-group-name", "/aws/lambda/no-such-function-here");
        assertThat(missing.err()).contains("ResourceNotFoundException").contains("log group does not exist");
    }

    @Test
    void filterLogEventsPagesWithLimitAndHonoursAnInclusiveStartTime() throws Exception {
        JsonNode all = aws("logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "RequestId")
                .json();
        assertThat(all.has("nextToken")).as("no token once the end is reached").isFalse();
        JsonNode first = aws(
                        "logs",
                        "filter-log-events",
                        "--log-group-name",
                        group,
                        "--filter-pattern",
                        "RequestId",
                        "--max-items",
                        "2")
                .json();
        assertThat(first.get("events")).hasSize(2);
        long at = all.get("events").get(3).get("timestamp").asLong();
        JsonNode since = aws(
                        "logs",
                        "filter-log-events",
                        "--log-group-name",
                        group,
                        "--start-time",
                        Long.toString(at),
                        "--filter-pattern",
                        "RequestId")
                .json();
        assertThat(since.get("events").get(0).get("timestamp").asLong()).isEqualTo(at);
    }

    @Test
    void getLogEventsPagesAStreamForwardUntilTheTokenRepeats() throws Exception {
        JsonNode streams =
                aws("logs", "describe-log-streams", "--log-group-name", group).json();
        String stream = streams.get("logStreams").get(0).get("logStreamName").asText();
        assertThat(stream).matches("\\d{4}/\\d{2}/\\d{2}/\\[\\$LATEST\\][0-9a-f]+");

        List<String> paged = new ArrayList<>();
        String token = null;
        for (int i = 0; i < 100; i++) {
            List<String> args = new ArrayList<>(List.of(
                    "logs", "get-log-events", "--log-group-name", group, "--log-stream-name", stream, "--limit", "3"));
            args.add("--start-from-head");
            if (token != null) {
                args.addAll(List.of("--next-token", token));
            }
            JsonNode page = aws(args.toArray(String[]::new)).json();
            page.get("events").forEach(e -> paged.add(e.get("message").asText()));
            String next = page.get("nextForwardToken").asText();
            if (next.equals(token)) {
                break;
            }
            token = next;
        }
        JsonNode whole = aws(
                        "logs",
                        "filter-log-events",
                        "--log-group-name",
                        group,
                        "--log-stream-names",
                        stream,
                        "--end-time",
                        Long.toString(System.currentTimeMillis() + 60_000))
                .json();
        List<String> expected = new ArrayList<>();
        whole.get("events").forEach(e -> expected.add(e.get("message").asText()));
        assertThat(paged).containsSubsequence(expected.subList(0, Math.min(expected.size(), 10)));
        assertThat(paged).contains("ERROR disk full");

        JsonNode newest = aws(
                        "logs",
                        "get-log-events",
                        "--log-group-name",
                        group,
                        "--log-stream-name",
                        stream,
                        "--limit",
                        "1")
                .json();
        assertThat(newest.get("events").get(0).get("message").asText()).startsWith("REPORT RequestId:");
    }

    @Test
    void describeLogGroupsShowsTheFunctionsGroupAndItsRetention() throws Exception {
        assertThat(aws("logs", "put-retention-policy", "--log-group-name", group, "--retention-in-days", "7")
                        .exit())
                .isZero();
        JsonNode groups = aws("logs", "describe-log-groups", "--log-group-name-prefix", group)
                .json();
        JsonNode g = groups.get("logGroups").get(0);
        assertThat(g.get("logGroupName").asText()).isEqualTo(group);
        assertThat(g.get("retentionInDays").asInt()).isEqualTo(7);
        assertThat(g.get("storedBytes").asLong()).isPositive();
        assertThat(g.get("arn").asText()).isEqualTo("arn:aws:logs:us-east-1:000000000000:log-group:" + group + ":*");

        var bad = aws("logs", "put-retention-policy", "--log-group-name", group, "--retention-in-days", "8");
        assertThat(bad.err()).contains("InvalidParameterException").contains("retentionInDays");
        assertThat(aws("logs", "delete-retention-policy", "--log-group-name", group)
                        .exit())
                .isZero();
        JsonNode after = aws("logs", "describe-log-groups", "--log-group-name-prefix", group)
                .json();
        assertThat(after.get("logGroups").get(0).has("retentionInDays")).isFalse();
    }

    private static HttpResponse<String> raw(String target, String body) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(
                    HttpRequest.newBuilder(URI.create(spur.endpoint() + "/"))
                            .header("Content-Type", "application/x-amz-json-1.1")
                            .header("X-Amz-Target", target)
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void malformedRequestsAreAnsweredInTheJsonProtocolsErrorShape() throws Exception {
        HttpResponse<String> unknown = raw("Logs_20140328.PutLogEvents", "{}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/x-amz-json-1.1");
        assertThat(Json.MAPPER.readTree(unknown.body()).get("__type").asText()).isEqualTo("UnknownOperationException");

        HttpResponse<String> notJson = raw("Logs_20140328.FilterLogEvents", "{not json");
        assertThat(Json.MAPPER.readTree(notJson.body()).get("__type").asText()).isEqualTo("SerializationException");

        HttpResponse<String> badToken =
                raw("Logs_20140328.FilterLogEvents", "{\"logGroupName\":\"" + group + "\",\"nextToken\":\"garbage\"}");
        assertThat(badToken.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(badToken.body()).get("__type").asText()).isEqualTo("InvalidParameterException");

        HttpResponse<String> badLimit = raw(
                "Logs_20140328.GetLogEvents",
                "{\"logGroupName\":\"" + group + "\",\"logStreamName\":\"x\",\"limit\":0}");
        assertThat(Json.MAPPER.readTree(badLimit.body()).get("__type").asText()).isEqualTo("InvalidParameterException");

        HttpResponse<String> badName = raw("Logs_20140328.DescribeLogStreams", "{\"logGroupName\":\"no spaces\"}");
        assertThat(Json.MAPPER.readTree(badName.body()).get("message").asText()).contains("logGroupName");
    }

    @Test
    void theSdksCloudWatchLogsClientReadsTheSameEvents() {
        FilterLogEventsResponse filtered =
                logsClient.filterLogEvents(r -> r.logGroupName(group).filterPattern("{ $.level = \"ERROR\" }"));
        assertThat(filtered.events())
                .extracting(FilteredLogEvent::message)
                .singleElement()
                .asString()
                .contains("boom");
        assertThat(filtered.nextToken()).isNull();

        String stream = logsClient
                .describeLogStreams(
                        r -> r.logGroupName(group).orderBy("LastEventTime").descending(true))
                .logStreams()
                .getFirst()
                .logStreamName();
        GetLogEventsResponse events = logsClient.getLogEvents(
                r -> r.logGroupName(group).logStreamName(stream).startFromHead(true));
        assertThat(events.events()).extracting(OutputLogEvent::message).anyMatch(m -> m.startsWith("START RequestId:"));
        assertThat(logsClient
                        .describeLogGroups(r -> r.logGroupNamePrefix(group))
                        .logGroups())
                .hasSize(1);

        assertThatThrownBy(() ->
                        logsClient.getLogEvents(r -> r.logGroupName(group).logStreamName("2020/01/01/[$LATEST]none")))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("log stream does not exist");
    }
}
