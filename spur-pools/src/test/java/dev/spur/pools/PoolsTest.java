package dev.spur.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.ErrorCode;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.common.Ticker;
import dev.spur.pools.InvocationOutcome.Kind;
import dev.spur.testing.Await;
import dev.spur.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pools against real runtime processes (a Python custom runtime) on real Runtime API endpoints. */
class PoolsTest {
    @TempDir
    Path dir;

    private final FakeClock clock = FakeClock.at("2026-01-01T00:00:00Z");
    private Pools pools;

    private Pools pools(PoolSettings settings, Ticker ticker) {
        pools = TestDeployments.pools(dir, settings, ticker);
        return pools;
    }

    private Pools pools() {
        return pools(PoolSettings.defaults(), Ticker.system());
    }

    @AfterEach
    void close() {
        if (pools != null) {
            pools.close();
        }
    }

    private static InvocationOutcome invoke(Pools s, Deployment d, String event) throws Exception {
        try (Lease lease = s.acquire(d)) {
            return lease.invoke(new InvokeInput(
                    RequestIds.next(),
                    event.getBytes(StandardCharsets.UTF_8),
                    "{\"custom\":{\"k\":\"v\"}}",
                    "Root=1-abc",
                    d.config().arn() + ":$LATEST"));
        }
    }

    private static JsonNode json(InvocationOutcome o) throws Exception {
        return Json.MAPPER.readTree(o.payload());
    }

    private static String tail(InvocationOutcome o) {
        return new String(Base64.getDecoder().decode(o.log().tailBase64()), StandardCharsets.UTF_8);
    }

    @Test
    void warmEnvironmentIsReusedAndOnlyTheFirstInvocationReportsInit() throws Exception {
        Pools s = pools();
        Deployment d = TestDeployments.deployment(dir, "warm", 128, 3, Map.of());
        InvocationOutcome first = invoke(s, d, "{}");
        InvocationOutcome second = invoke(s, d, "{}");
        assertThat(first.kind()).isEqualTo(Kind.SUCCESS);
        assertThat(first.initNanos()).isPositive();
        assertThat(first.maxMemoryUsedMb())
                .as("peak RSS of the runtime process")
                .isBetween(2L, 128L);
        assertThat(second.initNanos()).isEqualTo(-1);
        assertThat(json(second).get("pid").asLong())
                .isEqualTo(json(first).get("pid").asLong());
        assertThat(s.liveEnvironments(d.config().key())).isEqualTo(1);
    }

    @Test
    void runtimeReceivesLambdaEnvironmentDeadlineAndClientContext() throws Exception {
        Pools s = pools();
        Deployment d = TestDeployments.deployment(dir, "envfn", 256, 7, Map.of("MY_VAR", "mine"));
        long before = System.currentTimeMillis();
        JsonNode out = json(invoke(s, d, "{\"x\":1}"));
        JsonNode env = out.get("env");
        assertThat(env.get("MY_VAR").asText()).isEqualTo("mine");
        assertThat(env.get("AWS_LAMBDA_FUNCTION_NAME").asText()).isEqualTo("envfn");
        assertThat(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").asText()).isEqualTo("256");
        assertThat(env.get("AWS_LAMBDA_FUNCTION_VERSION").asText()).isEqualTo("$LATEST");
        assertThat(env.get("AWS_LAMBDA_LOG_GROUP_NAME").asText()).isEqualTo("/aws/lambda/envfn");
        assertThat(env.get("AWS_LAMBDA_LOG_STREAM_NAME").asText())
                .matches("\\d{4}/\\d{2}/\\d{2}/\\[\\$LATEST][0-9a-f]{32}");
        assertThat(env.get("AWS_LAMBDA_INITIALIZATION_TYPE").asText()).isEqualTo("on-demand");
        assertThat(env.get("AWS_REGION").asText()).isEqualTo("us-east-1");
        assertThat(env.get("LAMBDA_TASK_ROOT").asText()).isEqualTo(d.taskRoot().toString());
        assertThat(env.get("AWS_LAMBDA_RUNTIME_API").asText()).startsWith("127.0.0.1:");
        assertThat(env.has("HOME"))
                .as("nothing of Spur's own environment leaks in")
                .isFalse();
        assertThat(out.get("event").get("x").asInt()).isEqualTo(1);
        assertThat(out.get("deadline").asLong()).isBetween(before + 7000, System.currentTimeMillis() + 7000);
        assertThat(out.get("context").asText()).isEqualTo("{\"custom\":{\"k\":\"v\"}}");
        assertThat(out.get("arn").asText()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:envfn:$LATEST");
        assertThat(out.get("trace").asText()).isEqualTo("Root=1-abc");
    }

    @Test
    void concurrentInvocationsEachGetTheirOwnEnvironment() throws Exception {
        Pools s = pools();
        Deployment d = TestDeployments.deployment(dir, "wide", 128, 5, Map.of());
        int n = 12;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<InvocationOutcome>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit((Callable<InvocationOutcome>) () -> invoke(s, d, "{\"sleep\":0.5}")));
            }
            Set<Long> pids = new HashSet<>();
            for (Future<InvocationOutcome> f : futures) {
                InvocationOutcome o = f.get();
                assertThat(o.kind()).isEqualTo(Kind.SUCCESS);
                pids.add(json(o).get("pid").asLong());
            }
            assertThat(pids).hasSize(n);
        }
        assertThat(s.liveEnvironments(d.config().key())).isEqualTo(n);
        assertThat(s.stats().idleEnvironments()).isEqualTo(n);
    }

    @Test
    void idleEnvironmentsAreReapedAfterTheKeepAlive() throws Exception {
        Pools s = pools(PoolSettings.withKeepAlive(Duration.ofMinutes(10)), clock);
        Deployment d = TestDeployments.deployment(dir, "reap", 128, 3, Map.of());
        long pid = json(invoke(s, d, "{}")).get("pid").asLong();
        clock.advance(Duration.ofMinutes(9));
        assertThat(s.reapIdle()).isZero();
        clock.advance(Duration.ofMinutes(2));
        assertThat(s.reapIdle()).isEqualTo(1);
        assertThat(s.liveEnvironments(d.config().key())).isZero();
        assertThat(ProcessHandle.of(pid).map(p -> p.onExit().join().isAlive()).orElse(false))
                .isFalse();
        assertThat(invoke(s, d, "{}").initNanos())
                .as("next invoke is a cold start")
                .isNotNegative();
    }

    @Test
    void timedOutInvocationKillsEnvironment() throws Exception {
        Pools s = pools();
        Deployment d = TestDeployments.deployment(dir, "slow", 128, 1, Map.of());
        long pid = json(invoke(s, d, "{}")).get("pid").asLong();
        InvocationOutcome o = invoke(s, d, "{\"sleep\":10}");
        assertThat(o.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(o.errorType()).isEqualTo("Sandbox.Timedout");
        assertThat(json(o).get("errorMessage").asText()).endsWith("Error: Task timed out after 1.00 seconds");
        assertThat(o.durationNanos()).isBetween(1_000_000_000L, 3_000_000_000L);
        assertThat(tail(o)).contains("Task timed out after 1.00 seconds");
        assertThat(ProcessHandle.of(pid).map(p -> p.onExit().join().isAlive()).orElse(false))
                .isFalse();
        assertThat(json(invoke(s, d, "{}")).get("pid").asLong()).isNotEqualTo(pid);
    }

    private static InvocationOutcome invokeUntil(Pools s, Deployment d, String event, long notAfterMillis)
            throws Exception {
        try (Lease lease = s.acquire(d)) {
            return lease.invoke(new InvokeInput(
                    RequestIds.next(),
                    event.getBytes(StandardCharsets.UTF_8),
                    null,
                    "Root=1-abc",
                    d.config().arn(),
                    notAfterMillis));
        }
    }

    @Test
    void aCallersDeadlineShorterThanTheTimeoutEndsTheInvocationAsATimeout() throws Exception {
        Pools s = pools();
        Deployment d = TestDeployments.deployment(dir, "deadline", 128, 3, Map.of());
        long pid = json(invoke(s, d, "{}")).get("pid").asLong();
        InvocationOutcome o = invokeUntil(s, d, "{\"sleep\":10}", System.currentTimeMillis() + 1_000);
        assertThat(o.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(o.errorType()).isEqualTo("Sandbox.Timedout");
        assertThat(json(o).get("errorMessage").asText()).matches(".*Error: Task timed out after [01]\\.\\d\\d seconds");
        assertThat(o.durationNanos())
                .as("cut at the caller's deadline, not the 3 s timeout")
                .isLessThan(3_000_000_000L);
        assertThat(json(invoke(s, d, "{}")).get("pid").asLong())
                .as("the environment that ran past the deadline was killed")
                .isNotEqualTo(pid);
    }

    @Test
    void aCallerWhoseDeadlineHasPassedGetsATimeoutAndTheEventIsNotHandedOver() throws Exception {
        Pools s = pools();
        Deployment d = TestDeployments.deployment(dir, "late", 128, 3, Map.of());
        long pid = json(invoke(s, d, "{}")).get("pid").asLong();
        long started = pools.stats().environmentsStarted();
        InvocationOutcome o = invokeUntil(s, d, "{}", System.currentTimeMillis() - 1);
        assertThat(o.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(json(o).get("errorType").asText()).isEqualTo("Sandbox.Timedout");
        assertThat(json(invoke(s, d, "{}")).get("pid").asLong())
                .as("the environment never got the event and serves the next")
                .isEqualTo(pid);
        assertThat(pools.stats().environmentsStarted()).isEqualTo(started);
    }

    @Test
    void killingAnEnvironmentKillsProcessesItsRuntimeStarted() throws Exception {
        Pools s = pools();
        Deployment d = TestDeployments.deployment(dir, "forks", 128, 1, Map.of());
        long child = json(invoke(s, d, "{\"spawn\":1}")).get("child").asLong();
        assertThat(ProcessHandle.of(child))
                .hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        assertThat(invoke(s, d, "{\"sleep\":10}").kind()).isEqualTo(Kind.TIMEOUT);
        ProcessHandle.of(child)
                .ifPresent(p -> p.onExit().orTimeout(10, TimeUnit.SECONDS).join());
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
    }

    @Test
    void runtimeExitingMidInvocationIsAnExitErrorAndTheEnvironmentIsReplaced() throws Exception {
        Pools s = pools();
        Deployment d = TestDeployments.deployment(dir, "crash", 128, 3, Map.of());
        InvocationOutcome o = invoke(s, d, "{\"exit\":7}");
        assertThat(o.kind()).isEqualTo(Kind.EXIT_ERROR);
        assertThat(json(o).get("errorType").asText()).isEqualTo("Runtime.ExitError");
        assertThat(json(o).get("errorMessage").asText()).endsWith("Error: Runtime exited with error: exit status 7");
        assertThat(s.liveEnvironments(d.config().key())).isZero();
        assertThat(invoke(s, d, "{}").kind()).isEqualTo(Kind.SUCCESS);
    }

    @Test
    void functionErrorIsReturnedAsPostedAndEnvironmentStaysWarm() throws Exception {
        Pools s = pools();
        Deployment d = TestDeployments.deployment(dir, "fails", 128, 3, Map.of());
        InvocationOutcome o = invoke(s, d, "{\"fail\":\"boom\"}");
        assertThat(o.kind()).isEqualTo(Kind.FUNCTION_ERROR);
        assertThat(o.errorType()).isEqualTo("Function.TestError");
        assertThat(json(o).get("errorMessage").asText()).isEqualTo("boom");
        assertThat(invoke(s, d, "{}").initNanos()).isEqualTo(-1);
    }

    @Test
    void initErrorPostedByTheRuntimeIsWhatTheInvocationReturns() throws Exception {
        Pools s = pools();
        Deployment d = TestDeployments.deployment(dir, "badinit", 128, 3, Map.of("INIT_FAIL", "1"));
        InvocationOutcome o = invoke(s, d, "{}");
        assertThat(o.kind()).isEqualTo(Kind.INIT_ERROR);
        assertThat(o.errorType()).isEqualTo("Runtime.TestInitError");
        assertThat(json(o).get("errorMessage").asText()).isEqualTo("init failed on purpose");
        assertThat(s.liveEnvironments(d.config().key())).isZero();
        assertThat(s.stats().memoryUsedMb()).isZero();
    }

    @Test
    void runtimeExitingDuringInitIsAnInitErrorWithItsOutputInTheLog() throws Exception {
        Pools s = pools();
        Deployment d = TestDeployments.deployment(dir, "exitinit", 128, 3, Map.of("INIT_EXIT", "1"));
        InvocationOutcome o = invoke(s, d, "{}");
        assertThat(o.kind()).isEqualTo(Kind.INIT_ERROR);
        assertThat(json(o).get("errorType").asText()).isEqualTo("Runtime.InitError");
        assertThat(json(o).get("errorMessage").asText()).contains("Runtime exited with error: exit status 3");
        assertThat(tail(o)).contains("exiting during init").contains("INIT_REPORT");
    }

    @Test
    void runtimeThatNeverAsksForAnEventFailsAtTheInitTimeout() throws Exception {
        PoolSettings d0 = PoolSettings.defaults();
        Pools s = pools(
                new PoolSettings(
                        d0.keepAlive(),
                        d0.reapInterval(),
                        d0.accountConcurrency(),
                        d0.memoryCapacityMb(),
                        Duration.ofMillis(500)),
                Ticker.system());
        Deployment d = TestDeployments.deployment(dir, "slowinit", 128, 3, Map.of("INIT_SLEEP", "30"));
        InvocationOutcome o = invoke(s, d, "{}");
        assertThat(o.kind()).isEqualTo(Kind.INIT_ERROR);
        assertThat(json(o).get("errorMessage").asText()).contains("init phase timed out after 0.50 seconds");
        assertThat(s.liveEnvironments(d.config().key())).isZero();
        assertThat(s.stats().memoryUsedMb()).isZero();
    }

    @Test
    void missingBootstrapIsAnInvalidEntrypoint() throws Exception {
        Pools s = pools();
        Deployment d = TestDeployments.deployment(dir, "noboot", 128, 3, Map.of());
        Files.delete(d.taskRoot().resolve("bootstrap"));
        InvocationOutcome o = invoke(s, d, "{}");
        assertThat(o.kind()).isEqualTo(Kind.INIT_ERROR);
        assertThat(json(o).get("errorType").asText()).isEqualTo("Runtime.InvalidEntrypoint");
        assertThat(json(o).get("errorMessage").asText()).contains("Couldn't find valid bootstrap(s)");
    }

    @Test
    void outputPrintedDuringTheInvocationIsInItsLogTail() throws Exception {
        Pools s = pools();
        Deployment d = TestDeployments.deployment(dir, "printer", 128, 3, Map.of());
        for (int i = 0; i < 20; i++) {
            InvocationOutcome o = invoke(s, d, "{\"print\":\"line-" + i + "\"}");
            assertThat(tail(o))
                    .contains("START RequestId: ")
                    .contains("line-" + i + "\n")
                    .doesNotContain("line-" + (i - 1) + "\n");
        }
    }

    @Test
    void responseOverSixMegabytesFailsTheInvocation() throws Exception {
        Pools s = pools();
        Deployment d = TestDeployments.deployment(dir, "bigout", 256, 10, Map.of());
        InvocationOutcome o = invoke(s, d, "{\"big\":" + (7 * 1024 * 1024) + "}");
        assertThat(o.kind()).isEqualTo(Kind.RESPONSE_TOO_LARGE);
        assertThat(json(o).get("errorType").asText()).isEqualTo("Function.ResponseSizeTooLarge");
        assertThat(json(o).get("errorMessage").asText())
                .contains("exceeded maximum allowed payload size (6291556 bytes)");
    }

    @Test
    void concurrencyLimitThrottlesWith429() throws Exception {
        Pools s = pools(PoolSettings.defaults().withAccountConcurrency(1), Ticker.system());
        Deployment d = TestDeployments.deployment(dir, "one", 128, 3, Map.of());
        try (Lease _ = s.acquire(d)) {
            assertThatThrownBy(() -> s.acquire(d)).isInstanceOfSatisfying(LambdaException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_REQUESTS);
                assertThat(e.reason()).contains("ConcurrentInvocationLimitExceeded");
            });
        }
        assertThat(invoke(s, d, "{}").kind()).isEqualTo(Kind.SUCCESS);
    }

    @Test
    void fullMemoryEvictsTheLeastRecentlyUsedIdleEnvironmentThenThrottles() throws Exception {
        Pools s = pools(PoolSettings.defaults().withMemoryCapacityMb(256).withMemoryOvercommit(1), Ticker.system());
        Deployment a = TestDeployments.deployment(dir, "a", 128, 3, Map.of());
        Deployment b = TestDeployments.deployment(dir, "b", 128, 3, Map.of());
        Deployment c = TestDeployments.deployment(dir, "c", 128, 3, Map.of());
        invoke(s, a, "{}");
        invoke(s, b, "{}");
        invoke(s, c, "{}"); // evicts a, the least recently used
        assertThat(s.liveEnvironments(a.config().key())).isZero();
        assertThat(s.liveEnvironments(b.config().key())).isEqualTo(1);
        try (Lease _ = s.acquire(b);
                Lease _ = s.acquire(c)) {
            assertThatThrownBy(() -> s.acquire(a))
                    .isInstanceOfSatisfying(
                            LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_REQUESTS));
        }
        assertThat(s.stats().inFlight()).isZero();
    }

    /**
     * With limits overcommitted, what environments use (plus headroom) is what fills the node: eight
     * 128 MB environments fit on 512 MB where their limits alone would admit four; the limits' own
     * bound (overcommit × capacity) still evicts, least recently used first.
     */
    @Test
    void overcommittedLimitsAdmitWhatActuallyFitsAndStillBoundTheSumOfLimits() throws Exception {
        Pools s = pools(PoolSettings.defaults().withMemoryCapacityMb(512).withMemoryOvercommit(2), Ticker.system());
        List<Deployment> fns = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            fns.add(TestDeployments.deployment(dir, "over" + i, 128, 3, Map.of()));
        }
        for (int i = 0; i < 8; i++) {
            assertThat(invoke(s, fns.get(i), "{}").kind()).isEqualTo(Kind.SUCCESS);
        }
        Pools.Stats eight = s.stats();
        assertThat(eight.liveEnvironments()).as("8 × 128 MB on 512 MB").isEqualTo(8);
        assertThat(eight.memoryUsedMb()).isEqualTo(1024);
        assertThat(eight.memoryChargedMb())
                .as("measured use plus headroom, not limits")
                .isLessThan(512)
                .isGreaterThanOrEqualTo(8 * NodeMemory.MIN_HEADROOM_MB);

        assertThat(invoke(s, fns.get(8), "{}").kind()).isEqualTo(Kind.SUCCESS);
        assertThat(s.stats().memoryUsedMb()).as("limits ≤ 2 × 512 MB").isEqualTo(1024);
        assertThat(s.liveEnvironments(fns.get(0).config().key()))
                .as("the least recently used, evicted")
                .isZero();
        assertThat(s.liveEnvironments(fns.get(8).config().key())).isEqualTo(1);
    }

    @Test
    void aChargeIsWhatTheEnvironmentUsedPlusHeadroomWithinItsLimit() {
        assertThat(NodeMemory.chargeFor(1769, 40L << 20)).isEqualTo(40 + 32);
        assertThat(NodeMemory.chargeFor(1769, 400L << 20)).isEqualTo(400 + 100);
        assertThat(NodeMemory.chargeFor(128, 120L << 20))
                .as("never above the limit")
                .isEqualTo(128);
        assertThat(NodeMemory.initialCharge(1769, 0))
                .as("a pool's first: a guess")
                .isEqualTo(256);
        assertThat(NodeMemory.initialCharge(1769, 72))
                .as("then what its environments needed")
                .isEqualTo(72);
        assertThat(NodeMemory.initialCharge(128, 0)).isEqualTo(128);
    }

    @Test
    void underPressureNewEnvironmentsAreRefusedUntilAReadingIsBelowTheLineAgain() {
        NodeMemory memory = new NodeMemory(1000, 4);
        assertThat(memory.tryReserve(1769, 100)).isTrue();
        assertThat(memory.observe(950L << 20)).as("MB over 90 %% of capacity").isEqualTo(50);
        assertThat(memory.tryReserve(128, 10)).isFalse();
        assertThat(memory.observe(800L << 20)).isNegative();
        assertThat(memory.tryReserve(128, 10)).isTrue();
        assertThat(memory.tryReserve(4000 - 1769 - 128 + 1, 10))
                .as("limits ≤ 4 × capacity")
                .isFalse();
        assertThat(memory.tryReserve(10, 1000 - 110 + 1))
                .as("charges ≤ capacity")
                .isFalse();
        memory.release(1769, 100);
        memory.release(128, 10);
        assertThat(memory.limitsMb()).isZero();
        assertThat(memory.chargesMb()).isZero();
    }

    @Test
    void newConfigurationRetiresOldEnvironments() throws Exception {
        Pools s = pools();
        Deployment v1 = TestDeployments.deployment(dir, "upd", 128, 3, Map.of("V", "1"));
        long pid = json(invoke(s, v1, "{}")).get("pid").asLong();
        Deployment v2 = TestDeployments.updated(v1, Map.of("V", "2"));
        JsonNode out = json(invoke(s, v2, "{}"));
        assertThat(out.get("env").get("V").asText()).isEqualTo("2");
        assertThat(out.get("pid").asLong()).isNotEqualTo(pid);
        assertThat(ProcessHandle.of(pid).map(p -> p.onExit().join().isAlive()).orElse(false))
                .isFalse();
        assertThat(json(invoke(s, v1, "{}")).get("env").get("V").asText())
                .as("a request that resolved the old configuration runs on the new one")
                .isEqualTo("2");
    }

    @Test
    void retireLetsTheBusyEnvironmentFinishThenStopsIt() throws Exception {
        Pools s = pools();
        Deployment d = TestDeployments.deployment(dir, "busy", 128, 5, Map.of());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<InvocationOutcome> running = pool.submit(() -> invoke(s, d, "{\"sleep\":0.5}"));
            Await.await(
                    "the invocation to run",
                    Duration.ofSeconds(30),
                    () -> s.stats().inFlight() > 0
                            && s.liveEnvironments(d.config().key()) > 0);
            Thread.sleep(100);
            s.retire(d.config().key());
            assertThat(running.get().kind()).isEqualTo(Kind.SUCCESS);
        }
        assertThat(s.stats().liveEnvironments()).isZero();
    }
}
