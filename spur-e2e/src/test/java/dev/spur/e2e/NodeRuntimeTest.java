package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import dev.spur.testing.Zips;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * The nodejs runtimes: ES modules and CommonJS, async and callback handlers, Lambda's errors and
 * console, and the client's own HTTP/1.1 over the Runtime API (node/runtime-api.mjs): answers that
 * span many reads, multi-byte text, a connection Spur closes, event-loop semantics that depend on
 * the connection not keeping the loop alive.
 */
@SpurTest
class NodeRuntimeTest {
    static Spur spur;

    @BeforeAll
    static void requireNode() {
        Tools.node();
    }

    private static String deploy(String runtime, String handler, Zips zip) {
        return spur.deploy("node", FunctionPackage.node(runtime, handler, zip), b -> b.timeout(5));
    }

    private static InvokeResponse invoke(String name, String payload) {
        return spur.invokeWithTail(name, payload);
    }

    private static String log(InvokeResponse r) {
        return Spur.tail(r);
    }

    @Test
    void esModuleAsyncHandler() throws Exception {
        String name = deploy("nodejs20.x", "index.handler", Zips.create().text("index.mjs", """
                let calls = 0;
                export const handler = async (event, context) => {
                  calls++;
                  console.log("hello from", event.who);
                  return { who: event.who, calls, requestId: context.awsRequestId, fn: context.functionName,
                           remaining: context.getRemainingTimeInMillis(), memory: context.memoryLimitInMB };
                };
                """));
        InvokeResponse r = invoke(name, "{\"who\":\"esm\"}");
        assertThat(r.functionError()).as(r.payload().asUtf8String()).isNull();
        JsonNode out = Json.MAPPER.readTree(r.payload().asByteArray());
        assertThat(out.get("who").asText()).isEqualTo("esm");
        assertThat(out.get("fn").asText()).isEqualTo(name);
        assertThat(out.get("remaining").asLong()).isBetween(1L, 5000L);
        assertThat(out.get("memory").asText()).isEqualTo("128");
        assertThat(log(r))
                .containsPattern("\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z\t"
                        + out.get("requestId").asText() + "\tINFO\thello from esm");
        assertThat(Json.MAPPER
                        .readTree(invoke(name, "{}").payload().asByteArray())
                        .get("calls")
                        .asInt())
                .isEqualTo(2);
    }

    @Test
    void commonJsCallbackHandler() {
        String name = deploy("nodejs18.x", "index.handler", Zips.create().text("index.js", """
                exports.handler = function (event, context, callback) {
                  setTimeout(() => callback(null, { doubled: event.n * 2 }), 10);
                };
                """));
        assertThat(invoke(name, "{\"n\":21}").payload().asUtf8String()).isEqualTo("{\"doubled\":42}");
    }

    @Test
    void javascriptFileInATypeModulePackage() {
        String name = deploy(
                "nodejs22.x",
                "src/app.main",
                Zips.create()
                        .text("package.json", "{\"type\":\"module\"}")
                        .text("src/app.js", "export async function main(event) { return 'module:' + event.x; }\n"));
        assertThat(invoke(name, "{\"x\":1}").payload().asUtf8String()).isEqualTo("\"module:1\"");
    }

    @Test
    void thrownErrorBecomesLambdasErrorShape() throws Exception {
        String name = deploy("nodejs20.x", "index.handler", Zips.create().text("index.mjs", """
                export const handler = async () => { throw new TypeError("wrong type"); };
                """));
        InvokeResponse r = invoke(name, "{}");
        assertThat(r.functionError()).isEqualTo("Unhandled");
        JsonNode error = Json.MAPPER.readTree(r.payload().asByteArray());
        assertThat(error.get("errorType").asText()).isEqualTo("TypeError");
        assertThat(error.get("errorMessage").asText()).isEqualTo("wrong type");
        assertThat(error.get("trace").isArray()).isTrue();
    }

    @Test
    void missingModuleIsRuntimeImportModuleError() throws Exception {
        String name = deploy("nodejs20.x", "missing.handler", Zips.create().text("index.mjs", "export const x = 1;\n"));
        JsonNode error = Json.MAPPER.readTree(invoke(name, "{}").payload().asByteArray());
        assertThat(error.get("errorType").asText()).isEqualTo("Runtime.ImportModuleError");
    }

    @Test
    void missingExportIsRuntimeHandlerNotFound() throws Exception {
        String name = deploy("nodejs20.x", "index.nope", Zips.create().text("index.mjs", "export const x = 1;\n"));
        JsonNode error = Json.MAPPER.readTree(invoke(name, "{}").payload().asByteArray());
        assertThat(error.get("errorType").asText()).isEqualTo("Runtime.HandlerNotFound");
    }

    @Test
    void eventsAndResponsesOfMegabytesWithMultiByteTextArriveWhole() throws Exception {
        String name = deploy("nodejs20.x", "index.handler", Zips.create().text("index.mjs", """
                export const handler = async (event) => ({ chars: event.s.length, echo: event.s });
                """));
        String text = "é€a".repeat(600_000); // 3.6 MB of UTF-8: answers cross many reads
        InvokeResponse r = invoke(name, Json.MAPPER.writeValueAsString(Map.of("s", text)));
        assertThat(r.functionError()).isNull();
        JsonNode out = Json.MAPPER.readTree(r.payload().asByteArray());
        assertThat(out.get("chars").asInt()).isEqualTo(text.length());
        assertThat(out.get("echo").asText()).isEqualTo(text);
    }

    @Test
    void afterSpurRefusesAResponseOverSixMegabytesTheSameProcessServesTheNextInvoke() throws Exception {
        String name = deploy("nodejs20.x", "index.handler", Zips.create().text("index.mjs", """
                let calls = 0;
                export const handler = async (event) => {
                  calls++;
                  return event.big ? 'x'.repeat(7 * 1024 * 1024) : { calls };
                };
                """));
        assertThat(invoke(name, "{}").functionError()).isNull();
        InvokeResponse tooLarge = invoke(name, "{\"big\":true}");
        assertThat(tooLarge.functionError()).isEqualTo("Unhandled");
        assertThat(tooLarge.payload().asUtf8String()).contains("Function.ResponseSizeTooLarge");
        // Spur answered 413 and closed the connection; the same process (its third call) reconnects.
        JsonNode after = Json.MAPPER.readTree(invoke(name, "{}").payload().asByteArray());
        assertThat(after.get("calls").asInt()).isEqualTo(3);
    }

    @Test
    void callbackHandlerAnswersOnceItsTimersHaveRunOrAtOnceWhenToldNotToWait() throws Exception {
        String name = deploy("nodejs20.x", "index.handler", Zips.create().text("index.js", """
                let timerRan = false;
                exports.handler = (event, context, callback) => {
                  if (event.wait) {
                    setTimeout(() => { timerRan = true; }, 50);
                    callback(null, 'answered');
                  } else if (event.noWait) {
                    context.callbackWaitsForEmptyEventLoop = false;
                    setTimeout(() => {}, 60_000);
                    callback(null, 'at once');
                  } else {
                    callback(null, { timerRan });
                  }
                };
                """));
        assertThat(invoke(name, "{\"wait\":true}").payload().asUtf8String()).isEqualTo("\"answered\"");
        assertThat(invoke(name, "{}").payload().asUtf8String()).isEqualTo("{\"timerRan\":true}");
        // The function's timeout is 5 s: waiting for the 60 s timer would time it out.
        assertThat(invoke(name, "{\"noWait\":true}").payload().asUtf8String()).isEqualTo("\"at once\"");
    }

    @Test
    void asyncHandlerWhosePromiseNeverSettlesFailsWhenTheEventLoopEmpties() throws Exception {
        String name = deploy("nodejs20.x", "index.handler", Zips.create().text("index.mjs", """
                export const handler = async () => { await new Promise(() => {}); };
                """));
        InvokeResponse r = invoke(name, "{}");
        assertThat(r.functionError()).isEqualTo("Unhandled");
        JsonNode error = Json.MAPPER.readTree(r.payload().asByteArray());
        assertThat(error.get("errorType").asText()).isEqualTo("Runtime.NodeJsExit");
    }

    @Test
    void errorNamedWithLineBreaksIsReportedWithoutBreakingTheConnection() throws Exception {
        String name = deploy("nodejs20.x", "index.handler", Zips.create().text("index.mjs", """
                class Odd extends Error { get name() { return 'Odd\\r\\nX-Injected: 1'; } }
                export const handler = async (event) => { if (event.fail) throw new Odd('é'); return 'fine'; };
                """));
        InvokeResponse r = invoke(name, "{\"fail\":true}");
        assertThat(r.functionError()).isEqualTo("Unhandled");
        JsonNode error = Json.MAPPER.readTree(r.payload().asByteArray());
        assertThat(error.get("errorType").asText()).isEqualTo("Odd\r\nX-Injected: 1");
        assertThat(error.get("errorMessage").asText()).isEqualTo("é");
        assertThat(invoke(name, "{}").payload().asUtf8String()).isEqualTo("\"fine\"");
    }

    @Test
    void contextCarriesTheClientContextAndTheInvokedArn() throws Exception {
        String name = deploy("nodejs20.x", "index.handler", Zips.create().text("index.mjs", """
                export const handler = async (event, context) => ({
                  custom: context.clientContext.custom, arn: context.invokedFunctionArn,
                  trace: process.env._X_AMZN_TRACE_ID });
                """));
        InvokeResponse r = spur.lambda()
                .invoke(b -> b.functionName(name)
                        .clientContext(Base64.getEncoder()
                                .encodeToString("{\"custom\":{\"k\":\"v\"}}".getBytes(StandardCharsets.UTF_8)))
                        .payload(SdkBytes.fromUtf8String("{}")));
        JsonNode out = Json.MAPPER.readTree(r.payload().asByteArray());
        assertThat(out.get("custom").get("k").asText()).isEqualTo("v");
        assertThat(out.get("arn").asText()).endsWith(":function:" + name);
        assertThat(out.get("trace").asText()).startsWith("Root=");
    }
}
