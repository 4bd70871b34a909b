package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.e2e.fixtures.Greeter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.Environment;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;

/** Custom runtimes ({@code provided.*}): a POSIX shell bootstrap using curl, and AWS's own Java runtime client. */
class ProvidedRuntimeTest {
    static final String SHELL_BOOTSTRAP = """
            #!/bin/sh
            set -eu
            API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
            while true; do
              HEADERS="$(mktemp)"
              EVENT=$(curl -sS -LD "$HEADERS" "$API/invocation/next")
              REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
              echo "handling $REQUEST_ID"
              curl -sS -X POST "$API/invocation/$REQUEST_ID/response" -d "{\\"echo\\":$EVENT}" > /dev/null
            done
            """;

    static SpurHarness spur;

    @BeforeAll
    static void start() {
        spur = SpurHarness.start();
    }

    @AfterAll
    static void stop() {
        spur.close();
    }

    @Test
    void shellBootstrapWithCurlEchoesTheEvent() {
        Tools.curl();
        String name = SpurHarness.uniqueName("sh");
        spur.create(
                name,
                "provided.al2023",
                "unused",
                Zips.create().executable("bootstrap", SHELL_BOOTSTRAP).bytes());
        InvokeResponse r = spur.lambda.invoke(
                b -> b.functionName(name).logType(LogType.TAIL).payload(SdkBytes.fromUtf8String("{\"n\":42}")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.functionError()).isNull();
        assertThat(r.executedVersion()).isEqualTo("$LATEST");
        assertThat(r.payload().asUtf8String()).isEqualTo("{\"echo\":{\"n\":42}}");
        String log = new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
        assertThat(log)
                .contains("START RequestId: ")
                .contains("handling ")
                .contains("END RequestId: ")
                .containsPattern("REPORT RequestId: \\S+\tDuration: \\d+\\.\\d{2} ms\tBilled Duration: \\d+ ms\t"
                        + "Memory Size: 128 MB\tMax Memory Used: \\d+ MB\tInit Duration: \\d+\\.\\d{2} ms");
    }

    @Test
    void awsJavaRuntimeInterfaceClientRunsUnmodified() throws Exception {
        Path ric = Path.of(System.getenv().getOrDefault("SPUR_TEST_BUILD_DIR", "target"), "aws-ric");
        assertThat(ric).as("copied by the build (maven-dependency-plugin)").isDirectory();
        Path classes = Path.of(Greeter.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        Zips zip = Zips.create().executable("bootstrap", """
                #!/bin/sh
                exec "$JAVA_BIN" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \\
                  -cp "$LAMBDA_TASK_ROOT:$LAMBDA_TASK_ROOT/lib/*" \\
                  com.amazonaws.services.lambda.runtime.api.client.AWSLambda "$_HANDLER"
                """).tree(classes, "dev/spur/e2e/fixtures", "");
        try (var jars = Files.list(ric)) {
            jars.forEach(jar -> zip.copy(jar, "lib/" + jar.getFileName()));
        }
        String name = SpurHarness.uniqueName("ric");
        spur.lambda.createFunction(b -> b.functionName(name)
                .runtime("provided.al2023")
                .handler("dev.spur.e2e.fixtures.Greeter::handleRequest")
                .role("arn:aws:iam::000000000000:role/e2e")
                .timeout(30)
                .memorySize(512)
                .environment(Environment.builder()
                        .variables(Map.of(
                                "JAVA_BIN",
                                Path.of(System.getProperty("java.home"), "bin", "java")
                                        .toString()))
                        .build())
                .code(c -> c.zipFile(SdkBytes.fromByteArray(zip.bytes()))));
        InvokeResponse r =
                spur.lambda.invoke(b -> b.functionName(name).payload(SdkBytes.fromUtf8String("{\"name\":\"Spur\"}")));
        assertThat(r.functionError()).as(r.payload().asUtf8String()).isNull();
        assertThat(r.payload().asUtf8String())
                .contains("\"greeting\":\"Hello, Spur\"")
                .contains("\"function\":\"" + name);

        InvokeResponse failed =
                spur.lambda.invoke(b -> b.functionName(name).payload(SdkBytes.fromUtf8String("{\"name\":\"\"}")));
        assertThat(failed.functionError()).isEqualTo("Unhandled");
        assertThat(failed.payload().asUtf8String())
                .contains("IllegalArgumentException")
                .contains("name is required");
    }
}
