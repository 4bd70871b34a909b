package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * A release with the real AWS CLI v2: versions, a weighted alias, reserved concurrency, tags,
 * account settings and the deletes Lambda refuses while an alias still points at a version.
 */
@SpurTest
class AwsCliReleaseTest {
    static final int SDK_INVOKES = 400;
    static final double WEIGHT = 0.3;

    static Spur spur;

    @TempDir
    Path dir;

    @Test
    void publishRouteThrottleTagAndRetireAReleaseWithTheAwsCli() throws Exception {
        // One attempt per call, so a throttle is answered at once instead of after the CLI's retries.
        AwsCli cli = new AwsCli(spur.endpoint(), dir, Map.of("AWS_MAX_ATTEMPTS", "1", "AWS_RETRY_MODE", "standard"));
        String name = Spur.uniqueName("release");

        JsonNode created = cli.createFunction(name).json();
        String arn = created.get("FunctionArn").asText();
        assertThat(arn).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:" + name);
        cli.aws("lambda", "wait", "function-active-v2", "--function-name", name).json();

        JsonNode v1 =
                cli.aws("lambda", "publish-version", "--function-name", name).json();
        assertThat(v1.get("Version").asText()).isEqualTo("1");
        assertThat(v1.get("FunctionArn").asText()).isEqualTo(arn + ":1");
        cli.aws(
                        "lambda",
                        "update-function-configuration",
                        "--function-name",
                        name,
                        "--environment",
                        "Variables={STAGE=two}")
                .json();
        cli.aws("lambda", "wait", "function-updated-v2", "--function-name", name)
                .json();
        assertThat(cli.aws("lambda", "publish-version", "--function-name", name)
                        .json()
                        .get("Version")
                        .asText())
                .isEqualTo("2");
        assertThat(versions(cli, name)).containsExactly("$LATEST", "1", "2");

        JsonNode alias = cli.aws(
                        "lambda",
                        "create-alias",
                        "--function-name",
                        name,
                        "--name",
                        "live",
                        "--function-version",
                        "1",
                        "--routing-config",
                        "AdditionalVersionWeights={2=" + WEIGHT + "}")
                .json();
        assertThat(alias.get("AliasArn").asText()).isEqualTo(arn + ":live");
        JsonNode got = cli.aws("lambda", "get-alias", "--function-name", name, "--name", "live")
                .json();
        assertThat(got.get("FunctionVersion").asText()).isEqualTo("1");
        assertThat(got.at("/RoutingConfig/AdditionalVersionWeights/2").asDouble())
                .isEqualTo(WEIGHT);

        for (int i = 0; i < 4; i++) {
            Path out = dir.resolve("alias-" + i + ".json");
            JsonNode invoked = cli.aws(
                            "lambda", "invoke", "--function-name", name, "--qualifier", "live", out.toString())
                    .json();
            String executed = invoked.get("ExecutedVersion").asText();
            assertThat(executed).isIn("1", "2");
            assertThat(Json.MAPPER
                            .readTree(out.toFile())
                            .at("/env/AWS_LAMBDA_FUNCTION_VERSION")
                            .asText())
                    .isEqualTo(executed);
        }

        int second = 0;
        for (int i = 0; i < SDK_INVOKES; i++) {
            InvokeResponse r = spur.lambda()
                    .invoke(b -> b.functionName(name).qualifier("live").payload(SdkBytes.fromUtf8String("{}")));
            assertThat(r.functionError()).as(r.payload().asUtf8String()).isNull();
            JsonNode env = Json.MAPPER.readTree(r.payload().asByteArray()).get("env");
            assertThat(r.executedVersion()).isIn("1", "2");
            assertThat(env.get("AWS_LAMBDA_FUNCTION_VERSION").asText()).isEqualTo(r.executedVersion());
            assertThat(env.path("STAGE").asText(null))
                    .isEqualTo(r.executedVersion().equals("2") ? "two" : null);
            second += r.executedVersion().equals("2") ? 1 : 0;
        }
        // Binomial(400, 0.3): sd = 9.2 invocations; 5 sd either side fails by chance about once in 1.7 million.
        double sd = Math.sqrt(SDK_INVOKES * WEIGHT * (1 - WEIGHT));
        assertThat((double) second)
                .as("invocations routed to version 2 of " + SDK_INVOKES)
                .isBetween(SDK_INVOKES * WEIGHT - 5 * sd, SDK_INVOKES * WEIGHT + 5 * sd);

        JsonNode reserved = cli.aws(
                        "lambda",
                        "put-function-concurrency",
                        "--function-name",
                        name,
                        "--reserved-concurrent-executions",
                        "0")
                .json();
        assertThat(reserved.get("ReservedConcurrentExecutions").asInt()).isZero();
        AwsCli.Result throttled = cli.aws(
                "lambda",
                "invoke",
                "--function-name",
                name,
                "--qualifier",
                "live",
                dir.resolve("throttled.json").toString());
        assertThat(throttled.exit()).isNotZero();
        assertThat(throttled.err()).contains("TooManyRequestsException");
        assertThat(cli.aws("lambda", "get-function", "--function-name", name)
                        .json()
                        .at("/Concurrency/ReservedConcurrentExecutions")
                        .asInt(-1))
                .isZero();
        AwsCli.Result unreserved = cli.aws("lambda", "delete-function-concurrency", "--function-name", name);
        assertThat(unreserved.exit()).as(unreserved.err()).isZero();
        assertThat(cli.aws("lambda", "get-function", "--function-name", name)
                        .json()
                        .has("Concurrency"))
                .isFalse();
        assertThat(cli.aws(
                                "lambda",
                                "invoke",
                                "--function-name",
                                name,
                                "--qualifier",
                                "live",
                                dir.resolve("again.json").toString())
                        .json()
                        .get("StatusCode")
                        .asInt())
                .isEqualTo(200);

        AwsCli.Result tagged = cli.aws("lambda", "tag-resource", "--resource", arn, "--tags", "team=spur,env=test");
        assertThat(tagged.exit()).as(tagged.err()).isZero();
        assertThat(tags(cli, arn)).isEqualTo(Map.of("team", "spur", "env", "test"));
        AwsCli.Result untagged = cli.aws("lambda", "untag-resource", "--resource", arn, "--tag-keys", "env");
        assertThat(untagged.exit()).as(untagged.err()).isZero();
        assertThat(tags(cli, arn)).isEqualTo(Map.of("team", "spur"));
        assertThat(Json.MAPPER.convertValue(
                        cli.aws("lambda", "get-function", "--function-name", name)
                                .json()
                                .get("Tags"),
                        STRING_MAP))
                .isEqualTo(Map.of("team", "spur"));

        JsonNode settings = cli.aws("lambda", "get-account-settings").json();
        assertThat(settings.at("/AccountLimit/ConcurrentExecutions").asInt()).isEqualTo(1000);
        assertThat(settings.at("/AccountUsage/FunctionCount").asInt()).isGreaterThanOrEqualTo(1);

        AwsCli.Result refused = cli.aws("lambda", "delete-function", "--function-name", name, "--qualifier", "1");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("ResourceConflictException");
        assertThat(versions(cli, name)).containsExactly("$LATEST", "1", "2");
        AwsCli.Result aliasDeleted = cli.aws("lambda", "delete-alias", "--function-name", name, "--name", "live");
        assertThat(aliasDeleted.exit()).as(aliasDeleted.err()).isZero();
        AwsCli.Result versionDeleted =
                cli.aws("lambda", "delete-function", "--function-name", name, "--qualifier", "1");
        assertThat(versionDeleted.exit()).as(versionDeleted.err()).isZero();
        assertThat(versions(cli, name)).containsExactly("$LATEST", "2");
        AwsCli.Result deleted = cli.aws("lambda", "delete-function", "--function-name", name);
        assertThat(deleted.exit()).as(deleted.err()).isZero();
        AwsCli.Result missing = cli.aws("lambda", "get-function", "--function-name", name);
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("ResourceNotFoundException");
    }

    private static List<String> versions(AwsCli cli, String name) throws Exception {
        List<String> versions = new ArrayList<>();
        cli.aws("lambda", "list-versions-by-function", "--function-name", name)
                .json()
                .get("Versions")
                .forEach(v -> versions.add(v.get("Version").asText()));
        return versions;
    }

    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

    private static Map<?, ?> tags(AwsCli cli, String arn) throws Exception {
        return Json.MAPPER.convertValue(
                cli.aws("lambda", "list-tags", "--resource", arn).json().get("Tags"), Map.class);
    }
}
