package dev.spur.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SpurTest
class ScheduleCommandTest {
    static Spur server;
    static final Cli spur = new Cli(() -> server);

    @TempDir
    Path work;

    @Test
    @SuppressWarnings("unchecked")
    void createListShowUpdateDisableEnableAndRemoveRoundTrip() throws Exception {
        spur.deploy(FunctionPackage.echo("echo").writeTo(work.resolve("fn")), "nightly-job");

        Cli.Result created = spur.spur(
                "schedule create",
                "nightly",
                "--expression",
                "cron(0 3 * * ? *)",
                "--function",
                "nightly-job",
                "--timezone",
                "Europe/Berlin",
                "--input",
                "{\"k\":1}",
                "--description",
                "every night");

        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).matches("created nightly; next fire \\d{4}-\\d\\d-\\d\\d 0[12]:00:00 UTC\n");
        List<String> rows = spur.spur("schedule ls").out().lines().toList();
        assertThat(rows.getFirst()).matches("NAME +STATE +EXPRESSION +TIMEZONE +FUNCTION +NEXT FIRE");
        assertThat(rows)
                .anySatisfy(
                        r -> assertThat(r)
                                .matches(
                                        "nightly +ENABLED +cron\\(0 3 \\* \\* \\? \\*\\) +Europe/Berlin +nightly-job +\\d{4}-.* UTC"));
        Map<String, Object> shown =
                SpurClient.parseObject(spur.spur("schedule show", "nightly").out());
        assertThat(shown)
                .containsEntry("State", "ENABLED")
                .containsEntry("MissedFires", "RUN_ONCE")
                .containsEntry("Description", "every night")
                .containsKey("NextFireTime");
        assertThat((Map<String, Object>) shown.get("Target"))
                .containsEntry("Input", "{\"k\":1}")
                .hasEntrySatisfying("Arn", arn -> assertThat((String) arn).endsWith(":function:nightly-job"));

        Cli.Result updated = spur.spur("schedule update", "nightly", "--expression", "rate(1 hour)", "--skip-missed");

        assertThat(updated.exit()).as(updated.err()).isZero();
        Map<String, Object> after =
                SpurClient.parseObject(spur.spur("schedule show", "nightly").out());
        assertThat(after)
                .containsEntry("ScheduleExpression", "rate(1 hour)")
                .containsEntry("MissedFires", "SKIP")
                .containsEntry("ScheduleExpressionTimezone", "Europe/Berlin")
                .containsEntry("Description", "every night");

        assertThat(spur.spur("schedule disable", "nightly").out()).isEqualTo("disabled nightly\n");
        Map<String, Object> disabled =
                SpurClient.parseObject(spur.spur("schedule show", "nightly").out());
        assertThat(disabled).containsEntry("State", "DISABLED").doesNotContainKey("NextFireTime");
        assertThat(spur.spur("schedule ls").out()).containsPattern("(?m)^nightly +DISABLED .* -$");
        assertThat(spur.spur("schedule enable", "nightly").out()).startsWith("enabled nightly; next fire ");

        Cli.Result removed = spur.spur("schedule rm", "nightly", "nightly");

        assertThat(removed.exit()).isEqualTo(3);
        assertThat(removed.out()).isEqualTo("deleted nightly\n");
        assertThat(removed.err()).isEqualTo("spur: ResourceNotFoundException: Schedule not found: nightly\n");
        assertThat(spur.spur("schedule show", "nightly").exit()).isEqualTo(3);
    }

    @Test
    void aScheduleFiresItsInputAtItsTime() throws Exception {
        spur.deploy(FunctionPackage.echo("echo").writeTo(work.resolve("fn")), "soon-job");
        String at = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
                .withZone(ZoneOffset.UTC)
                .format(Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS));

        Cli.Result created = spur.spur(
                "schedule create",
                "soon",
                "--expression",
                "at(" + at + ")",
                "--function",
                "soon-job",
                "--input",
                "{\"tick\":true}");

        assertThat(created.exit()).as(created.err()).isZero();
        spur.await(r -> r.out().contains("event {\"tick\":true}"), "logs", "soon-job");
    }

    @Test
    void createdDisabledItHasNoNextFire() throws Exception {
        spur.deploy(FunctionPackage.echo("echo").writeTo(work.resolve("fn")), "idle-job");

        Cli.Result created = spur.spur(
                "schedule create", "idle", "--expression", "rate(5 minutes)", "--function", "idle-job", "--disabled");

        assertThat(created.out()).isEqualTo("created idle; disabled\n");
    }

    @Test
    void aBadExpressionExitsThreeWithTheServersMessage() throws Exception {
        spur.deploy(FunctionPackage.echo("echo").writeTo(work.resolve("fn")), "bad-job");

        Cli.Result created = spur.spur("schedule create", "bad", "--expression", "cron(nope)", "--function", "bad-job");

        assertThat(created.exit()).isEqualTo(3);
        assertThat(created.out()).isEmpty();
        assertThat(created.err())
                .startsWith("spur: InvalidParameterValueException: Invalid ScheduleExpression " + "cron(nope): ");
        assertThat(spur.spur("schedule show", "bad").exit()).isEqualTo(3);
    }

    @Test
    void aMissingTargetFunctionExitsThree() {
        Cli.Result created =
                spur.spur("schedule create", "orphan", "--expression", "rate(1 hour)", "--function", "never-deployed");

        assertThat(created.exit()).isEqualTo(3);
        assertThat(created.err()).startsWith("spur: ResourceNotFoundException: ");
    }

    @Test
    void createWithoutExpressionAndUpdateWithoutChangesAreUsageErrors() {
        Cli.Result create = spur.spur("schedule create", "x", "--function", "f");
        Cli.Result update = spur.spur("schedule update", "x");

        assertThat(create.exit()).isEqualTo(2);
        assertThat(create.err()).isEqualTo("spur: schedule create needs --expression and --function\n");
        assertThat(update.exit()).isEqualTo(2);
        assertThat(update.err()).startsWith("spur: nothing to change");
    }
}
