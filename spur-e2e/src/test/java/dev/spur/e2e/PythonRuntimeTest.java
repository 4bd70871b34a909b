package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import dev.spur.testing.Zips;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;

/** The python3.x runtimes with Spur's standard-library runtime client and ordinary handler code. */
@SpurTest
class PythonRuntimeTest {
    static Spur spur;

    static final String APP = """
            import json, logging, os
            logger = logging.getLogger()
            logger.setLevel(logging.INFO)
            COUNT = {"init": 0, "calls": 0}
            COUNT["init"] += 1

            def handler(event, context):
                COUNT["calls"] += 1
                print("printing", event.get("say"))
                logger.info("logging %s", event.get("say"))
                if event.get("fail"):
                    raise ValueError("bad input: " + event["fail"])
                return {
                    "requestId": context.aws_request_id,
                    "functionName": context.function_name,
                    "functionVersion": context.function_version,
                    "arn": context.invoked_function_arn,
                    "memory": context.memory_limit_in_mb,
                    "remaining": context.get_remaining_time_in_millis(),
                    "logGroup": context.log_group_name,
                    "logStream": context.log_stream_name,
                    "custom": (context.client_context.custom if context.client_context else None),
                    "inits": COUNT["init"],
                    "calls": COUNT["calls"],
                    "region": os.environ["AWS_REGION"],
                    "execEnv": os.environ.get("AWS_EXECUTION_ENV"),
                }
            """;

    @BeforeAll
    static void requirePython() {
        Tools.python();
    }

    private static String deploy(String handler, Zips zip) {
        return spur.deploy("py", new FunctionPackage("python3.12", handler, zip), b -> b.timeout(5));
    }

    private static InvokeResponse invoke(String name, String payload) {
        return spur.lambda()
                .invoke(b -> b.functionName(name)
                        .logType(LogType.TAIL)
                        .clientContext(Base64.getEncoder().encodeToString("{\"custom\":{\"k\":\"v\"}}".getBytes()))
                        .payload(SdkBytes.fromUtf8String(payload)));
    }

    @Test
    void handlerSeesLambdasContextAndModuleStateSurvivesWarmInvocations() throws Exception {
        String name = deploy("app.handler", Zips.create().text("app.py", APP));
        InvokeResponse first = invoke(name, "{\"say\":\"hi\"}");
        assertThat(first.functionError()).as(first.payload().asUtf8String()).isNull();
        JsonNode out = Json.MAPPER.readTree(first.payload().asByteArray());
        assertThat(out.get("functionName").asText()).isEqualTo(name);
        assertThat(out.get("functionVersion").asText()).isEqualTo("$LATEST");
        assertThat(out.get("arn").asText()).endsWith(":function:" + name); // invoked without a qualifier
        assertThat(out.get("memory").asInt()).isEqualTo(128);
        assertThat(out.get("remaining").asLong()).isBetween(1L, 5000L);
        assertThat(out.get("logGroup").asText()).isEqualTo("/aws/lambda/" + name);
        assertThat(out.get("custom").get("k").asText()).isEqualTo("v");
        assertThat(out.get("region").asText()).isEqualTo("us-east-1");
        assertThat(out.get("execEnv").asText()).isEqualTo("AWS_Lambda_python3.12");
        String log = Spur.tail(first);
        assertThat(log).contains("printing hi").contains("logging hi").contains("[INFO]");
        JsonNode second = Json.MAPPER.readTree(invoke(name, "{}").payload().asByteArray());
        assertThat(second.get("inits").asInt()).isEqualTo(1);
        assertThat(second.get("calls").asInt()).isEqualTo(2);
    }

    @Test
    void exceptionBecomesLambdasErrorShape() throws Exception {
        String name = deploy("app.handler", Zips.create().text("app.py", APP));
        InvokeResponse r = invoke(name, "{\"fail\":\"nope\"}");
        assertThat(r.functionError()).isEqualTo("Unhandled");
        JsonNode error = Json.MAPPER.readTree(r.payload().asByteArray());
        assertThat(error.get("errorType").asText()).isEqualTo("ValueError");
        assertThat(error.get("errorMessage").asText()).isEqualTo("bad input: nope");
        assertThat(error.get("stackTrace").isArray()).isTrue();
        assertThat(error.get("stackTrace").toString()).contains("app.py");
    }

    @Test
    void handlerInASubdirectoryPackage() {
        String name =
                deploy("pkg/mod.handler", Zips.create().text("pkg/mod.py", "def handler(e, c):\n    return 'ok'\n"));
        assertThat(invoke(name, "{}").payload().asUtf8String()).isEqualTo("\"ok\"");
    }

    @Test
    void importErrorIsReportedAsRuntimeImportModuleError() throws Exception {
        String name = deploy("app.handler", Zips.create().text("app.py", "import no_such_module\n"));
        InvokeResponse r = invoke(name, "{}");
        assertThat(r.functionError()).isEqualTo("Unhandled");
        JsonNode error = Json.MAPPER.readTree(r.payload().asByteArray());
        assertThat(error.get("errorType").asText()).isEqualTo("Runtime.ImportModuleError");
        assertThat(error.get("errorMessage").asText())
                .contains("Unable to import module 'app'")
                .contains("no_such_module");
    }

    @Test
    void missingHandlerIsRuntimeHandlerNotFound() throws Exception {
        String name = deploy("app.nothing", Zips.create().text("app.py", APP));
        JsonNode error = Json.MAPPER.readTree(invoke(name, "{}").payload().asByteArray());
        assertThat(error.get("errorType").asText()).isEqualTo("Runtime.HandlerNotFound");
    }
}
