package dev.spur.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.lang.reflect.Field;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@SpurTest
class FailureExitCodesTest {
    static Spur server;
    static final Cli spur = new Cli(() -> server);

    @TempDir
    Path work;

    @Test
    void invokingAMissingFunctionExitsThreeWithResourceNotFound() {
        Cli.Result result = spur.spur("invoke", "missing");

        assertThat(result.exit()).isEqualTo(3);
        assertThat(result.out()).isEmpty();
        assertThat(result.err())
                .isEqualTo("spur: ResourceNotFoundException: Function not found: "
                        + "arn:aws:lambda:us-east-1:000000000000:function:missing\n");
    }

    @Test
    void serverRejectionOfAPayloadExitsThreeWithItsErrorType() {
        spur.deploy(FunctionPackage.echo("echo").writeTo(work.resolve("fn")), "echo");

        Cli.Result result = spur.spur("invoke", "echo", "{not json");

        assertThat(result.exit()).isEqualTo(3);
        assertThat(result.err())
                .startsWith("spur: InvalidRequestContentException: ")
                .doesNotContain("\tat ");
    }

    @Test
    void unreachableEndpointExitsFourAndSaysHowToStartSpur() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + port;

        Cli.Result result = Cli.run("ls", "--endpoint", endpoint);

        assertThat(result.exit()).isEqualTo(4);
        assertThat(result.err())
                .isEqualTo("spur: cannot reach Spur at " + endpoint
                        + ": Connection refused. Is `./spur server` running?\n");
    }

    @Test
    void serverRefusesToStartWithoutTheLinuxSandboxUnlessProcessIsChosenExplicitly() {
        Cli.Result result = Cli.run(
                "server",
                "--port",
                "0",
                "--data-dir",
                work.resolve("data").toString(),
                "--bwrap",
                work.resolve("no-bwrap-here").toString());

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err())
                .startsWith("spur: refusing to start: the linux sandbox cannot run here: bwrap is not "
                        + "installed (no " + work.resolve("no-bwrap-here") + "; apt-get install bubblewrap).")
                .contains("start with --sandbox process");
        assertThat(work.resolve("data")).doesNotExist(); // refused before anything was created
    }

    @Test
    void missingRequiredOptionIsAUsageError() {
        Cli.Result result = Cli.run("deploy", work.toString(), "--name", "x");

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("Missing required options").contains("--runtime");
    }

    @Test
    void deployRefusesSymbolicLinksBeforeContactingSpur() throws Exception {
        Path fn = FunctionPackage.echo("echo").writeTo(work.resolve("fn"));
        Files.createSymbolicLink(fn.resolve("link"), fn.resolve("bootstrap"));

        Cli.Result result = Cli.run(
                "deploy",
                fn.toString(),
                "--name",
                "x",
                "--runtime",
                "provided.al2023",
                "--handler",
                "h",
                "--endpoint",
                "http://127.0.0.1:1");

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).startsWith("spur: " + fn.resolve("link") + " is a symbolic link;");
    }

    @Test
    void helpDescribesEveryCommand() {
        Cli.Result help = Cli.run("--help");

        assertThat(help.exit()).isZero();
        assertThat(help.out())
                .contains(
                        "server",
                        "deploy",
                        "invoke",
                        "ls",
                        "rm",
                        "logs",
                        "async",
                        "dlq",
                        "schedule",
                        "api",
                        "route",
                        "Exit codes:");
    }

    /** Picocli formats descriptions with {@code String.format}: a bare {@code %} prints a WARN instead. */
    @Test
    void everyOptionDescriptionIsAFormatString() {
        List<String> descriptions = new ArrayList<>();
        collect(new CommandLine(new Main()), descriptions);

        assertThat(descriptions).hasSizeGreaterThan(20);
        for (String d : descriptions) {
            assertThatCode(() -> String.format(d)).as(d).doesNotThrowAnyException();
        }
        assertThat(Cli.run("server", "--help").out()).contains("75% of").doesNotContain("%%");
    }

    /** The descriptions as written in each command's {@code @Option}s (picocli's model has them formatted already). */
    private static void collect(CommandLine command, List<String> into) {
        for (Class<?> c = command.getCommandSpec().userObject().getClass(); c != null; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                CommandLine.Option option = field.getAnnotation(CommandLine.Option.class);
                if (option != null) {
                    into.addAll(List.of(option.description()));
                }
            }
        }
        for (CommandLine sub : command.getSubcommands().values()) {
            collect(sub, into);
        }
    }
}
