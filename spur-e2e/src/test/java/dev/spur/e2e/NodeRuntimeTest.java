package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import dev.spur.testing.Zips;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/** The nodejs runtimes: ES modules and CommonJS, async and callback handlers, Lambda's errors and console. */
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
}
