package dev.spur.runtimes;

import static dev.spur.runtimes.ClientProcess.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.Tools;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bootstrap.mjs's handler resolution, run by this machine's Node (see {@code clients/node_driver.mjs}):
 * every module flavour Lambda accepts, and the init errors it reports. Skipped without Node.
 */
class NodeClientTest {
    @TempDir
    Path tmp;

    private Path taskRoot;
    private Path driver;
    private Path node;
    private Path bootstrap;

    @BeforeEach
    void install() throws IOException {
        Runtimes runtimes = Runtimes.install(tmp.resolve("runtimes"), Interpreters.ofSystem(), task -> {});
        LambdaRuntime runtime = runtimes.find("nodejs20.x").orElse(null);
        if (runtime == null) {
            throw Tools.unavailable("no node on this machine");
        }
        List<String> plan = runtime.plan(Functions.function("nodejs20.x", "index.handler", 128), tmp)
                .command();
        node = Path.of(plan.get(0));
        bootstrap = Path.of(plan.get(plan.size() - 1));
        driver = ClientProcess.driver(tmp, "node_driver.mjs");
        taskRoot = tmp.resolve("task");
        write(taskRoot.resolve("index.mjs"), """
                export const handler = async (event) => ({ esm: event.ping });
                export const nested = { deeper: { fn: async () => 'nested' } };
                export const notAFunction = 42;
                """);
        write(taskRoot.resolve("common.js"), "exports.handler = async () => 'commonjs';\n");
        write(taskRoot.resolve("explicit.cjs"), "module.exports.handler = async () => 'cjs';\n");
        write(taskRoot.resolve("esm/package.json"), "{\"type\": \"module\"}\n");
        write(taskRoot.resolve("esm/app.js"), "export const handler = async () => 'esm in .js';\n");
        write(
                taskRoot.resolve("missing-dependency.mjs"),
                "import x from 'not-installed'; export const handler = () => x;\n");
        write(taskRoot.resolve("syntax.mjs"), "export const handler = async ( => 1;\n");
        write(taskRoot.resolve("throws.mjs"), "throw new TypeError('init failed');\n");
    }

    private JsonNode load(String handler) throws IOException, InterruptedException {
        String output = ClientProcess.run(
                List.of(node.toString(), driver.toString(), bootstrap.toString(), taskRoot.toString(), handler),
                Map.of());
        return Json.MAPPER.readTree(output);
    }

    @Test
    void everyModuleFlavourLambdaAcceptsIsLoaded() throws Exception {
        assertThat(load("index.handler").get("result").toString()).isEqualTo("{\"esm\":1}");
        assertThat(load("index.nested.deeper.fn").get("result").asText()).isEqualTo("nested");
        assertThat(load("common.handler").get("result").asText()).isEqualTo("commonjs");
        assertThat(load("explicit.handler").get("result").asText()).isEqualTo("cjs");
        assertThat(load("esm/app.handler").get("result").asText()).isEqualTo("esm in .js");
    }

    @Test
    void initFailuresCarryLambdasErrorTypesAndMessages() throws Exception {
        assertInitError("nope.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'nope'");
        assertInitError("index.missing", "Runtime.HandlerNotFound", "index.missing is undefined or not exported");
        assertInitError("index.notAFunction", "Runtime.HandlerNotFound", "index.notAFunction is not a function");
        assertInitError("index", "Runtime.MalformedHandlerName", "Bad handler");
        assertInitError(
                "../index.handler",
                "Runtime.MalformedHandlerName",
                "'../index.handler' is not a valid handler name. Use absolute paths when specifying root directories in handler names.");
        assertInitError("throws.handler", "TypeError", "init failed");
        JsonNode syntax = load("syntax.handler").get("initError");
        assertThat(syntax.get("errorType").asText()).isEqualTo("Runtime.UserCodeSyntaxError");
        assertThat(syntax.get("errorMessage").asText()).startsWith("SyntaxError: ");
        JsonNode dependency = load("missing-dependency.handler").get("initError");
        assertThat(dependency.get("errorType").asText()).isEqualTo("Runtime.ImportModuleError");
        assertThat(dependency.get("errorMessage").asText()).contains("'not-installed'");
        assertThat(dependency.get("trace").get(0).asText()).startsWith("Runtime.ImportModuleError: ");
    }

    private void assertInitError(String handler, String errorType, String message) throws Exception {
        JsonNode error = load(handler).get("initError");
        assertThat(error.get("errorType").asText()).as(handler).isEqualTo(errorType);
        assertThat(error.get("errorMessage").asText()).as(handler).isEqualTo(message);
    }
}
