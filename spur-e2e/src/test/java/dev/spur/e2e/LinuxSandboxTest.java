package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.sandbox.LinuxSandbox;
import dev.spur.sandbox.Sandbox;
import dev.spur.server.SpurServer;
import dev.spur.testing.Directories;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * A server with {@code --sandbox linux}: python3.12 functions run in bubblewrap namespaces and a
 * cgroup, see their code read-only at {@code /var/task}, nothing of Spur's data directory, and are
 * killed (and replaced) when they outgrow their memory. Skipped without bwrap locally; fails under
 * {@code CI=true}.
 */
@SpurTest(sandbox = SpurTest.Sandbox.LINUX)
class LinuxSandboxTest {
    static Spur spur;

    static final String APP = """
            import os, threading, time, uuid
            BOOT = str(uuid.uuid4())
            TICKS = [0]

            def tick():
                while True:
                    TICKS[0] += 1
                    time.sleep(0.01)

            threading.Thread(target=tick, daemon=True).start()

            def attempt(action):
                try:
                    action()
                    return "allowed"
                except OSError as e:
                    return type(e).__name__

            def handler(event, context):
                if event.get("allocate"):
                    blocks = []
                    while True:
                        blocks.append(bytearray(16 << 20))
                def write_tmp():
                    with open("/tmp/scratch", "w") as f:
                        f.write("ok")
                if event.get("ticks"):
                    return {"ticks": TICKS[0]}
                return {
                    "boot": BOOT,
                    "cwd": os.getcwd(),
                    "task": sorted(os.listdir("/var/task")),
                    "taskRootVar": os.environ["LAMBDA_TASK_ROOT"],
                    "runtimeDirVar": os.environ["LAMBDA_RUNTIME_DIR"],
                    "runtimeDir": sorted(os.listdir("/var/runtime")),
                    "readDb": attempt(lambda: open(event["db"], "rb").read(1)),
                    "listDataDir": attempt(lambda: os.listdir(event["dataDir"])),
                    "writeTask": attempt(lambda: open("/var/task/new.txt", "w").write("x")),
                    "writeTmp": attempt(write_tmp),
                }
            """;

    private static String deploy() {
        return spur.deployPython("jail", APP, 128, 0, 20);
    }

    private static InvokeResponse invoke(String name, Map<String, Object> event) throws Exception {
        return spur.invokeWithTail(name, Json.MAPPER.writeValueAsString(event));
    }

    private static Map<String, Object> probe() {
        return Map.of(
                "db",
                spur.dataDir().resolve("spur.db").toString(),
                "dataDir",
                spur.dataDir().toString());
    }

    private static JsonNode ok(InvokeResponse response) throws Exception {
        assertThat(response.functionError())
                .as(response.payload().asUtf8String())
                .isNull();
        return Json.MAPPER.readTree(response.payload().asByteArray());
    }

    private static String tail(InvokeResponse response) {
        return Spur.tail(response);
    }

    @Test
    void functionSeesItsCodeReadOnlyAtVarTaskAndNothingOfSpursDataDirectory() throws Exception {
        assertThat(spur.server().isolation()).isEqualTo("linux");
        String name = deploy();
        JsonNode cold = ok(invoke(name, probe()));
        assertThat(cold.get("cwd").asText()).isEqualTo("/var/task");
        assertThat(cold.get("task").toString()).isEqualTo("[\"app.py\"]");
        assertThat(cold.get("taskRootVar").asText()).isEqualTo("/var/task");
        assertThat(cold.get("runtimeDirVar").asText()).isEqualTo("/var/runtime");
        assertThat(cold.get("runtimeDir").toString()).contains("bootstrap.py");
        assertThat(cold.get("readDb").asText()).isIn("FileNotFoundError", "PermissionError");
        assertThat(cold.get("listDataDir").asText()).isIn("FileNotFoundError", "PermissionError");
        assertThat(cold.get("writeTask").asText()).isIn("OSError", "PermissionError");
        assertThat(cold.get("writeTmp").asText()).isEqualTo("allowed");

        JsonNode warm = ok(invoke(name, probe()));
        assertThat(warm.get("boot").asText()).isEqualTo(cold.get("boot").asText());
    }

    @Test
    void functionAllocatingPastItsMemoryGetsOutOfMemoryAndTheNextInvokeGetsAFreshEnvironment() throws Exception {
        String name = deploy();
        JsonNode before = ok(invoke(name, probe()));

        InvokeResponse oom = invoke(name, Map.of("allocate", true));
        assertThat(oom.functionError()).isEqualTo("Unhandled");
        JsonNode error = Json.MAPPER.readTree(oom.payload().asByteArray());
        assertThat(error.get("errorType").asText()).as(error.toString()).isEqualTo("Runtime.OutOfMemory");
        assertThat(error.get("errorMessage").asText()).contains("Runtime exited with error: signal: killed");
        assertThat(tail(oom)).containsPattern("Memory Size: 128 MB\tMax Memory Used: 1[0-9]{2} MB");

        JsonNode after = ok(invoke(name, probe()));
        assertThat(after.get("boot").asText()).isNotEqualTo(before.get("boot").asText());
        assertThat(after.get("writeTmp").asText()).isEqualTo("allowed");
    }

    @Test
    void serverRefusesADataDirectoryTheSandboxUserCannotReachBeforeCreatingAnything() throws Exception {
        Path closed = Files.createTempDirectory("spur-e2e-closed-"); // 0700
        try {
            Path data = closed.resolve("data");
            assertThatThrownBy(() -> SpurServer.start(SpurServer.Options.defaults(data)
                            .withPort(0)
                            .withSandbox(Sandbox.linux(LinuxSandbox.Settings.defaults()))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(closed + " is closed to others");
            assertThat(data).doesNotExist();
        } finally {
            Directories.deleteTree(closed);
        }
    }

    @Test
    void backgroundThreadsUseNoCpuWhileTheEnvironmentIsIdle() throws Exception {
        String name = deploy();
        long first = ok(invoke(name, Map.of("ticks", true))).path("ticks").asLong();
        Thread.sleep(600); // a running background thread would tick ~60 times meanwhile
        long second = ok(invoke(name, Map.of("ticks", true))).path("ticks").asLong();
        assertThat(second - first)
                .as("ticks while idle (frozen between invocations)")
                .isLessThan(15);
        assertThat(second).isGreaterThanOrEqualTo(first);
    }
}
