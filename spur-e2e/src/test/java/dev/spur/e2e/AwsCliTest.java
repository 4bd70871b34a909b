package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.testing.Tools;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real AWS CLI v2 ({@code /usr/bin/aws}) against Spur: deploy, wait, invoke, update, list, delete. */
@SpurTest
class AwsCliTest {
    static Spur spur;

    @TempDir
    Path dir;

    private AwsCli.Result aws(String... args) throws IOException, InterruptedException {
        return new AwsCli(spur.endpoint(), dir, Map.of()).aws(args);
    }

    @Test
    void deployWaitInvokeUpdateListAndDeleteWithTheAwsCli() throws Exception {
        String name = Spur.uniqueName("cli");
        Path zip = dir.resolve("fn.zip"); // written by createFunction
        var created = new AwsCli(spur.endpoint(), dir, Map.of()).createFunction(name);
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).contains("\"FunctionName\": \"" + name + "\"");

        var active = aws("lambda", "wait", "function-active-v2", "--function-name", name);
        assertThat(active.exit()).as(active.err()).isZero();

        var invoked = aws(
                "lambda",
                "invoke",
                "--function-name",
                name,
                "--cli-binary-format",
                "raw-in-base64-out",
                "--payload",
                "{\"print\":\"from-cli\"}",
                "--log-type",
                "Tail",
                dir.resolve("out.json").toString());
        assertThat(invoked.exit()).as(invoked.err()).isZero();
        assertThat(invoked.out()).contains("\"StatusCode\": 200").contains("\"ExecutedVersion\": \"$LATEST\"");
        assertThat(Files.readString(dir.resolve("out.json"))).contains("\"print\": \"from-cli\"");
        String logResult = invoked.out().replaceAll("(?s).*\"LogResult\": \"([^\"]+)\".*", "$1");
        assertThat(new String(Base64.getDecoder().decode(logResult), StandardCharsets.UTF_8))
                .contains("from-cli")
                .contains("REPORT RequestId:");

        var updated = aws(
                "lambda",
                "update-function-configuration",
                "--function-name",
                name,
                "--environment",
                "Variables={COLOR=green}",
                "--timeout",
                "10");
        assertThat(updated.exit()).as(updated.err()).isZero();
        var waited = aws("lambda", "wait", "function-updated-v2", "--function-name", name);
        assertThat(waited.exit()).as(waited.err()).isZero();
        var code = aws("lambda", "update-function-code", "--function-name", name, "--zip-file", "fileb://" + zip);
        assertThat(code.exit()).as(code.err()).isZero();
        assertThat(aws("lambda", "wait", "function-updated-v2", "--function-name", name)
                        .exit())
                .isZero();
        aws(
                "lambda",
                "invoke",
                "--function-name",
                name,
                dir.resolve("out2.json").toString());
        assertThat(Files.readString(dir.resolve("out2.json"))).contains("\"COLOR\": \"green\"");

        var listed = aws("lambda", "list-functions");
        assertThat(listed.exit()).as(listed.err()).isZero();
        assertThat(listed.out()).contains("\"FunctionName\": \"" + name + "\"").contains("\"Timeout\": 10");

        assertThat(aws("lambda", "delete-function", "--function-name", name).exit())
                .isZero();
        var missing = aws("lambda", "get-function", "--function-name", name);
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("ResourceNotFoundException").contains("Function not found");
    }

    @Test
    void cliValidationErrorsAreReadable() throws Exception {
        var r = new AwsCli(spur.endpoint(), dir, Map.of()).createFunction(Spur.uniqueName("bad"), "--timeout", "901");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("InvalidParameterValueException").contains("timeout");
    }

    @Test
    void theCommandPrintedAtStartWorksAsPrinted() throws Exception {
        Tools.awsCliV2();
        String line = spur.server().tryCommand();
        Path bin = dir.resolve("bin");
        Files.createDirectories(bin);
        Files.createSymbolicLink(bin.resolve("aws"), Tools.awsCliV2());
        var r = new AwsCli(spur.endpoint(), dir, Map.of())
                .run(
                        List.of("/bin/sh", "-c", line),
                        Map.of("PATH", bin + ":/usr/bin:/bin", "AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", ""));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"Functions\"");
    }
}
