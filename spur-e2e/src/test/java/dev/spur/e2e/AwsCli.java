package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real AWS CLI v2 against a Spur server, with keys and region from the environment, no
 * config file and no pager; {@code --endpoint-url} and {@code --output json} are added to every call.
 */
final class AwsCli {
    private final String endpoint;
    private final Path dir;
    private final Map<String, String> env;

    AwsCli(String endpoint, Path dir, Map<String, String> extraEnv) {
        this.endpoint = endpoint;
        this.dir = dir;
        this.env = Map.copyOf(extraEnv);
    }

    record Result(int exit, String out, String err) {
        /** stdout as JSON, after checking the command succeeded. */
        JsonNode json() {
            assertThat(exit).as(err).isZero();
            try {
                return Json.MAPPER.readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** {@code aws <args> --endpoint-url <spur> --output json}. */
    Result aws(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Tools.awsCliV2().toString());
        command.addAll(List.of(args));
        command.addAll(List.of("--endpoint-url", endpoint, "--output", "json"));
        return run(command, Map.of());
    }

    /**
     * {@code aws lambda create-function} of the test runtime ({@code provided.al2023}, handler {@code h})
     * as {@code name}, its zip written to {@code fn.zip} in the working directory, with more options.
     */
    Result createFunction(String name, String... options) throws IOException, InterruptedException {
        Path zip = dir.resolve("fn.zip");
        Files.write(zip, FunctionPackage.testRuntime().zip());
        List<String> args = new ArrayList<>(List.of(
                "lambda",
                "create-function",
                "--function-name",
                name,
                "--runtime",
                "provided.al2023",
                "--handler",
                "h",
                "--role",
                "arn:aws:iam::000000000000:role/cli",
                "--zip-file",
                "fileb://" + zip));
        args.addAll(List.of(options));
        return aws(args.toArray(String[]::new));
    }

    Result run(List<String> command, Map<String, String> extraEnv) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> processEnv = pb.environment();
        processEnv.put("AWS_ACCESS_KEY_ID", "spur");
        processEnv.put("AWS_SECRET_ACCESS_KEY", "spur");
        processEnv.put("AWS_DEFAULT_REGION", "us-east-1");
        processEnv.put("AWS_PAGER", "");
        processEnv.put("AWS_CONFIG_FILE", dir.resolve("none").toString());
        processEnv.putAll(env);
        processEnv.putAll(extraEnv);
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("aws finished").isTrue();
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
