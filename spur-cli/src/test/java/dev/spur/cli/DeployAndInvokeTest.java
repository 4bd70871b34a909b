package dev.spur.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SpurTest
class DeployAndInvokeTest {
    static Spur server;
    static final Cli spur = new Cli(() -> server);

    @TempDir
    Path work;

    @Test
    void deployedDirectoryWithShellBootstrapEchoesThePayload() throws Exception {
        Cli.Result deployed = spur.deploy(FunctionPackage.echo("echo").writeTo(work.resolve("fn")), "echo-basic");

        assertThat(deployed.exit()).as(deployed.err()).isZero();
        assertThat(deployed.out())
                .startsWith("arn:aws:lambda:us-east-1:000000000000:function:echo-basic\n")
                .contains("created: provided.al2023, 128 MB, ")
                .contains("CodeSha256 ");

        Cli.Result invoked = spur.spur("invoke", "echo-basic", "{\"a\":[1,2]}");
        assertThat(invoked.exit()).as(invoked.err()).isZero();
        assertThat(invoked.out()).isEqualTo("{\"echo\":{\"a\":[1,2]}}\n");
        assertThat(invoked.err()).isEmpty();
    }

    @Test
    void deployingAnExistingFunctionUpdatesItsCodeAndConfiguration() throws Exception {
        assertThat(spur.deploy(FunctionPackage.echo("v1").writeTo(work.resolve("v1")), "echo-update")
                        .exit())
                .isZero();
        assertThat(spur.spur("invoke", "echo-update").out()).isEqualTo("{\"v1\":{}}\n");

        Cli.Result updated = spur.deploy(
                FunctionPackage.echo("v2").writeTo(work.resolve("v2")),
                "echo-update",
                "--memory",
                "256",
                "--timeout",
                "10",
                "--env",
                "GREETING=hello",
                "--description",
                "second");

        assertThat(updated.exit()).as(updated.err()).isZero();
        assertThat(updated.out()).contains("function:echo-update\n").contains("updated: provided.al2023, 256 MB");
        assertThat(spur.spur("invoke", "echo-update").out()).isEqualTo("{\"v2\":{}}\n");
        String listed = spur.spur("ls", "--json").out();
        assertThat(listed)
                .contains("\"Timeout\": 10")
                .contains("\"GREETING\": \"hello\"")
                .contains("\"Description\": \"second\"");
    }

    @Test
    void networkNoneIsStoredShownAndRefusedAtInvokeByAServerWithoutTheLinuxSandbox() throws Exception {
        Path fn = FunctionPackage.echo("cut-off").writeTo(work.resolve("fn"));
        Cli.Result deployed = spur.deploy(fn, "echo-network", "--network", "none");
        assertThat(deployed.exit()).as(deployed.err()).isZero();
        assertThat(spur.spur("ls", "--json").out()).contains("\"SpurNetwork\": \"none\"");

        // This server runs --sandbox process, which cannot take a function off the network: it says so
        // instead of running the function connected.
        Cli.Result invoked = spur.spur("invoke", "echo-network");
        assertThat(invoked.exit()).isEqualTo(1);
        assertThat(invoked.out()).contains("Runtime.InitError").contains("SpurNetwork none needs the linux sandbox");

        assertThat(spur.deploy(fn, "echo-network", "--network", "default").exit())
                .isZero();
        assertThat(spur.spur("ls", "--json").out()).doesNotContain("SpurNetwork");
        assertThat(spur.spur("invoke", "echo-network").out()).isEqualTo("{\"cut-off\":{}}\n");

        Cli.Result bad = spur.deploy(fn, "echo-network", "--network", "host");
        assertThat(bad.exit()).isEqualTo(3);
        assertThat(bad.err()).contains("InvalidParameterValueException").contains("[default, none]");
    }

    @Test
    void existingZipIsUploadedAsIs() throws Exception {
        Path zip = work.resolve("code.zip");
        Files.write(zip, CodePackage.of(FunctionPackage.echo("zipped").writeTo(work.resolve("fn"))));
        String sha = Base64.getEncoder()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(zip)));

        Cli.Result deployed = spur.deploy(zip, "echo-zip");

        assertThat(deployed.exit()).as(deployed.err()).isZero();
        assertThat(deployed.out()).contains("CodeSha256 " + sha);
        assertThat(spur.spur("invoke", "echo-zip", "1").out()).isEqualTo("{\"zipped\":1}\n");
    }

    @Test
    void invokeReadsThePayloadFromAFileAndDefaultsToAnEmptyObject() throws Exception {
        spur.deploy(FunctionPackage.echo("echo").writeTo(work.resolve("fn")), "echo-file");
        Path event = Files.writeString(work.resolve("event.json"), "{\"from\":\"file\"}");

        Cli.Result fromFile = spur.spur("invoke", "echo-file", "@" + event);
        assertThat(fromFile.out()).as(fromFile.err()).isEqualTo("{\"echo\":{\"from\":\"file\"}}\n");
        assertThat(spur.spur("invoke", "echo-file").out()).isEqualTo("{\"echo\":{}}\n");
    }

    @Test
    void unreadablePayloadFileIsAUsageError() {
        Cli.Result result = spur.spur("invoke", "whatever", "@" + work.resolve("missing.json"));

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("spur: cannot read the payload from").contains("no such file");
    }

    @Test
    void verboseInvokePrintsTheReportLineAndLogPrintsTheWholeTail() throws Exception {
        spur.deploy(FunctionPackage.echo("echo").writeTo(work.resolve("fn")), "echo-tail");

        Cli.Result verbose = spur.spur("invoke", "-v", "echo-tail", "{\"n\":1}");
        assertThat(verbose.out()).isEqualTo("{\"echo\":{\"n\":1}}\n");
        assertThat(verbose.err().lines())
                .singleElement()
                .asString()
                .startsWith("REPORT RequestId: ")
                .contains("Duration: ");

        Cli.Result log = spur.spur("invoke", "--log", "echo-tail", "{\"n\":2}");
        assertThat(log.err())
                .contains("START RequestId: ")
                .contains("event {\"n\":2}")
                .contains("END RequestId: ")
                .contains("REPORT RequestId: ");
    }

    @Test
    void functionErrorPrintsTheErrorAsTheResponseAndExitsOne() throws Exception {
        spur.deploy(FunctionPackage.failing().writeTo(work.resolve("fn")), "failing");

        Cli.Result result = spur.spur("invoke", "failing");

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.out()).contains("\"errorMessage\":\"boom\"").contains("\"errorType\":\"Boom\"");
        assertThat(result.err()).contains("the function failed (Unhandled)");
    }

    @Test
    void clientContextReachesTheFunction() throws Exception {
        spur.deploy(FunctionPackage.clientContext().writeTo(work.resolve("fn")), "context");

        Cli.Result result = spur.spur("invoke", "--client-context", "{\"custom\":{\"k\":\"v\"}}", "context");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("{\"context\":{\"custom\":{\"k\":\"v\"}}}\n");
    }
}
