package dev.spur.runtimes;

import static dev.spur.runtimes.ClientProcess.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.Tools;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bootstrap.py's handler loading and invocation, run by this machine's Python with the Runtime API
 * replaced by a recording stub (see {@code clients/python_driver.py}). Skipped without a Python.
 */
class PythonClientTest {
    @TempDir
    Path tmp;

    private Path taskRoot;
    private LambdaRuntime runtime;
    private Runtimes runtimes;
    private Path driver;

    @BeforeEach
    void install() throws IOException {
        runtimes = Runtimes.install(tmp.resolve("runtimes"), Interpreters.ofSystem(), task -> {});
        runtime = runtimes.find("python3.12").orElse(null);
        if (runtime == null) {
            throw Tools.unavailable("no python3 on this machine");
        }
        driver = ClientProcess.driver(tmp, "python_driver.py");
        taskRoot = tmp.resolve("task");
        write(taskRoot.resolve("app.py"), """
                import logging
                print("init ran")

                def handler(event, context):
                    logging.getLogger().warning("got %s", event)
                    cc = context.client_context
                    return {"event": event, "requestId": context.aws_request_id, "function": context.function_name,
                            "version": context.function_version, "memory": context.memory_limit_in_mb,
                            "arn": context.invoked_function_arn, "logGroup": context.log_group_name,
                            "remaining": context.get_remaining_time_in_millis(),
                            "custom": cc.custom, "env": cc.env, "appTitle": cc.client.app_title,
                            "identity": context.identity.cognito_identity_id, "text": "héllo"}

                def fails(event, context):
                    def deeper():
                        raise ValueError("bad value")
                    deeper()

                def decimals(event, context):
                    from decimal import Decimal
                    return {"int": Decimal("10"), "fraction": Decimal("1.5")}

                def unserializable(event, context):
                    return {1, 2}
                """);
        write(taskRoot.resolve("pkg/nested/mod.py"), "def handler(event, context):\n    return 'nested'\n");
        write(taskRoot.resolve("broken_import.py"), "import not_a_module\n");
        write(taskRoot.resolve("syntax.py"), "def (:\n");
        write(taskRoot.resolve("raises.py"), "raise RuntimeError('init failed')\n");
    }

    private String run(String... args) throws IOException, InterruptedException {
        List<String> plan = runtime.plan(Functions.function("python3.12", args[1], 256), taskRoot)
                .command();
        List<String> command = new ArrayList<>(List.of(
                plan.get(0),
                "-S",
                driver.toString(),
                runtimes.directory().resolve("python").toString(),
                taskRoot.toString()));
        command.addAll(List.of(args));
        return ClientProcess.run(
                command,
                Map.of(
                        "AWS_EXECUTION_ENV",
                        "AWS_Lambda_python3.12",
                        "PYTHONDONTWRITEBYTECODE",
                        "1",
                        "AWS_LAMBDA_FUNCTION_NAME",
                        "my-function",
                        "AWS_LAMBDA_FUNCTION_VERSION",
                        "$LATEST",
                        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                        "256",
                        "AWS_LAMBDA_LOG_GROUP_NAME",
                        "/aws/lambda/my-function"));
    }

    private static Map<String, String> headers(long deadlineMs) {
        return Map.of(
                "lambda-runtime-aws-request-id", "req-1",
                "lambda-runtime-deadline-ms", Long.toString(deadlineMs),
                "lambda-runtime-invoked-function-arn", "arn:aws:lambda:us-east-1:123456789012:function:my-function",
                "lambda-runtime-client-context",
                        "{\"client\":{\"app_title\":\"t\"},\"custom\":{\"k\":\"v\"},\"env\":{\"e\":\"1\"}}",
                "lambda-runtime-cognito-identity", "{\"cognitoIdentityId\":\"id-1\"}");
    }

    private JsonNode invoke(String handler, String event) throws IOException, InterruptedException {
        String headers = Json.MAPPER.writeValueAsString(headers(System.currentTimeMillis() + 3_000));
        return lastLine(run("invoke", handler, event, headers));
    }

    private JsonNode load(String handler) throws IOException, InterruptedException {
        return lastLine(run("load", handler));
    }

    /** The driver's JSON document; lines before it are what the function printed. */
    private static JsonNode lastLine(String output) throws IOException {
        String[] lines = output.strip().split("\n");
        return Json.MAPPER.readTree(lines[lines.length - 1]);
    }

    @Test
    void handlerIsFoundByModulePathRelativeToTheTaskRoot() throws Exception {
        assertThat(load("pkg/nested/mod.handler").get("loaded").asText()).isEqualTo("handler");
    }

    @Test
    void contextCarriesFunctionAndInvocationDataLikeLambdas() throws Exception {
        JsonNode post = invoke("app.handler", "{\"a\":1}");
        assertThat(post.get("path").asText()).isEqualTo("invocation/req-1/response");
        JsonNode result = post.get("body");
        assertThat(result.get("event").get("a").asInt()).isEqualTo(1);
        assertThat(result.get("requestId").asText()).isEqualTo("req-1");
        assertThat(result.get("function").asText()).isEqualTo("my-function");
        assertThat(result.get("version").asText()).isEqualTo("$LATEST");
        assertThat(result.get("memory").asText()).isEqualTo("256");
        assertThat(result.get("arn").asText()).endsWith(":function:my-function");
        assertThat(result.get("logGroup").asText()).isEqualTo("/aws/lambda/my-function");
        assertThat(result.get("remaining").asInt()).isBetween(1, 3_000);
        assertThat(result.get("custom").get("k").asText()).isEqualTo("v");
        assertThat(result.get("env").get("e").asText()).isEqualTo("1");
        assertThat(result.get("appTitle").asText()).isEqualTo("t");
        assertThat(result.get("identity").asText()).isEqualTo("id-1");
        assertThat(result.get("text").asText()).isEqualTo("héllo");
    }

    @Test
    void logLinesHaveLambdasFormatWithTheRequestId() throws Exception {
        String headers = Json.MAPPER.writeValueAsString(headers(System.currentTimeMillis() + 3_000));
        String output = run("invoke", "app.handler", "{}", headers);
        assertThat(output).contains("init ran\n");
        assertThat(output)
                .containsPattern(
                        "\\[WARNING\\]\t\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\treq-1\tgot \\{}\n");
    }

    @Test
    void handlerExceptionIsPostedWithLambdasShapeAndLogged() throws Exception {
        String headers = Json.MAPPER.writeValueAsString(headers(System.currentTimeMillis() + 3_000));
        String output = run("invoke", "app.fails", "{}", headers);
        JsonNode post = lastLine(output);
        assertThat(post.get("path").asText()).isEqualTo("invocation/req-1/error");
        assertThat(post.get("headers").get("Lambda-Runtime-Function-Error-Type").asText())
                .isEqualTo("ValueError");
        JsonNode error = post.get("body");
        assertThat(error.get("errorType").asText()).isEqualTo("ValueError");
        assertThat(error.get("errorMessage").asText()).isEqualTo("bad value");
        assertThat(error.get("requestId").asText()).isEqualTo("req-1");
        assertThat(error.get("stackTrace")).hasSize(2);
        assertThat(error.get("stackTrace").get(0).asText())
                .matches("  File \"" + taskRoot.resolve("app.py") + "\", line \\d+, in fails\n    deeper\\(\\)\n");
        assertThat(output)
                .contains("[ERROR] ValueError: bad value\rTraceback (most recent call last):\r\u00a0\u00a0File");
    }

    @Test
    void decimalsAreWrittenAsNumbers() throws Exception {
        assertThat(invoke("app.decimals", "{}").get("body").toString()).isEqualTo("{\"int\":10,\"fraction\":1.5}");
    }

    @Test
    void unserializableResultIsAMarshalError() throws Exception {
        JsonNode error = invoke("app.unserializable", "{}").get("body");
        assertThat(error.get("errorType").asText()).isEqualTo("Runtime.MarshalError");
        assertThat(error.get("errorMessage").asText())
                .isEqualTo("Unable to marshal response: Object of type set is not JSON serializable");
    }

    @Test
    void initFailuresCarryLambdasErrorTypesAndMessages() throws Exception {
        assertInitError(
                "broken_import.handler",
                "Runtime.ImportModuleError",
                "Unable to import module 'broken_import': No module named 'not_a_module'");
        assertInitError("app.missing", "Runtime.HandlerNotFound", "Handler 'missing' missing on module 'app'");
        assertInitError(
                "nodot",
                "Runtime.MalformedHandlerName",
                "Bad handler 'nodot': not enough values to unpack (expected 2, got 1)");
        assertInitError(
                "sys.handler", "Runtime.BuiltInModuleConflict", "Cannot use built-in module sys as a handler module");
        assertInitError("raises.handler", "RuntimeError", "init failed");
        JsonNode syntax = load("syntax.handler").get("initError");
        assertThat(syntax.get("errorType").asText()).isEqualTo("Runtime.UserCodeSyntaxError");
        assertThat(syntax.get("errorMessage").asText()).startsWith("Syntax error in module 'syntax': invalid syntax");
        assertThat(syntax.get("stackTrace").get(0).asText())
                .startsWith("  File \"" + taskRoot.resolve("syntax.py") + "\" Line 1");
    }

    private void assertInitError(String handler, String errorType, String message) throws Exception {
        JsonNode error = load(handler).get("initError");
        assertThat(error.get("errorType").asText()).as(handler).isEqualTo(errorType);
        assertThat(error.get("errorMessage").asText()).as(handler).isEqualTo(message);
        assertThat(error.has("requestId")).isFalse();
    }
}
