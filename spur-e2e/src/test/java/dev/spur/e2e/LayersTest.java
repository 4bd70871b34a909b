package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spur.e2e.fixtures.LayerJson;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import dev.spur.testing.Zips;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.Layer;
import software.amazon.awssdk.services.lambda.model.PublishLayerVersionResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * Layers with code nobody here wrote: AWS Lambda Powertools' logger from npm in a Node.js layer, a
 * Debian pure-Python package in a Python layer, Jackson's jars in a Java layer; merge order; the layer
 * API as the AWS CLI and the SDK speak it. Runs in the process sandbox and (second surefire execution)
 * the linux sandbox, where the layers are at {@code /opt}.
 */
@SpurTest
class LayersTest {
    static Spur spur;

    @TempDir
    Path dir;

    private PublishLayerVersionResponse publish(String name, byte[] zip, String... runtimes) {
        return spur.lambda()
                .publishLayerVersion(b -> b.layerName(name)
                        .description("layer " + name)
                        .compatibleRuntimesWithStrings(runtimes)
                        .content(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
    }

    private AwsCli cli() {
        return new AwsCli(spur.endpoint(), dir, Map.of());
    }

    @Test
    void aDebianPythonPackageInALayerIsImportedFromOptAndTheLaterLayerWins() throws Exception {
        Path colorama = Path.of("/usr/lib/python3/dist-packages/colorama");
        if (!Files.isDirectory(colorama)) {
            throw Tools.unavailable("Debian's python3-colorama is not installed");
        }
        String packages = publish(
                        Spur.uniqueName("py-pkg"),
                        Zips.create()
                                .tree(colorama.getParent(), "colorama", "python/")
                                .bytes(),
                        "python3.12")
                .layerVersionArn();
        String first = publish(Spur.uniqueName("first"), Zips.of(Map.of("python/order.py", "VALUE = 'first'\n")))
                .layerVersionArn();
        String second = publish(Spur.uniqueName("second"), Zips.of(Map.of("python/order.py", "VALUE = 'second'\n")))
                .layerVersionArn();
        String name = spur.deploy("py-layers", FunctionPackage.python("""
                        import os, colorama, order
                        def handler(event, context):
                            return {"colorama": colorama.__file__, "order": order.VALUE,
                                    "opt": os.environ.get("SPUR_OPT"), "version": colorama.__version__}
                        """), b -> b.layers(packages, first, second));

        JsonNode out = Spur.ok(spur.invoke(name, Map.of()));

        String opt = out.get("opt").asText();
        assertThat(out.get("colorama").asText()).isEqualTo(opt + "/python/colorama/__init__.py");
        assertThat(out.get("order").asText()).isEqualTo("second");
        GetFunctionConfigurationResponse config = spur.lambda().getFunctionConfiguration(b -> b.functionName(name));
        assertThat(config.layers()).extracting(Layer::arn).containsExactly(packages, first, second);
        assertThat(config.layers().getFirst().codeSize()).isPositive();

        spur.lambda().updateFunctionConfiguration(b -> b.functionName(name).layers(packages, second, first));
        assertThat(Spur.ok(spur.invoke(name, Map.of())).get("order").asText()).isEqualTo("first");
    }

    @Test
    void aNodeFunctionLogsThroughPowertoolsFromALayerDeployedWithTheAwsCli() throws Exception {
        Path nodejs = dir.resolve("layer/nodejs");
        Files.createDirectories(nodejs);
        Path pinned = Path.of("src/test/layers/powertools");
        for (String file : List.of("package.json", "package-lock.json")) {
            Files.copy(pinned.resolve(file), nodejs.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        Path npm = Tools.require("npm", "/usr/bin/npm", "/usr/local/bin/npm");
        Process install = new ProcessBuilder(
                        npm.toString(), "ci", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts")
                .directory(nodejs.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("npm.log").toFile())
                .start();
        assertThat(install.waitFor(300, TimeUnit.SECONDS)).as("npm ci finished").isTrue();
        if (install.exitValue() != 0) {
            throw Tools.unavailable(
                    "npm ci of Powertools failed (offline, not cached?): " + Files.readString(dir.resolve("npm.log")));
        }
        Files.write(
                dir.resolve("powertools.zip"),
                Zips.create().tree(nodejs, "node_modules", "nodejs/").bytes());
        String layerName = Spur.uniqueName("powertools");

        JsonNode published = cli().aws(
                        "lambda",
                        "publish-layer-version",
                        "--layer-name",
                        layerName,
                        "--zip-file",
                        "fileb://" + dir.resolve("powertools.zip"),
                        "--compatible-runtimes",
                        "nodejs20.x",
                        "--compatible-architectures",
                        "x86_64",
                        "--license-info",
                        "MIT-0")
                .json();
        assertThat(published.get("Version").asLong()).isEqualTo(1);
        String arn = published.get("LayerVersionArn").asText();
        assertThat(arn).isEqualTo(published.get("LayerArn").asText() + ":1");
        assertThat(published.get("Content").get("CodeSize").asLong())
                .isEqualTo(Files.size(dir.resolve("powertools.zip")));

        String name = Spur.uniqueName("powertools-fn");
        Files.write(dir.resolve("fn.zip"), Zips.of(Map.of("index.js", """
                const { Logger } = require('@aws-lambda-powertools/logger');
                const logger = new Logger({ serviceName: 'orders' });
                exports.handler = async (event, context) => {
                  logger.addContext(context);
                  logger.info('hello from powertools', { orderId: event.orderId });
                  return { resolved: require.resolve('@aws-lambda-powertools/logger') };
                };
                """)));
        cli().aws(
                        "lambda",
                        "create-function",
                        "--function-name",
                        name,
                        "--runtime",
                        "nodejs20.x",
                        "--handler",
                        "index.handler",
                        "--role",
                        Spur.ROLE,
                        "--zip-file",
                        "fileb://" + dir.resolve("fn.zip"))
                .json();
        JsonNode updated = cli().aws(
                        "lambda", "update-function-configuration", "--function-name", name, "--layers", arn)
                .json();
        assertThat(updated.get("Layers").get(0).get("Arn").asText()).isEqualTo(arn);

        InvokeResponse r = spur.invokeWithTail(name, "{\"orderId\":\"o-42\"}");

        JsonNode out = Spur.ok(r);
        assertThat(out.get("resolved").asText()).contains("/nodejs/node_modules/@aws-lambda-powertools/logger/");
        String log = Spur.tail(r);
        JsonNode line = log.lines()
                .filter(l -> l.contains("hello from powertools"))
                .map(LayersTest::json)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no Powertools line in " + log));
        assertThat(line.get("level").asText()).isEqualTo("INFO");
        assertThat(line.get("service").asText()).isEqualTo("orders");
        assertThat(line.get("orderId").asText()).isEqualTo("o-42");
        assertThat(line.get("function_name").asText()).isEqualTo(name);
    }

    @Test
    void aJava21HandlerLoadsJacksonFromTheLayersJavaLib() throws Exception {
        Path classes = jarOf(LayerJson.class);
        byte[] function = Zips.create()
                .copy(classes.resolve("dev/spur/e2e/fixtures/LayerJson.class"), "dev/spur/e2e/fixtures/LayerJson.class")
                .copy(jarOf(RequestHandler.class), "lib/aws-lambda-java-core.jar")
                .bytes();
        String layer = publish(
                        Spur.uniqueName("jackson"),
                        Zips.create()
                                .copy(jarOf(ObjectMapper.class), "java/lib/jackson-databind.jar")
                                .copy(jarOf(JsonFactory.class), "java/lib/jackson-core.jar")
                                .copy(jarOf(JsonProperty.class), "java/lib/jackson-annotations.jar")
                                .bytes(),
                        "java21")
                .layerVersionArn();
        String without = Spur.uniqueName("java-nolayer");
        String with = Spur.uniqueName("java-layer");
        for (String name : List.of(without, with)) {
            spur.lambda()
                    .createFunction(b -> b.functionName(name)
                            .runtime("java21")
                            .handler("dev.spur.e2e.fixtures.LayerJson::handleRequest")
                            .memorySize(512)
                            .timeout(30)
                            .role(Spur.ROLE)
                            .layers(name.equals(with) ? List.of(layer) : List.of())
                            .code(c -> c.zipFile(SdkBytes.fromByteArray(function))));
        }

        assertThat(spur.invoke(without, Map.of("b", 2, "a", 1)).functionError()).isNotNull();
        JsonNode out = Spur.ok(spur.invoke(with, Map.of("b", 2, "a", 1)));
        assertThat(out.get("json").asText()).isEqualTo("{\"a\":1,\"b\":2}");
        assertThat(out.get("from").asText()).endsWith("/java/lib/jackson-databind.jar");
    }

    @Test
    void theLayerApiAsTheAwsCliSpeaksIt() throws Exception {
        String name = Spur.uniqueName("api");
        Files.write(dir.resolve("a.zip"), Zips.of(Map.of("bin/tool", "v1\n")));
        Files.write(dir.resolve("b.zip"), Zips.of(Map.of("bin/tool", "v2\n")));
        AwsCli aws = cli();
        JsonNode v1 = aws.aws(
                        "lambda",
                        "publish-layer-version",
                        "--layer-name",
                        name,
                        "--zip-file",
                        "fileb://" + dir.resolve("a.zip"),
                        "--compatible-runtimes",
                        "python3.12")
                .json();
        JsonNode v2 = aws.aws(
                        "lambda",
                        "publish-layer-version",
                        "--layer-name",
                        name,
                        "--description",
                        "second",
                        "--zip-file",
                        "fileb://" + dir.resolve("b.zip"),
                        "--compatible-runtimes",
                        "nodejs20.x")
                .json();
        assertThat(v2.get("Version").asLong()).isEqualTo(2);
        assertThat(v2.get("CreatedDate").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000");

        JsonNode got = aws.aws("lambda", "get-layer-version", "--layer-name", name, "--version-number", "2")
                .json();
        assertThat(got.get("Description").asText()).isEqualTo("second");
        assertThat(got.get("Content").get("CodeSha256").asText())
                .isEqualTo(v2.get("Content").get("CodeSha256").asText());
        assertThat(aws.aws(
                                "lambda",
                                "get-layer-version-by-arn",
                                "--arn",
                                v1.get("LayerVersionArn").asText())
                        .json()
                        .get("Version")
                        .asLong())
                .isEqualTo(1);
        JsonNode layers = aws.aws("lambda", "list-layers").json().get("Layers");
        JsonNode mine = find(layers, "LayerName", name);
        assertThat(mine.get("LatestMatchingVersion").get("Version").asLong()).isEqualTo(2);
        JsonNode python = find(
                aws.aws("lambda", "list-layers", "--compatible-runtime", "python3.12")
                        .json()
                        .get("Layers"),
                "LayerName",
                name);
        assertThat(python.get("LatestMatchingVersion").get("Version").asLong()).isEqualTo(1);
        assertThat(aws.aws("lambda", "list-layer-versions", "--layer-name", name)
                        .json()
                        .get("LayerVersions")
                        .findValuesAsText("Version"))
                .containsExactly("2", "1");

        JsonNode added = aws.aws(
                        "lambda",
                        "add-layer-version-permission",
                        "--layer-name",
                        name,
                        "--version-number",
                        "1",
                        "--statement-id",
                        "everyone",
                        "--action",
                        "lambda:GetLayerVersion",
                        "--principal",
                        "*")
                .json();
        JsonNode statement = json(added.get("Statement").asText());
        assertThat(statement.get("Principal").asText()).isEqualTo("*");
        assertThat(statement.get("Resource").asText())
                .isEqualTo(v1.get("LayerVersionArn").asText());
        JsonNode policy = aws.aws("lambda", "get-layer-version-policy", "--layer-name", name, "--version-number", "1")
                .json();
        assertThat(policy.get("RevisionId").asText())
                .isEqualTo(added.get("RevisionId").asText());
        assertThat(json(policy.get("Policy").asText())
                        .get("Statement")
                        .get(0)
                        .get("Sid")
                        .asText())
                .isEqualTo("everyone");
        AwsCli.Result duplicate = aws.aws(
                "lambda",
                "add-layer-version-permission",
                "--layer-name",
                name,
                "--version-number",
                "1",
                "--statement-id",
                "everyone",
                "--action",
                "lambda:GetLayerVersion",
                "--principal",
                "*");
        assertThat(duplicate.err()).contains("ResourceConflictException");
        assertThat(aws.aws(
                                "lambda",
                                "remove-layer-version-permission",
                                "--layer-name",
                                name,
                                "--version-number",
                                "1",
                                "--statement-id",
                                "everyone")
                        .exit())
                .isZero();
        assertThat(aws.aws("lambda", "get-layer-version-policy", "--layer-name", name, "--version-number", "1")
                        .err())
                .contains("ResourceNotFoundException");

        // A function using version 1 keeps working after the version is deleted, as on Lambda.
        String fn = spur.deploy(
                "uses-deleted",
                FunctionPackage.python("""
                        import os
                        def handler(event, context):
                            return open(os.environ["SPUR_OPT"] + "/bin/tool").read()
                        """),
                b -> b.layers(v1.get("LayerVersionArn").asText()));
        assertThat(aws.aws("lambda", "delete-layer-version", "--layer-name", name, "--version-number", "1")
                        .exit())
                .isZero();
        assertThat(aws.aws("lambda", "get-layer-version", "--layer-name", name, "--version-number", "1")
                        .err())
                .contains("ResourceNotFoundException");
        spur.lambda().publishVersion(b -> b.functionName(fn));
        assertThat(Spur.ok(spur.invoke(fn + ":1", Map.of())).asText()).isEqualTo("v1\n");
        assertThat(spur.lambda()
                        .getFunctionConfiguration(b -> b.functionName(fn).qualifier("1"))
                        .layers())
                .extracting(Layer::arn)
                .containsExactly(v1.get("LayerVersionArn").asText());
        // The number of a deleted version is not given again.
        assertThat(publish(name, Zips.of(Map.of("x", "y"))).version()).isEqualTo(3);
    }

    @Test
    void layerListsLambdaRefusesAreRefusedWithItsMessages() {
        String a = publish(Spur.uniqueName("a"), Zips.of(Map.of("a", "a"))).layerVersionArn();
        String fn = spur.deploy("refused", FunctionPackage.python("def handler(e, c):\n    return 1\n"));

        assertThatThrownBy(() -> spur.lambda()
                        .updateFunctionConfiguration(b -> b.functionName(fn).layers(a, a, a, a, a, a)))
                .isInstanceOf(InvalidParameterValueException.class)
                .hasMessageContaining("Cannot reference more than 5 layers.");
        assertThatThrownBy(() -> spur.lambda()
                        .updateFunctionConfiguration(b -> b.functionName(fn).layers(a.replaceFirst(":1$", ":9"))))
                .isInstanceOf(InvalidParameterValueException.class)
                .hasMessageContaining("does not exist");
        String a2 = publish(a.replaceAll("^.*:layer:([^:]+):1$", "$1"), Zips.of(Map.of("a", "b")))
                .layerVersionArn();
        assertThatThrownBy(() -> spur.lambda()
                        .updateFunctionConfiguration(b -> b.functionName(fn).layers(a, a2)))
                .isInstanceOf(InvalidParameterValueException.class)
                .hasMessageContaining("Two different versions of the same layer");
        assertThatThrownBy(() -> spur.lambda()
                        .getLayerVersion(b -> b.layerName("never-published-" + Spur.uniqueName("x"))
                                .versionNumber(1L)))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThat(spur.lambda()
                        .getFunctionConfiguration(b -> b.functionName(fn))
                        .layers())
                .isEmpty();
    }

    @Test
    void codeAndLayersTogetherOver250MegabytesUnpackedAreRefused() {
        // Zeros compress about 1000:1: two 130 MB files cost a few hundred kilobytes to send.
        String big = publish(
                        Spur.uniqueName("big"),
                        Zips.create().zeros("data/zeros", 130L * 1024 * 1024).bytes())
                .layerVersionArn();
        String app = "def handler(e, c):\n    return 1\n";
        String fn = spur.deploy(
                "too-big",
                new FunctionPackage(
                        "python3.12",
                        "app.handler",
                        Zips.create().text("app.py", app).zeros("zeros", 130L * 1024 * 1024)));
        long total = 2 * 130L * 1024 * 1024 + app.length();

        assertThatThrownBy(() -> spur.lambda()
                        .updateFunctionConfiguration(b -> b.functionName(fn).layers(big)))
                .isInstanceOf(InvalidParameterValueException.class)
                .hasMessageContaining(
                        "Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. "
                                + "The actual size is " + total + " bytes.");
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode item : array) {
            if (item.path(field).asText().equals(value)) {
                return item;
            }
        }
        throw new AssertionError("no " + field + " " + value + " in " + array);
    }

    /** The JSON in a line (from its first brace: a log line may carry a prefix). */
    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text.substring(Math.max(0, text.indexOf('{'))));
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static Path jarOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
