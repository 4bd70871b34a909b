package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.spur.e2e.fixtures.Greeter;
import dev.spur.testing.Zips;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.ApplicationLogLevel;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogFormat;

/** The java17/java21/java25 runtimes with Spur's Java runtime client and real handler code. */
@SpurTest
class JavaRuntimeTest {
    static Spur spur;
    static Path classes;

    @BeforeAll
    static void findFixtures() throws Exception {
        classes = Path.of(Greeter.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    }

    private static Path jarOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Classes at the root and the handler's libraries in lib/, as a Gradle/Maven Lambda zip has them. */
    private static byte[] classesZip() throws Exception {
        return Zips.create()
                .tree(classes, "dev/spur/e2e/fixtures", "")
                .copy(jarOf(RequestHandler.class), "lib/aws-lambda-java-core.jar")
                .copy(jarOf(APIGatewayV2HTTPEvent.class), "lib/aws-lambda-java-events.jar")
                .bytes();
    }

    private static String deploy(String runtime, String handler, byte[] zip) {
        String name = Spur.uniqueName("java");
        spur.lambda()
                .createFunction(b -> b.functionName(name)
                        .runtime(runtime)
                        .handler(handler)
                        .timeout(30)
                        .memorySize(512)
                        .role(Spur.ROLE)
                        .code(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
        return name;
    }

    private static InvokeResponse invoke(String name, String payload) {
        return spur.invokeWithTail(name, payload);
    }

    @Test
    void requestHandlerWithContextAndLoggerOnEveryJavaRuntime() throws Exception {
        byte[] zip = classesZip();
        for (String runtime : new String[] {"java17", "java21", "java25"}) {
            String name = deploy(runtime, "dev.spur.e2e.fixtures.Greeter::handleRequest", zip);
            InvokeResponse first = invoke(name, "{\"name\":\"Spur\"}");
            assertThat(first.functionError()).as(first.payload().asUtf8String()).isNull();
            String body = first.payload().asUtf8String();
            assertThat(body)
                    .contains("\"greeting\":\"Hello, Spur\"")
                    .contains("\"function\":\"" + name + "\"")
                    .contains("\"memory\":512");
            String log = Spur.tail(first);
            assertThat(log).contains("greeting Spur").contains("Init Duration");
            InvokeResponse second = invoke(name, "{\"name\":\"again\"}");
            assertThat(second.payload().asUtf8String())
                    .as("the handler instance is created once per environment")
                    .contains(body.replaceAll("(?s).*(\"instance\":\\d+).*", "$1"));
        }
    }

    @Test
    void withTheJsonLogFormatTheLoggerWritesJsonRecordsAtTheApplicationLevel() throws Exception {
        String name = Spur.uniqueName("java-json");
        byte[] zip = classesZip();
        spur.lambda()
                .createFunction(b -> b.functionName(name)
                        .runtime("java21")
                        .handler("dev.spur.e2e.fixtures.Greeter::handleRequest")
                        .timeout(30)
                        .memorySize(512)
                        .role(Spur.ROLE)
                        .loggingConfig(l -> l.logFormat(LogFormat.JSON).applicationLogLevel(ApplicationLogLevel.INFO))
                        .code(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
        InvokeResponse response = invoke(name, "{\"name\":\"Json\"}");
        assertThat(response.functionError())
                .as(response.payload().asUtf8String())
                .isNull();
        String log = Spur.tail(response);
        String requestId = response.responseMetadata().requestId();
        assertThat(log)
                .contains("{\"timestamp\":")
                .contains("\"message\":\"greeting Json\",\"AWSRequestId\":\"" + requestId + "\"")
                .contains("\"level\":\"WARN\",\"message\":\"warning Json\"")
                .doesNotContain("debugging Json")
                .contains("\"type\":\"platform.report\"");
    }

    @Test
    void handlerExceptionIsReportedWithItsClassAndStack() throws Exception {
        String name = deploy("java21", "dev.spur.e2e.fixtures.Greeter", classesZip());
        InvokeResponse r = invoke(name, "{}");
        assertThat(r.functionError()).isEqualTo("Unhandled");
        assertThat(r.payload().asUtf8String())
                .contains("\"errorType\":\"java.lang.IllegalArgumentException\"")
                .contains("\"errorMessage\":\"name is required\"")
                .contains("\"stackTrace\":[");
    }

    @Test
    void streamHandlerGetsTheRawBytes() throws Exception {
        String name = deploy("java21", "dev.spur.e2e.fixtures.StreamEcho::handleRequest", classesZip());
        InvokeResponse r = invoke(name, "[1,2,3]");
        assertThat(r.payload().asUtf8String()).startsWith("{\"raw\":[1,2,3],\"requestId\":\"");
    }

    @Test
    void awsLambdaJavaEventsClassesAreDeserialisedAndSerialised() throws Exception {
        String name = deploy("java21", "dev.spur.e2e.fixtures.HttpApiHandler::handleRequest", classesZip());
        String event = """
                {"version":"2.0","routeKey":"$default","rawPath":"/my/path","rawQueryString":"who=me",
                 "queryStringParameters":{"who":"me"},"headers":{"host":"x"},
                 "requestContext":{"accountId":"123456789012","apiId":"api","domainName":"x","http":{"method":"POST",
                 "path":"/my/path","protocol":"HTTP/1.1","sourceIp":"1.2.3.4","userAgent":"agent"},"requestId":"id",
                 "routeKey":"$default","stage":"$default","time":"12/Mar/2020:19:03:58 +0000","timeEpoch":1583348638390},
                 "body":"hello","isBase64Encoded":false}""";
        InvokeResponse r = invoke(name, event);
        assertThat(r.functionError()).as(r.payload().asUtf8String()).isNull();
        assertThat(r.payload().asUtf8String()).contains("\"statusCode\":200").contains("POST /my/path for me");
    }

    @Test
    void pojoHandlerNamedByMethod() throws Exception {
        String name = deploy("java21", "dev.spur.e2e.fixtures.Orders::total", classesZip());
        InvokeResponse r = invoke(
                name,
                "{\"customer\":\"ada\",\"lines\":[{\"quantity\":2,\"price\":1.5}," + "{\"quantity\":1,\"price\":4}]}");
        assertThat(r.functionError()).as(r.payload().asUtf8String()).isNull();
        assertThat(r.payload().asUtf8String()).contains("\"customer\":\"ada\"").contains("\"total\":7.0");
    }

    @Test
    void fatJarUploadedAsTheCodePackage() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes)) {
            try (var files = Files.walk(classes.resolve("dev/spur/e2e/fixtures"))) {
                for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    jar.putNextEntry(new ZipEntry(classes.relativize(p).toString()));
                    jar.write(Files.readAllBytes(p));
                    jar.closeEntry();
                }
            }
            addJarContents(jar, jarOf(RequestHandler.class));
        }
        String name = deploy("java21", "dev.spur.e2e.fixtures.Greeter::handleRequest", bytes.toByteArray());
        assertThat(invoke(name, "{\"name\":\"jar\"}").payload().asUtf8String()).contains("Hello, jar");
    }

    @Test
    void missingClassIsAnInitError() throws Exception {
        String name = deploy("java21", "dev.spur.e2e.fixtures.Nope::handleRequest", classesZip());
        InvokeResponse r = invoke(name, "{}");
        assertThat(r.functionError()).isEqualTo("Unhandled");
        assertThat(r.payload().asUtf8String())
                .contains("ClassNotFoundException")
                .contains("dev.spur.e2e.fixtures.Nope");
    }

    private static void addJarContents(JarOutputStream jar, Path source) throws IOException {
        try (var zip = new ZipFile(source.toFile())) {
            for (var e : Collections.list(zip.entries())) {
                if (e.isDirectory() || e.getName().startsWith("META-INF/")) {
                    continue;
                }
                jar.putNextEntry(new ZipEntry(e.getName()));
                jar.write(zip.getInputStream(e).readAllBytes());
                jar.closeEntry();
            }
        }
    }
}
