package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.e2e.fixtures.Greeter;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import dev.spur.testing.Zips;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.Environment;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/** Custom runtimes ({@code provided.*}): a POSIX shell bootstrap using curl, and AWS's own Java runtime client. */
@SpurTest
class ProvidedRuntimeTest {
    static Spur spur;

    @Test
    void shellBootstrapWithCurlEchoesTheEvent() {
        Tools.curl();
        String name = spur.deploy("sh", FunctionPackage.echo("echo"));
        InvokeResponse r = spur.invokeWithTail(name, "{\"n\":42}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.functionError()).isNull();
        assertThat(r.executedVersion()).isEqualTo("$LATEST");
        assertThat(r.payload().asUtf8String()).isEqualTo("{\"echo\":{\"n\":42}}");
        String log = Spur.tail(r);
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
        String name = Spur.uniqueName("ric");
        spur.lambda()
                .createFunction(b -> b.functionName(name)
                        .runtime("provided.al2023")
                        .handler("dev.spur.e2e.fixtures.Greeter::handleRequest")
                        .role(Spur.ROLE)
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
                spur.lambda().invoke(b -> b.functionName(name).payload(SdkBytes.fromUtf8String("{\"name\":\"Spur\"}")));
        assertThat(r.functionError()).as(r.payload().asUtf8String()).isNull();
        assertThat(r.payload().asUtf8String())
                .contains("\"greeting\":\"Hello, Spur\"")
                .contains("\"function\":\"" + name);

        InvokeResponse failed =
                spur.lambda().invoke(b -> b.functionName(name).payload(SdkBytes.fromUtf8String("{\"name\":\"\"}")));
        assertThat(failed.functionError()).isEqualTo("Unhandled");
        assertThat(failed.payload().asUtf8String())
                .contains("IllegalArgumentException")
                .contains("name is required");
    }
}
