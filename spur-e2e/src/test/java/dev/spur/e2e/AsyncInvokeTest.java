package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.FunctionKey;
import dev.spur.common.Json;
import dev.spur.queue.QueuedEvent;
import dev.spur.testing.Await;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * Asynchronous invocation end to end: Event invokes are accepted with 202, run later with the
 * request id the caller was given, retried after function errors, backed off while throttled, given
 * up past their maximum age, and end in a destination or Spur's dead-letter store. The server uses
 * {@code AsyncPolicy.quick(200 ms)}: retries after 200 then 400 ms, throttle backoff from 200 ms.
 */
@SpurTest
class AsyncInvokeTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static Spur spur;

    private static InvokeResponse event(String function, String payload) {
        return spur.lambda()
                .invoke(b -> b.functionName(function)
                        .invocationType(InvocationType.EVENT)
                        .payload(SdkBytes.fromUtf8String(payload)));
    }

    private static JsonNode stats() {
        Spur.Answer a = spur.spurApi("GET", "/spur/v1/async", null);
        assertThat(a.status()).isEqualTo(200);
        return a.body();
    }

    private static JsonNode awaitStats(String what, Predicate<JsonNode> done) {
        return Await.await(what, WAIT, AsyncInvokeTest::stats, done);
    }

    /** Waits until no event is queued or running: from then on nothing more runs. */
    private static void awaitQuiet() {
        awaitStats("an empty queue", s -> s.get("depth").asLong() == 0);
    }

    private static JsonNode deadLetters(String function) {
        Spur.Answer a = spur.spurApi("GET", "/spur/v1/dead-letters?function=" + function, null);
        assertThat(a.status()).isEqualTo(200);
        return a.body().get("DeadLetters");
    }

    private static JsonNode awaitDeadLetter(String function) {
        JsonNode letters =
                Await.await("a dead letter of " + function, WAIT, () -> deadLetters(function), l -> !l.isEmpty());
        assertThat(letters).hasSize(1);
        return letters.get(0);
    }

    private static void putConfig(String function, int retries) {
        spur.lambda().putFunctionEventInvokeConfig(b -> b.functionName(function).maximumRetryAttempts(retries));
    }

    @Test
    void eventInvokeIsAcceptedWith202AndRunsOnceWithTheRequestIdItWasGiven() throws Exception {
        Recorder fn = Recorder.deploy(spur, "ev", "");
        InvokeResponse r = event(fn.name, "{\"order\":42}");
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.payload().asByteArray()).isEmpty();
        String requestId = r.responseMetadata().requestId();
        assertThat(requestId).matches("[0-9a-f-]{36}");

        Recorder.Call call = fn.awaitCalls(requestId, 1, WAIT).getFirst();
        assertThat(call.event()).isEqualTo(Json.MAPPER.readTree("{\"order\":42}"));
        awaitQuiet();
        assertThat(fn.calls()).extracting(Recorder.Call::requestId).containsExactly(requestId);
        assertThat(stats().get("succeeded").asLong()).isPositive();
    }

    @Test
    void anEventOver1MbIs413AndAnUnknownFunctionIs404AtInvokeTime() {
        Recorder fn = Recorder.deploy(spur, "big", "");
        String exactly1Mb = "\"" + "x".repeat(1024 * 1024 - 2) + "\"";
        assertThat(event(fn.name, exactly1Mb).statusCode()).isEqualTo(202);
        assertThatThrownBy(() -> event(fn.name, exactly1Mb + " ")).isInstanceOfSatisfying(LambdaException.class, e -> {
            // AWS's wire type, which the SDK's model does not name: a plain LambdaException
            assertThat(e.statusCode()).isEqualTo(413);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("RequestEntityTooLargeException");
        });
        assertThatThrownBy(() -> event(Spur.uniqueName("nobody"), "{}"))
                .isInstanceOfSatisfying(
                        ResourceNotFoundException.class,
                        e -> assertThat(e.statusCode()).isEqualTo(404));
        awaitQuiet();
        assertThat(fn.calls()).hasSize(1);
    }

    @Test
    void aFunctionErrorIsRetriedTwiceWithTheSameRequestIdThenDeadLetteredAndCanBeReplayed() throws Exception {
        Recorder fn = Recorder.deploy(spur, "retry", "boom on purpose");
        putConfig(fn.name, 2);
        long retriedBefore = stats().get("retried").asLong();
        String id = event(fn.name, "{\"n\":1}").responseMetadata().requestId();

        JsonNode letter = awaitDeadLetter(fn.name);
        List<Recorder.Call> calls = fn.calls(id);
        assertThat(calls).hasSize(3);
        assertThat(Duration.between(calls.get(0).at(), calls.get(1).at()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(Duration.between(calls.get(1).at(), calls.get(2).at()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(stats().get("retried").asLong()).isGreaterThanOrEqualTo(retriedBefore + 2);

        assertThat(letter.get("Id").asText()).isEqualTo(id);
        assertThat(letter.get("FunctionArn").asText()).isEqualTo(fn.arn);
        assertThat(letter.get("Condition").asText()).isEqualTo("RetriesExhausted");
        assertThat(letter.get("ErrorType").asText()).isEqualTo("ValueError");
        assertThat(letter.get("ErrorMessage").asText()).isEqualTo("boom on purpose");
        assertThat(letter.get("Attempts").asInt()).isEqualTo(3);
        assertThat(letter.get("Payload")).isEqualTo(Json.MAPPER.readTree("{\"n\":1}"));
        assertThat(letter.get("Origin").asText()).isEqualTo("invoke");
        Spur.Answer one = spur.spurApi("GET", "/spur/v1/dead-letters/" + id, null);
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.body()).isEqualTo(letter);
        awaitQuiet();
        assertThat(fn.calls(id)).hasSize(3); // dead-lettered events do not run again by themselves

        // Fixed, then replayed: the same request id runs once more, succeeds and leaves the store for good.
        spur.lambda()
                .updateFunctionConfiguration(b -> b.functionName(fn.name)
                        .environment(e -> e.variables(Map.of(
                                "RECORD_FILE",
                                spur.dataDir()
                                        .resolve("record-" + fn.name + ".jsonl")
                                        .toString()))));
        Spur.Answer replay = spur.spurApi("POST", "/spur/v1/dead-letters/" + id + "/replay", null);
        assertThat(replay.status()).isEqualTo(202);
        fn.awaitCalls(id, 4, WAIT);
        awaitQuiet();
        assertThat(fn.calls(id)).hasSize(4);
        assertThat(deadLetters(fn.name)).isEmpty();
        assertThat(spur.spurApi("GET", "/spur/v1/dead-letters/" + id, null).status())
                .isEqualTo(404);
        assertThat(spur.spurApi("POST", "/spur/v1/dead-letters/" + id + "/replay", null)
                        .status())
                .isEqualTo(404);
    }

    @Test
    void withMaximumRetryAttemptsZeroAFailingEventRunsOnceThenIsDeadLetteredAndPurged() {
        Recorder fn = Recorder.deploy(spur, "once", "no retries");
        putConfig(fn.name, 0);
        String first = event(fn.name, "{\"n\":1}").responseMetadata().requestId();
        JsonNode letter = awaitDeadLetter(fn.name);
        assertThat(letter.get("Id").asText()).isEqualTo(first);
        assertThat(letter.get("Attempts").asInt()).isEqualTo(1);
        awaitQuiet();
        assertThat(fn.calls(first)).hasSize(1);

        String second = event(fn.name, "{\"n\":2}").responseMetadata().requestId();
        awaitStats("a second dead letter", s -> deadLetters(fn.name).size() == 2);
        assertThat(fn.calls(second)).hasSize(1);
        Spur.Answer purge = spur.spurApi("DELETE", "/spur/v1/dead-letters?function=" + fn.name, null);
        assertThat(purge.status()).isEqualTo(200);
        assertThat(purge.body().get("Purged").asInt()).isEqualTo(2);
        assertThat(deadLetters(fn.name)).isEmpty();
    }

    @Test
    void destinationsReceiveLambdasInvocationRecord() throws Exception {
        Recorder destination = Recorder.deploy(spur, "dest", "");
        Recorder good = Recorder.deploy(spur, "good", "");
        Recorder bad = Recorder.deploy(spur, "bad", "it broke");
        spur.lambda()
                .putFunctionEventInvokeConfig(b -> b.functionName(good.name)
                        .destinationConfig(d -> d.onSuccess(s -> s.destination(destination.arn))));
        spur.lambda()
                .putFunctionEventInvokeConfig(b -> b.functionName(bad.name)
                        .maximumRetryAttempts(1)
                        .destinationConfig(d -> d.onFailure(s -> s.destination(destination.arn))));
        Instant before = Instant.now();
        String goodId = event(good.name, "{\"order\":1}").responseMetadata().requestId();
        String badId = event(bad.name, "{\"order\":2}").responseMetadata().requestId();

        List<Recorder.Call> records = destination.await(WAIT, "two invocation records", c -> c.size() == 2);
        awaitQuiet();
        assertThat(destination.calls()).hasSize(2);
        assertThat(deadLetters(bad.name)).isEmpty();
        assertThat(records).extracting(Recorder.Call::requestId).doesNotContain(goodId, badId);
        JsonNode success = record(records, goodId);
        JsonNode failure = record(records, badId);

        assertThat(fieldNames(success))
                .containsExactly(
                        "version",
                        "timestamp",
                        "requestContext",
                        "requestPayload",
                        "responseContext",
                        "responsePayload");
        assertThat(success.get("version").asText()).isEqualTo("1.0");
        assertThat(success.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(Instant.parse(success.get("timestamp").asText())).isBetween(before.minusSeconds(1), Instant.now());
        assertThat(success.get("requestContext")).isEqualTo(Json.MAPPER.readTree("""
                {"requestId":"%s","functionArn":"%s:$LATEST","condition":"Success","approximateInvokeCount":1}""".formatted(goodId, good.arn)));
        assertThat(success.get("requestPayload")).isEqualTo(Json.MAPPER.readTree("{\"order\":1}"));
        assertThat(success.get("responseContext")).isEqualTo(Json.MAPPER.readTree("""
                {"statusCode":200,"executedVersion":"$LATEST"}"""));
        assertThat(success.get("responsePayload")).isEqualTo(Json.MAPPER.readTree("{\"seen\":{\"order\":1}}"));

        assertThat(failure.get("version").asText()).isEqualTo("1.0");
        assertThat(failure.get("requestContext")).isEqualTo(Json.MAPPER.readTree("""
                {"requestId":"%s","functionArn":"%s:$LATEST","condition":"RetriesExhausted","approximateInvokeCount":2}""".formatted(badId, bad.arn)));
        assertThat(failure.get("requestPayload")).isEqualTo(Json.MAPPER.readTree("{\"order\":2}"));
        assertThat(failure.get("responseContext")).isEqualTo(Json.MAPPER.readTree("""
                {"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"}"""));
        assertThat(failure.get("responsePayload").get("errorType").asText()).isEqualTo("ValueError");
        assertThat(failure.get("responsePayload").get("errorMessage").asText()).isEqualTo("it broke");
        assertThat(bad.calls(badId)).hasSize(2);
        assertThat(good.calls(goodId)).hasSize(1);
    }

    private static JsonNode record(List<Recorder.Call> records, String sourceRequestId) {
        return records.stream()
                .map(Recorder.Call::event)
                .filter(e -> e.path("requestContext").path("requestId").asText().equals(sourceRequestId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no record for " + sourceRequestId + " in " + records));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void aDestinationThatIsNotALambdaFunctionIsRejectedAtPut() {
        Recorder fn = Recorder.deploy(spur, "sqs", "");
        assertThatThrownBy(() -> spur.lambda()
                        .putFunctionEventInvokeConfig(b -> b.functionName(fn.name)
                                .destinationConfig(d ->
                                        d.onFailure(s -> s.destination("arn:aws:sqs:us-east-1:000000000000:dlq")))))
                .isInstanceOfSatisfying(InvalidParameterValueException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("arn:aws:sqs:us-east-1:000000000000:dlq");
                });
        assertThatThrownBy(() -> spur.lambda().getFunctionEventInvokeConfig(b -> b.functionName(fn.name)))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void throttledEventsBackOffWithoutRunningAndAllRunOnceTheReservationIsLifted() {
        Recorder fn = Recorder.deploy(spur, "thr", "");
        spur.lambda().putFunctionConcurrency(b -> b.functionName(fn.name).reservedConcurrentExecutions(0));
        long throttledBefore = stats().get("throttled").asLong();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            ids.add(event(fn.name, "{\"n\":" + n + "}").responseMetadata().requestId());
        }
        // Each event is throttled at least twice (backoff 200, 400 ms…): the count keeps rising.
        JsonNode s = awaitStats("six throttles", x -> x.get("throttled").asLong() >= throttledBefore + 6);
        assertThat(s.get("depth").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(fn.calls()).isEmpty();
        assertThat(deadLetters(fn.name)).isEmpty();

        spur.lambda().deleteFunctionConcurrency(b -> b.functionName(fn.name));
        fn.await(WAIT, "all three events", c -> c.size() >= 3);
        awaitQuiet();
        assertThat(fn.calls()).extracting(Recorder.Call::requestId).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(deadLetters(fn.name)).isEmpty();
    }

    /**
     * Maximum event age without waiting a minute: the event is put in the server's own queue as if it
     * had been accepted 59.5 s ago (the smallest maximum age is 60 s). The function is throttled, so
     * the dispatcher backs off until the age is reached and gives the event up as EventAgeExceeded
     * without ever running it.
     */
    @Test
    void aThrottledEventIsGivenUpWhenItReachesItsMaximumAge() throws Exception {
        Recorder fn = Recorder.deploy(spur, "age", "");
        Recorder destination = Recorder.deploy(spur, "agedest", "");
        spur.lambda().putFunctionConcurrency(b -> b.functionName(fn.name).reservedConcurrentExecutions(0));
        spur.lambda()
                .putFunctionEventInvokeConfig(b -> b.functionName(fn.name)
                        .maximumEventAgeInSeconds(60)
                        .destinationConfig(d -> d.onFailure(f -> f.destination(destination.arn))));
        long expiredBefore = stats().get("expiredByAge").asLong();
        long throttledBefore = stats().get("throttled").asLong();
        String id = UUID.randomUUID().toString();
        Instant accepted = Instant.now().minusMillis(59_500);
        spur.server()
                .queue()
                .enqueue(new QueuedEvent(
                        id,
                        new FunctionKey("000000000000", "us-east-1", fn.name),
                        "",
                        "{\"old\":true}".getBytes(StandardCharsets.UTF_8),
                        accepted,
                        0,
                        accepted,
                        "invoke"));

        JsonNode record = destination
                .await(WAIT, "an EventAgeExceeded record", c -> c.size() == 1)
                .getFirst()
                .event();
        awaitQuiet();
        assertThat(fn.calls()).isEmpty();
        JsonNode s = stats();
        assertThat(s.get("expiredByAge").asLong()).isEqualTo(expiredBefore + 1);
        assertThat(s.get("throttled").asLong()).isGreaterThan(throttledBefore);
        assertThat(record.get("requestContext")).isEqualTo(Json.MAPPER.readTree("""
                {"requestId":"%s","functionArn":"%s:$LATEST","condition":"EventAgeExceeded","approximateInvokeCount":0}""".formatted(id, fn.arn)));
        assertThat(record.get("requestPayload")).isEqualTo(Json.MAPPER.readTree("{\"old\":true}"));
        assertThat(record.has("responseContext")).isFalse();
        assertThat(record.has("responsePayload")).isFalse();
    }

    @Test
    void eventInvokeConfigLifecycle() {
        Recorder fn = Recorder.deploy(spur, "cfg", "");
        Recorder destination = Recorder.deploy(spur, "cfgdest", "");
        String latestArn = fn.arn + ":$LATEST";
        var put = spur.lambda()
                .putFunctionEventInvokeConfig(
                        b -> b.functionName(fn.name).maximumRetryAttempts(1).maximumEventAgeInSeconds(120));
        assertThat(put.functionArn()).isEqualTo(latestArn);
        assertThat(put.maximumRetryAttempts()).isEqualTo(1);
        assertThat(put.maximumEventAgeInSeconds()).isEqualTo(120);
        assertThat(put.lastModified()).isNotNull();

        var merged = spur.lambda()
                .updateFunctionEventInvokeConfig(b -> b.functionName(fn.name)
                        .maximumEventAgeInSeconds(300)
                        .destinationConfig(d -> d.onSuccess(s -> s.destination(destination.arn))));
        assertThat(merged.maximumRetryAttempts()).isEqualTo(1); // kept
        assertThat(merged.maximumEventAgeInSeconds()).isEqualTo(300);
        assertThat(merged.destinationConfig().onSuccess().destination()).isEqualTo(destination.arn);
        var got = spur.lambda().getFunctionEventInvokeConfig(b -> b.functionName(fn.name));
        assertThat(got.maximumRetryAttempts()).isEqualTo(1);
        assertThat(got.maximumEventAgeInSeconds()).isEqualTo(300);
        assertThat(got.destinationConfig().onSuccess().destination()).isEqualTo(destination.arn);
        assertThat(got.destinationConfig().onFailure().destination()).isNull();

        // Put replaces the whole configuration: what it leaves out goes back to the defaults.
        var replaced = spur.lambda()
                .putFunctionEventInvokeConfig(b -> b.functionName(fn.name).maximumRetryAttempts(0));
        assertThat(replaced.maximumEventAgeInSeconds()).isEqualTo(21_600);
        assertThat(replaced.destinationConfig().onSuccess().destination()).isNull();

        spur.lambda().publishVersion(b -> b.functionName(fn.name));
        spur.lambda()
                .putFunctionEventInvokeConfig(
                        b -> b.functionName(fn.name).qualifier("1").maximumRetryAttempts(2));
        assertThat(spur.lambda()
                        .listFunctionEventInvokeConfigs(b -> b.functionName(fn.name))
                        .functionEventInvokeConfigs())
                .extracting(c -> c.functionArn())
                .containsExactlyInAnyOrder(latestArn, fn.arn + ":1");
        assertThatThrownBy(() -> spur.lambda()
                        .putFunctionEventInvokeConfig(
                                b -> b.functionName(fn.name).qualifier("9").maximumRetryAttempts(0)))
                .isInstanceOf(ResourceNotFoundException.class);

        for (int bad : new int[] {-1, 3}) {
            assertThatThrownBy(() -> putConfig(fn.name, bad))
                    .isInstanceOfSatisfying(
                            InvalidParameterValueException.class,
                            e -> assertThat(e.getMessage()).contains("maximumRetryAttempts"));
        }
        for (int bad : new int[] {59, 21_601}) {
            assertThatThrownBy(() -> spur.lambda()
                            .putFunctionEventInvokeConfig(
                                    b -> b.functionName(fn.name).maximumEventAgeInSeconds(bad)))
                    .isInstanceOfSatisfying(
                            InvalidParameterValueException.class,
                            e -> assertThat(e.getMessage()).contains("maximumEventAgeInSeconds"));
        }
        for (int good : new int[] {60, 21_600}) {
            assertThat(spur.lambda()
                            .putFunctionEventInvokeConfig(
                                    b -> b.functionName(fn.name).maximumEventAgeInSeconds(good))
                            .maximumEventAgeInSeconds())
                    .isEqualTo(good);
        }
        assertThat(spur.lambda()
                        .getFunctionEventInvokeConfig(b -> b.functionName(fn.name))
                        .maximumEventAgeInSeconds())
                .isEqualTo(21_600); // the rejected puts changed nothing

        spur.lambda().deleteFunctionEventInvokeConfig(b -> b.functionName(fn.name));
        assertThatThrownBy(() -> spur.lambda().getFunctionEventInvokeConfig(b -> b.functionName(fn.name)))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> spur.lambda().deleteFunctionEventInvokeConfig(b -> b.functionName(fn.name)))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThat(spur.lambda()
                        .listFunctionEventInvokeConfigs(b -> b.functionName(fn.name))
                        .functionEventInvokeConfigs())
                .extracting(c -> c.functionArn())
                .containsExactly(fn.arn + ":1");
    }
}
