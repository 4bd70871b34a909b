package dev.spur.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spur queue} and {@code spur mapping} against a real server. */
@SpurTest
class QueueAndMappingCommandsTest {
    static Spur server;
    static final Cli spur = new Cli(() -> server);

    @TempDir
    Path work;

    @Test
    void createSendReceiveListAndRemoveAQueue() {
        String name = Spur.uniqueName("cliq");
        Cli.Result created = spur.spur("queue create", name, "--attribute", "VisibilityTimeout=45");
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out().strip()).isEqualTo(server.endpoint() + "/000000000000/" + name);

        assertThat(spur.spur("queue send", name, "hello queue").exit()).isZero();
        List<String> rows =
                spur.spur("queue ls", "--prefix", name).out().lines().toList();
        assertThat(rows.getFirst()).matches("NAME +VISIBLE +IN FLIGHT +DELAYED +URL");
        assertThat(rows.get(1)).matches(name + " +1 +0 +0 +http.*");

        Cli.Result received = spur.spur("queue receive", name, "--wait", "1");
        assertThat(received.out()).contains("\"Body\": \"hello queue\"");
        assertThat(spur.spur("queue ls", "--prefix", name)
                        .out()
                        .lines()
                        .toList()
                        .get(1))
                .as("received messages are deleted")
                .matches(name + " +0 +0 +0 +http.*");

        Cli.Result missing = spur.spur("queue send", name + "-nope", "x");
        assertThat(missing.exit()).isEqualTo(3);
        assertThat(missing.err()).contains("AWS.SimpleQueueService.NonExistentQueue");
        assertThat(spur.spur("queue rm", name).out()).contains("deleted " + name);
    }

    @Test
    void createListAndRemoveAMapping() throws Exception {
        String queue = Spur.uniqueName("mq");
        spur.spur("queue create", queue);
        String function = server.deploy("mfn", FunctionPackage.echo("echo"));
        Cli.Result created = spur.spur(
                "mapping create", "--queue", queue, "--function", function, "--batch-size", "5", "--report-failures");
        assertThat(created.exit()).as(created.err()).isZero();
        String uuid = created.out().strip();
        assertThat(spur.spur("mapping ls", "--function", function).out())
                .contains(uuid)
                .contains("Enabled")
                .contains("arn:aws:sqs:us-east-1:000000000000:" + queue);
        assertThat(spur.spur("mapping rm", uuid).out()).contains("deleted " + uuid);
        assertThat(spur.spur("mapping ls", "--function", function).out()).doesNotContain(uuid);
    }
}
