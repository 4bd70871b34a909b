package dev.spur.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code invoke --async}, {@code dlq} and {@code async} against a server that retries after 100 and 200 ms. */
@SpurTest(asyncRetryDelay = "PT0.1S")
class AsyncAndDeadLettersTest {
    static Spur server;
    static final Cli spur = new Cli(() -> server);

    @TempDir
    Path work;

    @Test
    void asyncInvokePrintsTheRequestIdAndTheFunctionRunsWithIt() throws Exception {
        spur.deploy(FunctionPackage.echo("echo").writeTo(work.resolve("fn")), "queued");

        Cli.Result invoked = spur.spur("invoke", "queued", "{\"n\":7}", "--async");

        assertThat(invoked.exit()).as(invoked.err()).isZero();
        String requestId = invoked.out().strip();
        assertThat(requestId).isNotBlank().doesNotContain("\n");
        Cli.Result logs = spur.await(r -> r.out().contains("REPORT RequestId: " + requestId), "logs", "queued");
        assertThat(logs.out()).contains("START RequestId: " + requestId).contains("event {\"n\":7}");
    }

    @Test
    void asyncInvokeOfAMissingFunctionExitsThree() {
        Cli.Result invoked = spur.spur("invoke", "never-deployed", "--async");

        assertThat(invoked.exit()).isEqualTo(3);
        assertThat(invoked.out()).isEmpty();
        assertThat(invoked.err()).startsWith("spur: ResourceNotFoundException: ");
    }

    @Test
    void asyncInvokeRefusesLogOptionsAsAUsageError() {
        Cli.Result invoked = spur.spur("invoke", "anything", "--async", "-v");

        assertThat(invoked.exit()).isEqualTo(2);
        assertThat(invoked.err()).startsWith("spur: --async returns before the function runs");
    }

    @Test
    void failedEventBecomesADeadLetterThatReplaysOnceTheFunctionIsFixed() throws Exception {
        spur.deploy(FunctionPackage.failing().writeTo(work.resolve("failing")), "flaky");
        String requestId =
                spur.spur("invoke", "flaky", "{\"order\":42}", "--async").out().strip();

        Cli.Result listed = spur.await(r -> r.out().lines().count() == 2, "dlq ls", "--function", "flaky");

        // Attempts counts runs: the first and two retries.
        List<String> lines = listed.out().lines().toList();
        assertThat(lines.getFirst()).matches("ID +FUNCTION +CONDITION +ATTEMPTS +FAILED AT +ERROR");
        assertThat(lines.get(1))
                .matches(requestId
                        + " +flaky +RetriesExhausted +3 +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC +.*boom");
        Cli.Result shown = spur.spur("dlq show", requestId);
        assertThat(shown.exit()).as(shown.err()).isZero();
        Map<String, Object> letter = SpurClient.parseObject(shown.out());
        assertThat(letter)
                .containsEntry("Id", requestId)
                .containsEntry("Attempts", 3)
                .containsEntry("Payload", Map.of("order", 42))
                .containsEntry("ErrorMessage", "boom");
        assertThat((String) letter.get("FunctionArn")).endsWith(":function:flaky");
        assertThat(shown.out()).contains("\"Attempts\": 3"); // indented like the AWS CLI

        spur.deploy(FunctionPackage.echo("fixed").writeTo(work.resolve("fixed")), "flaky");
        long succeeded = succeeded();
        Cli.Result replayed = spur.spur("dlq replay", requestId);

        assertThat(replayed.exit()).as(replayed.err()).isZero();
        assertThat(replayed.out()).isEqualTo("replayed " + requestId + "\n");
        spur.await(r -> r.out().contains("REPORT RequestId: " + requestId), "logs", "flaky");
        spur.await(r -> succeeded() == succeeded + 1, "async");
        assertThat(spur.spur("dlq ls", "--function", "flaky").out().lines()).hasSize(1);
        assertThat(spur.spur("dlq show", requestId).exit()).isEqualTo(3);
    }

    private static long succeeded() {
        return ((Number) SpurClient.parseObject(spur.spur("async", "--json").out())
                        .get("succeeded"))
                .longValue();
    }

    @Test
    void replayGoesOnPastAnUnknownIdAndExitsThree() throws Exception {
        Cli.Result replayed = spur.spur("dlq replay", "no-such-letter");

        assertThat(replayed.exit()).isEqualTo(3);
        assertThat(replayed.err()).isEqualTo("spur: ResourceNotFoundException: No dead letter no-such-letter\n");
        assertThat(spur.spur("dlq show", "no-such-letter").exit()).isEqualTo(3);
    }

    @Test
    void lsStopsAtTheLimitAndSaysThereAreMoreThenPurgeEmptiesOneFunction() throws Exception {
        spur.deploy(FunctionPackage.failing().writeTo(work.resolve("failing")), "doomed");
        spur.putMaximumRetryAttempts("doomed", 0);
        for (int i = 0; i < 3; i++) {
            assertThat(spur.spur("invoke", "doomed", "{\"i\":" + i + "}", "--async")
                            .exit())
                    .isZero();
        }
        spur.await(r -> r.out().lines().count() == 4, "dlq ls", "--function", "doomed");

        Cli.Result limited = spur.spur("dlq ls", "--function", "doomed", "--limit", "2");

        assertThat(limited.exit()).isZero();
        assertThat(limited.out().lines())
                .hasSize(3)
                .allSatisfy(l -> assertThat(l).matches("ID .*|\\S+ +doomed +RetriesExhausted +1 .*"));
        assertThat(limited.err()).isEqualTo("spur: more dead letters than --limit 2 shows\n");

        Cli.Result purged = spur.spur("dlq purge", "--function", "doomed");

        assertThat(purged.out()).isEqualTo("purged 3 dead letters\n");
        assertThat(spur.spur("dlq ls", "--function", "doomed").out().lines()).hasSize(1);
    }

    @Test
    void asyncShowsQueueStateAndCountsSinceStart() throws Exception {
        spur.deploy(FunctionPackage.failing().writeTo(work.resolve("failing")), "counted");
        spur.spur("invoke", "counted", "--async");
        spur.await(r -> r.out().lines().count() == 2, "dlq ls", "--function", "counted");

        Cli.Result stats = spur.spur("async");

        assertThat(stats.exit()).as(stats.err()).isZero();
        assertThat(stats.out())
                .containsPattern("(?m)^queued events +\\d+ \\(\\d+ running, \\d+ waiting to retry\\)$")
                .containsPattern("(?m)^oldest event age +(-|\\d+ ms|[\\d.]+ s)$")
                .containsPattern("(?m)^dead letters stored +[1-9]\\d*$")
                .contains("since the server started:")
                .containsPattern("(?m)^retried +[2-9]\\d*$")
                .containsPattern("(?m)^function errors +[3-9]\\d*$")
                .containsPattern("(?m)^dead-lettered +[1-9]\\d*$")
                .containsPattern("(?m)^expired by age +\\d+$");
        Map<String, Object> json =
                SpurClient.parseObject(spur.spur("async", "--json").out());
        assertThat(json).containsKeys("depth", "deadLetters", "expiredByAge", "throttled");
    }
}
