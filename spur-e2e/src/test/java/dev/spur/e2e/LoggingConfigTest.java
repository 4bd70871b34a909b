package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import dev.spur.testing.Zips;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.lambda.model.ApplicationLogLevel;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.LogFormat;
import software.amazon.awssdk.services.lambda.model.SystemLogLevel;

/**
 * {@code LoggingConfig}: validated as Lambda validates it, stored, returned, versioned, and honoured
 * by the bundled Python and Node runtime clients (JSON records at the right levels, filtered by the
 * application log level) and by the platform ({@code platform.start}/{@code platform.report} records,
 * filtered by the system log level), into the configured log group.
 */
@SpurTest
class LoggingConfigTest {
    static Spur spur;

    @AutoClose
    static CloudWatchLogsClient logs;

    @BeforeAll
    static void client() {
        logs = CloudWatchLogsClient.builder()
                .endpointOverride(URI.create(spur.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("spur", "spur")))
                .build();
    }

    private static List<String> messages(String group) {
        return logs.filterLogEvents(r -> r.logGroupName(group)).events().stream()
                .map(FilteredLogEvent::message)
                .toList();
    }

    private static List<JsonNode> records(List<String> messages) {
        List<JsonNode> out = new ArrayList<>();
        for (String m : messages) {
            if (m.startsWith("{")) {
                try {
                    out.add(Json.MAPPER.readTree(m));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    @Test
    void aLogLevelWithTheTextFormatIsRefusedAsLambdaRefusesIt() {
        assertThatThrownBy(() -> spur.deploy(
                        "text-level",
                        FunctionPackage.testRuntime(),
                        b -> b.loggingConfig(
                                l -> l.logFormat(LogFormat.TEXT).applicationLogLevel(ApplicationLogLevel.DEBUG))))
                .isInstanceOf(InvalidParameterValueException.class)
                .hasMessageContaining("LogLevel is not supported when LogFormat is set to \"Text\"");
        String name = spur.deploy("text", FunctionPackage.testRuntime());
        assertThatThrownBy(() -> spur.lambda()
                        .updateFunctionConfiguration(
                                b -> b.functionName(name).loggingConfig(l -> l.systemLogLevel(SystemLogLevel.WARN))))
                .isInstanceOf(InvalidParameterValueException.class)
                .hasMessageContaining("LogLevel is not supported");
        GetFunctionConfigurationResponse config = spur.lambda().getFunctionConfiguration(b -> b.functionName(name));
        assertThat(config.loggingConfig().logFormat()).isEqualTo(LogFormat.TEXT);
        assertThat(config.loggingConfig().applicationLogLevel()).isNull();
        assertThat(config.loggingConfig().logGroup()).isEqualTo("/aws/lambda/" + name);
    }

    @Test
    void aJsonPythonFunctionWritesJsonRecordsFilteredByItsLevels() {
        String name = spur.deploy(
                "py-json",
                FunctionPackage.python("""
                        import logging
                        logger = logging.getLogger()
                        def handler(event, context):
                            logger.info("hidden-info")
                            logger.warning("shown-warning")
                            logger.error("shown-error")
                            print('{"level":"DEBUG","message":"printed-debug"}')
                            print('{"level":"ERROR","message":"printed-error"}')
                            return {"ok": True}
                        """),
                b -> b.loggingConfig(l -> l.logFormat(LogFormat.JSON).applicationLogLevel(ApplicationLogLevel.WARN)));
        GetFunctionConfigurationResponse config = spur.lambda().getFunctionConfiguration(b -> b.functionName(name));
        assertThat(config.loggingConfig().logFormat()).isEqualTo(LogFormat.JSON);
        assertThat(config.loggingConfig().applicationLogLevel()).isEqualTo(ApplicationLogLevel.WARN);
        assertThat(config.loggingConfig().systemLogLevel()).isEqualTo(SystemLogLevel.INFO);

        String requestId =
                Spur.invoke(spur.lambda(), name, Map.of()).responseMetadata().requestId();
        List<String> messages = messages("/aws/lambda/" + name);
        List<JsonNode> records = records(messages);
        assertThat(messages).noneMatch(m -> m.contains("hidden-info")).noneMatch(m -> m.contains("printed-debug"));
        assertThat(records)
                .anySatisfy(r -> {
                    assertThat(r.path("level").asText()).isEqualTo("WARNING");
                    assertThat(r.path("message").asText()).isEqualTo("shown-warning");
                    assertThat(r.path("requestId").asText()).isEqualTo(requestId);
                    assertThat(r.path("timestamp").asText()).endsWith("Z");
                })
                .anySatisfy(r -> assertThat(
                                r.path("level").asText() + r.path("message").asText())
                        .isEqualTo("ERRORshown-error"))
                .anySatisfy(r -> assertThat(r.path("message").asText()).isEqualTo("printed-error"))
                .anySatisfy(r -> {
                    assertThat(r.path("type").asText()).isEqualTo("platform.start");
                    assertThat(r.path("record").get("requestId").asText()).isEqualTo(requestId);
                })
                .anySatisfy(r -> {
                    assertThat(r.path("type").asText()).isEqualTo("platform.report");
                    assertThat(r.path("record")
                                    .get("metrics")
                                    .get("billedDurationMs")
                                    .asLong())
                            .isPositive();
                    assertThat(r.path("record")
                                    .get("metrics")
                                    .get("memorySizeMB")
                                    .asInt())
                            .isEqualTo(128);
                });
        assertThat(messages).noneMatch(m -> m.startsWith("START RequestId:") || m.startsWith("REPORT RequestId:"));
    }

    @Test
    void aJsonNodeFunctionWritesJsonRecordsAndTheSystemLevelDropsPlatformRecords() {
        Tools.node();
        String name = spur.deploy(
                "node-json",
                FunctionPackage.node(
                        "nodejs20.x", "index.handler", Zips.create().text("index.mjs", """
                        export const handler = async () => {
                          console.trace('node-trace');
                          console.debug('node-debug');
                          console.error(new Error('node-bad'));
                          return 'ok';
                        };
                        """)),
                b -> b.loggingConfig(l -> l.logFormat(LogFormat.JSON)
                        .applicationLogLevel(ApplicationLogLevel.DEBUG)
                        .systemLogLevel(SystemLogLevel.WARN)));
        Spur.ok(spur.invoke(name, Map.of()));
        List<String> messages = messages("/aws/lambda/" + name);
        List<JsonNode> records = records(messages);
        assertThat(messages).noneMatch(m -> m.contains("node-trace"));
        assertThat(records)
                .anySatisfy(r -> assertThat(
                                r.path("level").asText() + r.path("message").asText())
                        .isEqualTo("DEBUGnode-debug"))
                .anySatisfy(r -> {
                    assertThat(r.path("level").asText()).isEqualTo("ERROR");
                    assertThat(r.path("errorType").asText()).isEqualTo("Error");
                    assertThat(r.path("errorMessage").asText()).isEqualTo("node-bad");
                })
                .noneMatch(r -> r.has("type"));
    }

    @Test
    void aCustomLogGroupGetsTheLinesAndPublishedVersionsKeepTheirLogging() throws Exception {
        String group = "/spur/custom/" + Spur.uniqueName("grp");
        String name = spur.deploy(
                "grp",
                FunctionPackage.testRuntime(),
                b -> b.publish(true)
                        .loggingConfig(l -> l.logFormat(LogFormat.JSON).logGroup(group)));
        JsonNode env = Spur.ok(spur.invoke(name, Map.of("env", true)));
        assertThat(env.get("env").get("AWS_LAMBDA_LOG_GROUP_NAME").asText()).isEqualTo(group);
        assertThat(env.get("env").get("AWS_LAMBDA_LOG_FORMAT").asText()).isEqualTo("JSON");
        assertThat(env.get("env").get("AWS_LAMBDA_LOG_LEVEL").asText()).isEqualTo("INFO");
        spur.lambda()
                .updateFunctionConfiguration(b -> b.functionName(name).loggingConfig(l -> l.logFormat(LogFormat.TEXT)));
        GetFunctionConfigurationResponse latest = spur.lambda().getFunctionConfiguration(b -> b.functionName(name));
        assertThat(latest.loggingConfig().logFormat()).isEqualTo(LogFormat.TEXT);
        assertThat(latest.loggingConfig().applicationLogLevel()).isNull();
        assertThat(latest.loggingConfig().logGroup()).isEqualTo(group);
        GetFunctionConfigurationResponse v1 =
                spur.lambda().getFunctionConfiguration(b -> b.functionName(name).qualifier("1"));
        assertThat(v1.loggingConfig().logFormat()).isEqualTo(LogFormat.JSON);
        assertThat(v1.loggingConfig().applicationLogLevel()).isEqualTo(ApplicationLogLevel.INFO);

        assertThat(logs.describeLogGroups(r -> r.logGroupNamePrefix(group)).logGroups())
                .singleElement()
                .satisfies(g -> assertThat(g.logGroupName()).isEqualTo(group));
        assertThat(records(messages(group)))
                .anySatisfy(r -> assertThat(r.path("type").asText()).isEqualTo("platform.report"));
        assertThat(logs.describeLogGroups(r -> r.logGroupNamePrefix("/aws/lambda/" + name))
                        .logGroups())
                .isEmpty();
    }
}
