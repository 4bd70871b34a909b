package dev.spur.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SpurTest
class ListRemoveAndLogsTest {
    static Spur server;
    static final Cli spur = new Cli(() -> server);

    @TempDir
    Path work;

    @Test
    void lsFollowsEveryPageAndPrintsATable() throws Exception {
        Path fn = FunctionPackage.echo("echo").writeTo(work.resolve("fn"));
        for (String name : List.of("ls-a", "ls-b", "ls-c")) {
            assertThat(spur.deploy(fn, name, "--memory", "192").exit()).isZero();
        }

        Cli.Result listed = spur.spur("ls", "--page-size", "1");

        assertThat(listed.exit()).as(listed.err()).isZero();
        List<String> lines = listed.out().lines().toList();
        assertThat(lines.getFirst()).matches("NAME +RUNTIME +MEMORY +TIMEOUT +LAST MODIFIED");
        assertThat(lines)
                .anySatisfy(l -> assertThat(l)
                        .matches("ls-a +provided\\.al2023 +192 MB +3 s +"
                                + "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC"));
        assertThat(lines).anyMatch(l -> l.startsWith("ls-b ")).anyMatch(l -> l.startsWith("ls-c "));
    }

    @Test
    @SuppressWarnings("unchecked")
    void lsJsonPrintsTheFunctionConfigurations() throws Exception {
        spur.deploy(FunctionPackage.echo("echo").writeTo(work.resolve("fn")), "ls-json");

        Cli.Result listed = spur.spur("ls", "--json", "--page-size", "1");

        assertThat(listed.exit()).isZero();
        List<?> functions = (List<?>) SpurClient.parseObject(listed.out()).get("Functions");
        assertThat(functions)
                .anySatisfy(f -> assertThat((Map<Object, Object>) f)
                        .containsEntry("FunctionName", "ls-json")
                        .containsEntry("Runtime", "provided.al2023"));
    }

    @Test
    void rmDeletesEveryNameItCanAndExitsThreeForTheRest() throws Exception {
        spur.deploy(FunctionPackage.echo("echo").writeTo(work.resolve("fn")), "rm-me");

        Cli.Result removed = spur.spur("rm", "no-such-function", "rm-me");

        assertThat(removed.exit()).isEqualTo(3);
        assertThat(removed.out()).isEqualTo("deleted rm-me\n");
        assertThat(removed.err())
                .startsWith("spur: ResourceNotFoundException: ")
                .contains("no-such-function");
        assertThat(spur.spur("ls").out()).doesNotContain("rm-me");
        assertThat(spur.spur("invoke", "rm-me").exit()).isEqualTo(3);
    }

    @Test
    void logsShowStartEndAndReportLinesOfInvocations() throws Exception {
        spur.deploy(FunctionPackage.echo("echo").writeTo(work.resolve("fn")), "logged");
        spur.spur("invoke", "logged", "{\"n\":1}");

        Cli.Result logs = spur.spur("logs", "logged");

        assertThat(logs.exit()).as(logs.err()).isZero();
        assertThat(logs.out())
                .contains("START RequestId: ")
                .contains("event {\"n\":1}")
                .contains("END RequestId: ")
                .contains("REPORT RequestId: ");
    }

    @Test
    void logsFollowPrintsLinesOfLaterInvocationsUntilInterrupted() throws Exception {
        spur.deploy(FunctionPackage.echo("echo").writeTo(work.resolve("fn")), "followed");
        spur.spur("invoke", "followed", "{\"n\":1}");
        StringWriter out = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread follower = Thread.ofPlatform()
                .start(() -> exit.set(Main.run(
                        new PrintWriter(out, true),
                        new PrintWriter(new StringWriter(), true),
                        "logs",
                        "-f",
                        "--endpoint",
                        spur.endpoint(),
                        "followed")));

        awaitContains(out, "event {\"n\":1}");
        spur.spur("invoke", "followed", "{\"n\":2}");
        awaitContains(out, "event {\"n\":2}");
        follower.interrupt();
        follower.join(Duration.ofSeconds(10));

        assertThat(follower.isAlive()).isFalse();
        assertThat(exit.get()).isZero();
        assertThat(out.toString().split("event \\{\"n\":1}", -1))
                .as("each line once")
                .hasSize(2);
    }

    @Test
    void logsOfAMissingFunctionExitThree() {
        Cli.Result logs = spur.spur("logs", "never-deployed");

        assertThat(logs.exit()).isEqualTo(3);
        assertThat(logs.err()).startsWith("spur: ResourceNotFoundException: ");
    }

    private static void awaitContains(StringWriter out, String text) {
        Await.await(text + " in the followed log", Duration.ofSeconds(10), out::toString, o -> o.contains(text));
    }
}
