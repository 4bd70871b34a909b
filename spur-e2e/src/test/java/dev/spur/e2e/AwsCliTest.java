package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real AWS CLI v2 ({@code /usr/bin/aws}) against Spur: deploy, wait, invoke, update, list, delete. */
class AwsCliTest {
    static SpurHarness spur;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spur = SpurHarness.start();
    }

    @AfterAll
    static void stop() {
        spur.close();
    }

    record Result(int exit, String out, String err) {
    }

    private Result aws(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Tools.awsCliV2().toString());
        command.addAll(List.of(args));
        command.addAll(List.of("--endpoint-url", spur.endpoint(), "--output", "json"));
        return run(command, Map.of());
    }

    private Result run(List<String> command, Map<String, String> extraEnv) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.put("AWS_ACCESS_KEY_ID", "spur");
        env.put("AWS_SECRET_ACCESS_KEY", "spur");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("AWS_PAGER", "");
        env.put("AWS_CONFIG_FILE", dir.resolve("none").toString());
        env.putAll(extraEnv);
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("aws finished").isTrue();
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void deployWaitInvokeUpdateListAndDeleteWithTheAwsCli() throws Exception {
        String name = SpurHarness.uniqueName("cli");
        Path zip = dir.resolve("fn.zip");
        Files.write(zip, TestRuntime.zip());
        Result created = aws("lambda", "create-function", "--function-name", name, "--runtime", "provided.al2023",
                "--handler", "h", "--role", "arn:aws:iam::000000000000:role/cli", "--zip-file", "fileb://" + zip);
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).contains("\"FunctionName\": \"" + name + "\"");

        Result active = aws("lambda", "wait", "function-active-v2", "--function-name", name);
        assertThat(active.exit()).as(active.err()).isZero();

        Result invoked = aws("lambda", "invoke", "--function-name", name, "--cli-binary-format", "raw-in-base64-out",
                "--payload", "{\"print\":\"from-cli\"}", "--log-type", "Tail", dir.resolve("out.json").toString());
        assertThat(invoked.exit()).as(invoked.err()).isZero();
        assertThat(invoked.out()).contains("\"StatusCode\": 200").contains("\"ExecutedVersion\": \"$LATEST\"");
        assertThat(Files.readString(dir.resolve("out.json"))).contains("\"print\": \"from-cli\"");
        String logResult = invoked.out().replaceAll("(?s).*\"LogResult\": \"([^\"]+)\".*", "$1");
        assertThat(new String(Base64.getDecoder().decode(logResult), StandardCharsets.UTF_8)).contains("from-cli")
                .contains("REPORT RequestId:");

        Result updated = aws("lambda", "update-function-configuration", "--function-name", name,
                "--environment", "Variables={COLOR=green}", "--timeout", "10");
        assertThat(updated.exit()).as(updated.err()).isZero();
        Result waited = aws("lambda", "wait", "function-updated-v2", "--function-name", name);
        assertThat(waited.exit()).as(waited.err()).isZero();
        Result code = aws("lambda", "update-function-code", "--function-name", name, "--zip-file", "fileb://" + zip);
        assertThat(code.exit()).as(code.err()).isZero();
        assertThat(aws("lambda", "wait", "function-updated-v2", "--function-name", name).exit()).isZero();
        aws("lambda", "invoke", "--function-name", name, dir.resolve("out2.json").toString());
        assertThat(Files.readString(dir.resolve("out2.json"))).contains("\"COLOR\": \"green\"");

        Result listed = aws("lambda", "list-functions");
        assertThat(listed.exit()).as(listed.err()).isZero();
        assertThat(listed.out()).contains("\"FunctionName\": \"" + name + "\"").contains("\"Timeout\": 10");

        assertThat(aws("lambda", "delete-function", "--function-name", name).exit()).isZero();
        Result missing = aws("lambda", "get-function", "--function-name", name);
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("ResourceNotFoundException").contains("Function not found");
    }

    @Test
    void cliValidationErrorsAreReadable() throws Exception {
        Path zip = dir.resolve("fn.zip");
        Files.write(zip, TestRuntime.zip());
        Result r = aws("lambda", "create-function", "--function-name", SpurHarness.uniqueName("bad"),
                "--runtime", "provided.al2023", "--handler", "h", "--role", "arn:aws:iam::000000000000:role/cli",
                "--timeout", "901", "--zip-file", "fileb://" + zip);
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("InvalidParameterValueException").contains("timeout");
    }

    @Test
    void theCommandPrintedAtStartWorksAsPrinted() throws Exception {
        Tools.awsCliV2();
        String line = spur.server.tryCommand();
        Path bin = dir.resolve("bin");
        Files.createDirectories(bin);
        Files.createSymbolicLink(bin.resolve("aws"), Tools.awsCliV2());
        Result r = run(List.of("/bin/sh", "-c", line), Map.of("PATH", bin + ":/usr/bin:/bin",
                "AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", ""));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"Functions\"");
    }
}
