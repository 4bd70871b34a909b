package dev.spur.e2e;

import static dev.spur.testing.server.Spur.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.FunctionKey;
import dev.spur.common.Json;
import dev.spur.pools.Pools;
import dev.spur.testing.Await;
import dev.spur.testing.server.HostCgroups;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/**
 * The edge of the capacity policy (SPECIFICATION.md, "Node memory"): limits are overcommitted, so
 * environments that all grow toward their limits at once would need more than the node has. Spur
 * admits them on what they used so far; when they grow, the kernel holds them all to the node's
 * capacity (the sandbox's parent cgroup) and OOM-kills among them, Spur evicts idle environments and
 * refuses new ones until the pressure passes, and the host, Spur and its other functions go on.
 */
@SpurTest(
        sandbox = SpurTest.Sandbox.LINUX,
        cgroup = "spur-e2e-memory",
        memoryCapacityMb = MemoryPressureE2eTest.CAPACITY_MB,
        memoryOvercommit = 4,
        shared = false)
class MemoryPressureE2eTest {
    static final long CAPACITY_MB = 640;
    static final String CGROUP = "spur-e2e-memory-" + ProcessHandle.current().pid();
    static final String REGION = "us-east-1";

    /** Grows by 16 MB steps (touched, so resident) to {@code mb}, holds it {@code hold} s, answers. */
    static final String HUNGRY = """
            import time
            def handler(event, context):
                chunks = []
                for _ in range(event["mb"] // 16):
                    chunks.append(bytearray(b"\\x01") * (16 << 20))
                    time.sleep(0.01)
                time.sleep(event.get("hold", 0))
                return {"mb": 16 * len(chunks)}
            """;

    static final String NO_OP = """
            def handler(event, context):
                return {"ok": True}
            """;

    static Spur spur;

    @Test
    void environmentsGrowingTowardTheirLimitsAtOnceAreHeldToTheNodeAndTheHostAndSpurGoOn() throws Exception {
        Pools pools = spur.server().pools();
        List<Path> parent = HostCgroups.parentCgroups(CGROUP);
        Path memoryParent = parent.stream()
                .filter(d -> Files.exists(d.resolve("memory.limit_in_bytes")) || Files.exists(d.resolve("memory.max")))
                .findFirst()
                .orElseThrow();
        assertThat(readLong(memoryParent, "memory.limit_in_bytes", "memory.max"))
                .as("the kernel's cap on all environments together")
                .isEqualTo(CAPACITY_MB << 20);

        // Idle environments of other functions: the first to go under pressure.
        List<String> idle = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            idle.add(spur.deployPython("idle", NO_OP, 128, 0, 10));
            ok(spur.invoke(idle.getLast(), Map.of()));
        }
        // Four warm environments of a 512 MB function that has used little so far: 4 × 512 MB of
        // limits (+ 3 × 128 MB ≤ 4 × 640 MB) on a 640 MB node, admitted on what they use.
        String hungry = spur.deployPython("hungry", HUNGRY, 512, 0, 60);
        ok(spur.invoke(hungry, Map.of("mb", 0))); // its pool learns its footprint
        int warm = 4;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<InvokeResponse>> runs = new ArrayList<>();
            for (int i = 0; i < warm; i++) {
                runs.add(pool.submit(() -> spur.invoke(hungry, Map.of("mb", 0, "hold", 2))));
            }
            for (Future<InvokeResponse> r : runs) {
                ok(r.get(60, TimeUnit.SECONDS));
            }
        }
        int hungryEnvironments = spur.server().pools().liveEnvironments(keyOf(hungry));
        assertThat(hungryEnvironments).isGreaterThanOrEqualTo(warm);
        assertThat(pools.stats().memoryUsedMb()).as("limits, overcommitted").isGreaterThan(CAPACITY_MB);

        Process bystander = new ProcessBuilder("sleep", "600").start(); // a host process outside Spur
        List<InvokeResponse> answers = new ArrayList<>();
        boolean refusedUnderPressure;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<InvokeResponse>> runs = new ArrayList<>();
            for (int i = 0; i < warm; i++) {
                runs.add(pool.submit(() -> spur.invoke(hungry, Map.of("mb", 400, "hold", 3))));
            }
            // While they grow: Spur sees the pressure, evicts the idle environments, refuses new ones.
            Await.await("the idle environments evicted under memory pressure", Duration.ofSeconds(30), () -> {
                pools.relieveMemoryPressure();
                return idle.stream().allMatch(f -> pools.liveEnvironments(keyOf(f)) == 0);
            });
            refusedUnderPressure = refusedNow(spur.deployPython("late", NO_OP, 128, 0, 10));
            for (Future<InvokeResponse> r : runs) {
                answers.add(r.get(120, TimeUnit.SECONDS));
            }
        }

        List<String> outcomes = new ArrayList<>();
        for (InvokeResponse r : answers) {
            String body = r.payload().asUtf8String();
            if (r.functionError() == null) {
                assertThat(Json.MAPPER.readTree(body).get("mb").asInt()).isEqualTo(400);
                outcomes.add("ok");
            } else {
                JsonNode error = Json.MAPPER.readTree(body);
                outcomes.add(error.get("errorType").asText());
            }
        }
        assertThat(outcomes)
                .as("1.6 GB wanted on a 640 MB node: some environments are OOM-killed among themselves")
                .contains("Runtime.OutOfMemory")
                .allMatch(o -> o.equals("ok") || o.equals("Runtime.OutOfMemory"));
        assertThat(refusedUnderPressure)
                .as("a cold start refused (429) under pressure")
                .isTrue();
        assertThat(readLong(memoryParent, "memory.max_usage_in_bytes", "memory.peak"))
                .as("what the environments used together, at most")
                .isLessThanOrEqualTo(CAPACITY_MB << 20);
        assertThat(bystander.isAlive()).as("the host's own processes").isTrue();
        bystander.destroy();

        // Spur goes on: once the pressure has passed, new environments start again.
        Await.await("a new environment once the pressure has passed", Duration.ofSeconds(30), () -> {
            pools.relieveMemoryPressure();
            return !pools.stats().memoryPressure();
        });
        assertThat(ok(spur.invoke(spur.deployPython("after", NO_OP, 128, 0, 10), Map.of()))
                        .get("ok")
                        .asBoolean())
                .isTrue();
        assertThat(ok(spur.invoke(hungry, Map.of("mb", 32))).get("mb").asInt()).isEqualTo(32);
    }

    private static boolean refusedNow(String function) {
        try {
            spur.invoke(function, Map.of());
            return false;
        } catch (TooManyRequestsException e) {
            return true;
        }
    }

    private static FunctionKey keyOf(String function) {
        return new FunctionKey("000000000000", REGION, function);
    }

    private static long readLong(Path dir, String... candidates) throws Exception {
        for (String name : candidates) {
            Path file = dir.resolve(name);
            if (Files.exists(file)) {
                return Long.parseLong(Files.readString(file).strip());
            }
        }
        throw new IllegalStateException("none of " + List.of(candidates) + " in " + dir);
    }
}
