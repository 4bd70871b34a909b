package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.InvalidEventPatternException;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.ResourceNotFoundException;
import software.amazon.awssdk.services.eventbridge.model.Target;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * EventBridge on Spur's port with real clients: the AWS CLI v2 and the AWS SDK for Java v2's
 * {@link EventBridgeClient} (JSON 1.1), a Python function receiving the EventBridge event, SQS targets with
 * InputPath and InputTransformer, a pattern of several operators matching and not matching, and PutEvents'
 * per-entry answers.
 */
@SpurTest
class EventBridgeTest {
    static final String ACCOUNT = SnsTest.ACCOUNT;
    static Spur spur;
    static EventBridgeClient events;
    static SqsClient sqs;

    @TempDir
    Path dir;

    @BeforeAll
    static void clients() {
        events = EventBridgeClient.builder()
                .endpointOverride(URI.create(spur.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("spur", "spur")))
                .overrideConfiguration(
                        c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(60)))
                .build();
        sqs = SqsSink.client(spur.endpoint());
    }

    @AfterAll
    static void close() {
        events.close();
        sqs.close();
    }

    private AwsCli.Result aws(String... args) throws Exception {
        return new AwsCli(spur.endpoint(), dir, Map.of()).aws(args);
    }

    static final String PATTERN = """
            {"source":[{"prefix":"com.shop"}],
             "detail-type":[{"equals-ignore-case":"order placed"}],
             "detail":{"amount":[{"numeric":[">",100,"<=",1000]}],
                       "country":[{"anything-but":["XX","YY"]}],
                       "coupon":[{"exists":false}],
                       "sku":[{"wildcard":"book-*-pb"}],
                       "$or":[{"channel":[{"suffix":"-web"}]},{"vip":[true]}]}}
            """;

    @Test
    void theAwsCliPutsARuleATargetAndEventsThatMatchOrNot() throws Exception {
        String queue = Spur.uniqueName("eb-cli");
        String url = sqs.createQueue(b -> b.queueName(queue)).queueUrl();
        String rule = Spur.uniqueName("orders");
        String ruleArn = aws("events", "put-rule", "--name", rule, "--event-pattern", PATTERN)
                .json()
                .path("RuleArn")
                .asText();
        assertThat(ruleArn).isEqualTo("arn:aws:events:us-east-1:" + ACCOUNT + ":rule/" + rule);
        JsonNode put = aws(
                        "events",
                        "put-targets",
                        "--rule",
                        rule,
                        "--targets",
                        "[{\"Id\":\"q\",\"Arn\":\"" + SqsSink.queueArn(queue) + "\"}]")
                .json();
        assertThat(put.path("FailedEntryCount").asInt()).isZero();

        String matching = "{\"amount\":250,\"country\":\"DE\",\"sku\":\"book-42-pb\",\"channel\":\"eu-web\"}";
        List<String> notMatching = List.of(
                "{\"amount\":50,\"country\":\"DE\",\"sku\":\"book-42-pb\",\"channel\":\"eu-web\"}",
                "{\"amount\":250,\"country\":\"XX\",\"sku\":\"book-42-pb\",\"channel\":\"eu-web\"}",
                "{\"amount\":250,\"country\":\"DE\",\"sku\":\"book-42-pb\",\"channel\":\"eu-web\",\"coupon\":\"X\"}",
                "{\"amount\":250,\"country\":\"DE\",\"sku\":\"book-42-hc\",\"channel\":\"eu-web\"}",
                "{\"amount\":250,\"country\":\"DE\",\"sku\":\"book-42-pb\",\"channel\":\"store\"}");
        StringBuilder entries = new StringBuilder("[");
        entries.append(entry("com.shop.orders", "Order Placed", matching)).append(',');
        for (String detail : notMatching) {
            entries.append(entry("com.shop.orders", "Order Placed", detail)).append(',');
        }
        entries.append(entry("com.other", "Order Placed", matching)).append(',');
        entries.append(entry(
                "com.shop.orders",
                "Order Placed",
                "{\"amount\":999,\"country\":\"FR\",\"sku\":\"book-1-pb\",\"vip\":true}"));
        entries.append(']');
        JsonNode answer =
                aws("events", "put-events", "--entries", entries.toString()).json();
        assertThat(answer.path("FailedEntryCount").asInt()).isZero();
        assertThat(answer.path("Entries")).hasSize(8);

        List<Message> got = SqsSink.drain(sqs, url, 2);
        assertThat(got).hasSize(2);
        JsonNode event = SqsSink.json(got.getFirst().body());
        assertThat(event.path("version").asText()).isEqualTo("0");
        assertThat(event.path("source").asText()).isEqualTo("com.shop.orders");
        assertThat(List.of(
                        SqsSink.json(got.get(0).body())
                                .path("detail")
                                .path("amount")
                                .asInt(),
                        SqsSink.json(got.get(1).body())
                                .path("detail")
                                .path("amount")
                                .asInt()))
                .containsExactlyInAnyOrder(250, 999);
        assertThat(sqs.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(1)).messages())
                .isEmpty();

        assertThat(aws("events", "list-targets-by-rule", "--rule", rule)
                        .json()
                        .path("Targets")
                        .get(0)
                        .path("Arn")
                        .asText())
                .isEqualTo(SqsSink.queueArn(queue));
        AwsCli.Result withTargets = aws("events", "delete-rule", "--name", rule);
        assertThat(withTargets.exit()).isNotZero();
        assertThat(withTargets.err()).contains("ValidationException").contains("has targets");
        assertThat(aws("events", "remove-targets", "--rule", rule, "--ids", "q").exit())
                .isZero();
        assertThat(aws("events", "delete-rule", "--name", rule).exit()).isZero();
        assertThat(aws("events", "describe-rule", "--name", rule).err()).contains("ResourceNotFoundException");
    }

    private static String entry(String source, String detailType, String detail) {
        return "{\"Source\":\"" + source + "\",\"DetailType\":\"" + detailType + "\",\"Detail\":" + quote(detail) + "}";
    }

    private static String quote(String text) {
        return Json.MAPPER.getNodeFactory().textNode(text).toString();
    }

    @Test
    void aPythonFunctionReceivesTheEventBridgeEventAsAwsDocumentsIt() {
        String sink = Spur.uniqueName("eb-sink");
        String sinkUrl = sqs.createQueue(b -> b.queueName(sink)).queueUrl();
        String function = spur.deploy(
                "eb-fn",
                FunctionPackage.python(SnsTest.FORWARD_EVENT),
                b -> b.environment(e -> e.variables(Map.of("SINK", sink))));
        String bus = Spur.uniqueName("bus");
        String busArn = events.createEventBus(b -> b.name(bus)).eventBusArn();
        assertThat(busArn).isEqualTo("arn:aws:events:us-east-1:" + ACCOUNT + ":event-bus/" + bus);
        String rule = Spur.uniqueName("fn-rule");
        events.putRule(b -> b.name(rule).eventBusName(bus).eventPattern("{\"source\":[\"my.app\"]}"));
        events.putTargets(b -> b.rule(rule)
                .eventBusName(bus)
                .targets(Target.builder()
                        .id("fn")
                        .arn("arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:" + function)
                        .build()));

        Instant time = Instant.parse("2026-03-01T12:30:45Z");
        PutEventsResponse put = events.putEvents(b -> b.entries(PutEventsRequestEntry.builder()
                .eventBusName(busArn)
                .source("my.app")
                .detailType("Thing Happened")
                .detail("{\"n\":1,\"s\":\"x\"}")
                .resources("arn:aws:s3:::bucket")
                .time(time)
                .build()));
        assertThat(put.failedEntryCount()).isZero();
        String eventId = put.entries().getFirst().eventId();

        JsonNode event = SqsSink.json(SqsSink.drain(sqs, sinkUrl, 1).getFirst().body());
        assertThat(event.path("version").asText()).isEqualTo("0");
        assertThat(event.path("id").asText()).isEqualTo(eventId);
        assertThat(event.path("detail-type").asText()).isEqualTo("Thing Happened");
        assertThat(event.path("source").asText()).isEqualTo("my.app");
        assertThat(event.path("account").asText()).isEqualTo(ACCOUNT);
        assertThat(event.path("time").asText()).isEqualTo("2026-03-01T12:30:45Z");
        assertThat(event.path("region").asText()).isEqualTo("us-east-1");
        assertThat(event.path("resources").get(0).asText()).isEqualTo("arn:aws:s3:::bucket");
        assertThat(event.path("detail").path("n").asInt()).isEqualTo(1);
        assertThat(event.path("detail").path("s").asText()).isEqualTo("x");
    }

    @Test
    void targetsTransformTheirInputAndPutEventsAnswersPerEntry() {
        String queue = Spur.uniqueName("eb-input");
        String url = sqs.createQueue(b -> b.queueName(queue)).queueUrl();
        String rule = Spur.uniqueName("inputs");
        events.putRule(b -> b.name(rule).eventPattern("{\"source\":[\"inputs\"]}"));
        events.putTargets(b -> b.rule(rule)
                .targets(
                        Target.builder()
                                .id("path")
                                .arn(SqsSink.queueArn(queue))
                                .inputPath("$.detail.order")
                                .build(),
                        Target.builder()
                                .id("fixed")
                                .arn(SqsSink.queueArn(queue))
                                .input("{\"fixed\":true}")
                                .build(),
                        Target.builder()
                                .id("template")
                                .arn(SqsSink.queueArn(queue))
                                .inputTransformer(
                                        t -> t.inputPathsMap(Map.of("id", "$.detail.order.id", "src", "$.source"))
                                                .inputTemplate("{\"order\":<id>,\"from\":\"<src>\"}"))
                                .build()));

        PutEventsResponse put = events.putEvents(b -> b.entries(
                PutEventsRequestEntry.builder()
                        .source("inputs")
                        .detailType("t")
                        .detail("{\"order\":{\"id\":7}}")
                        .build(),
                PutEventsRequestEntry.builder()
                        .source("inputs")
                        .detailType("t")
                        .detail("not json")
                        .build(),
                PutEventsRequestEntry.builder().detailType("t").detail("{}").build(),
                PutEventsRequestEntry.builder()
                        .source("inputs")
                        .detailType("t")
                        .detail("{}")
                        .eventBusName("no-such-bus")
                        .build()));
        assertThat(put.failedEntryCount()).isEqualTo(3);
        assertThat(put.entries().get(0).eventId()).isNotEmpty();
        assertThat(put.entries().get(1).errorCode()).isEqualTo("MalformedDetail");
        assertThat(put.entries().get(2).errorCode()).isEqualTo("InvalidArgument");
        assertThat(put.entries().get(3).errorCode()).isEqualTo("NotFoundException");

        assertThat(SqsSink.drain(sqs, url, 3))
                .extracting(m -> SqsSink.json(m.body()))
                .containsExactlyInAnyOrder(
                        SqsSink.json("{\"id\":7}"),
                        SqsSink.json("{\"fixed\":true}"),
                        SqsSink.json("{\"order\":7,\"from\":\"inputs\"}"));

        assertThat(events.testEventPattern(b -> b.eventPattern("{\"detail\":{\"n\":[{\"numeric\":[\">\",1]}]}}")
                                .event("{\"id\":\"1\",\"detail-type\":\"t\",\"source\":\"s\",\"account\":\"" + ACCOUNT
                                        + "\",\"time\":\"2026-01-01T00:00:00Z\",\"region\":\"us-east-1\","
                                        + "\"resources\":[],\"detail\":{\"n\":2}}"))
                        .result())
                .isTrue();
        assertThatThrownBy(
                        () -> events.putRule(b -> b.name(Spur.uniqueName("bad")).eventPattern("{\"source\":\"x\"}")))
                .isInstanceOf(InvalidEventPatternException.class);
        assertThatThrownBy(() -> events.describeRule(b -> b.name("no-such-rule")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() ->
                        events.putRule(b -> b.name(Spur.uniqueName("cron")).scheduleExpression("rate(1 minute)")))
                .hasMessageContaining("ScheduleExpression");
    }
}
