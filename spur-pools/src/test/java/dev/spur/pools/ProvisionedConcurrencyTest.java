package dev.spur.pools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.FunctionKey;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.pools.InvocationOutcome.Kind;
import dev.spur.testing.Await;
import dev.spur.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Provisioned concurrency with real runtime processes: started ahead, kept, replaced, stopped. */
class ProvisionedConcurrencyTest {
    @TempDir
    Path dir;

    private final FakeClock clock = FakeClock.at("2026-01-01T00:00:00Z");
    private Pools pools;

    private Pools pools(PoolSettings settings) {
        pools = TestDeployments.pools(dir, settings, clock);
        return pools;
    }

    private Pools pools() {
        return pools(PoolSettings.withKeepAlive(Duration.ofMinutes(10)));
    }

    @AfterEach
    void close() {
        if (pools != null) {
            pools.close();
        }
    }

    /** Version 1 of a function, published from its $LATEST. */
    private Deployment version1(String name, Map<String, String> env) throws Exception {
        return TestDeployments.published(TestDeployments.deployment(dir, name, 128, 3, env), "1");
    }

    private static JsonNode invoke(Lease lease) throws Exception {
        InvocationOutcome o = lease.invoke(
                new InvokeInput(RequestIds.next(), "{}".getBytes(StandardCharsets.UTF_8), null, "Root=1-abc", "arn"));
        assertThat(o.kind()).isEqualTo(Kind.SUCCESS);
        if (!lease.coldStart()) {
            assertThat(o.initNanos()).as("no Init Duration on a warm start").isEqualTo(-1);
        }
        return Json.MAPPER.readTree(o.payload());
    }

    /** Generous deadline for background starts; a failure here means it never happened, not that it was slow. */
    private static void await(String what, BooleanSupplier condition) {
        Await.await(what, Duration.ofSeconds(30), condition);
    }

    private static void awaitStatus(Pools s, Deployment d, String status) throws InterruptedException {
        await(
                "status " + status,
                () -> s.provisionedStatus(key(d), "1")
                        .map(ProvisionedStatus::status)
                        .orElse("")
                        .equals(status));
    }

    private static FunctionKey key(Deployment d) {
        return d.config().key();
    }

    /** Holds n leases at once, invokes each, and returns the pids that served them. */
    private static Set<Long> pidsOfWarmEnvironments(Pools s, Deployment d, int n) throws Exception {
        List<Lease> leases = new ArrayList<>();
        Set<Long> pids = new HashSet<>();
        try {
            for (int i = 0; i < n; i++) {
                leases.add(s.acquire(d));
            }
            for (Lease lease : leases) {
                assertThat(lease.coldStart()).isFalse();
                JsonNode out = invoke(lease);
                assertThat(out.get("env").get("AWS_LAMBDA_INITIALIZATION_TYPE").asText())
                        .isEqualTo("provisioned-concurrency");
                pids.add(out.get("pid").asLong());
            }
        } finally {
            leases.forEach(Lease::close);
        }
        return pids;
    }

    private static boolean dead(long pid) {
        return ProcessHandle.of(pid).map(p -> p.onExit().join().isAlive()).orElse(false) == false;
    }

    @Test
    void provisionedEnvironmentsAreReadyBeforeAnyInvocationAndServeWarm() throws Exception {
        Pools s = pools();
        Deployment d = version1("pc", Map.of());
        s.provision(key(d), "1", List.of(new Allocation(d, 3)));
        assertThat(s.provisionedStatus(key(d), "1"))
                .hasValueSatisfying(st -> assertThat(st.requested()).isEqualTo(3));
        awaitStatus(s, d, ProvisionedStatus.READY);
        assertThat(s.provisionedStatus(key(d), "1"))
                .contains(new ProvisionedStatus(3, 3, 3, ProvisionedStatus.READY, Optional.empty()));
        assertThat(s.liveEnvironments(key(d), "1")).isEqualTo(3);
        assertThat(s.stats().environmentsStarted()).isEqualTo(3);

        assertThat(pidsOfWarmEnvironments(s, d, 3)).hasSize(3);

        List<Lease> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(s.acquire(d));
            }
            try (Lease spill = s.acquire(d)) {
                assertThat(spill.coldStart())
                        .as("beyond the provisioned ones: on-demand")
                        .isTrue();
                assertThat(invoke(spill)
                                .get("env")
                                .get("AWS_LAMBDA_INITIALIZATION_TYPE")
                                .asText())
                        .isEqualTo("on-demand");
            }
        } finally {
            held.forEach(Lease::close);
        }
        assertThat(s.liveEnvironments(key(d), "1")).isEqualTo(4);
    }

    @Test
    void provisionedEnvironmentsOutliveTheKeepAliveButOnDemandOnesDoNot() throws Exception {
        Pools s = pools();
        Deployment d = version1("kept", Map.of());
        s.provision(key(d), "1", List.of(new Allocation(d, 2)));
        awaitStatus(s, d, ProvisionedStatus.READY);
        try (Lease _ = s.acquire(d);
                Lease _ = s.acquire(d);
                Lease spill = s.acquire(d)) {
            assertThat(spill.coldStart()).isTrue();
        }
        clock.advance(Duration.ofMinutes(11));
        assertThat(s.reapIdle()).as("only the on-demand environment").isEqualTo(1);
        assertThat(s.liveEnvironments(key(d), "1")).isEqualTo(2);
        assertThat(pidsOfWarmEnvironments(s, d, 2)).hasSize(2);
    }

    @Test
    void provisionedEnvironmentsAreNotEvictedForOnDemandOnes() throws Exception {
        Pools s = pools(PoolSettings.withKeepAlive(Duration.ofMinutes(10))
                .withMemoryCapacityMb(256)
                .withMemoryOvercommit(1));
        Deployment d = version1("pinned", Map.of());
        Deployment other = TestDeployments.deployment(dir, "other", 128, 3, Map.of());
        s.provision(key(d), "1", List.of(new Allocation(d, 1)));
        awaitStatus(s, d, ProvisionedStatus.READY);
        try (Lease a = s.acquire(other)) {
            assertThat(invoke(a).get("pid").asLong()).isPositive();
        }
        try (Lease _ = s.acquire(other);
                Lease _ = s.acquire(other)) {
            throw new AssertionError("a second on-demand environment needs the provisioned one's memory");
        } catch (LambdaException expected) {
            assertThat(expected.reason()).contains("ConcurrentInvocationLimitExceeded");
        }
        assertThat(s.liveEnvironments(key(d), "1")).isEqualTo(1);
    }

    @Test
    void killedProvisionedEnvironmentIsReplaced() throws Exception {
        Pools s = pools();
        Deployment d = version1("phoenix", Map.of());
        s.provision(key(d), "1", List.of(new Allocation(d, 2)));
        awaitStatus(s, d, ProvisionedStatus.READY);
        Set<Long> before = pidsOfWarmEnvironments(s, d, 2);
        long victim = before.iterator().next();
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
        await("a replacement", () -> s.stats().environmentsStarted() == 3);
        awaitStatus(s, d, ProvisionedStatus.READY);
        Set<Long> after = pidsOfWarmEnvironments(s, d, 2);
        assertThat(after).hasSize(2).doesNotContain(victim).containsAnyElementsOf(before);
    }

    @Test
    void unprovisionStopsIdleEnvironmentsNowAndBusyOnesAfterTheirInvocation() throws Exception {
        Pools s = pools();
        Deployment d = version1("gone", Map.of());
        s.provision(key(d), "1", List.of(new Allocation(d, 2)));
        awaitStatus(s, d, ProvisionedStatus.READY);
        Set<Long> pids = pidsOfWarmEnvironments(s, d, 2);
        try (Lease busy = s.acquire(d)) {
            s.unprovision(key(d), "1");
            assertThat(s.provisionedStatus(key(d), "1")).isEmpty();
            assertThat(s.liveEnvironments(key(d), "1")).isEqualTo(1);
            assertThat(invoke(busy).get("pid").asLong()).isIn(pids);
        }
        assertThat(s.liveEnvironments(key(d), "1")).isZero();
        assertThat(pids).allMatch(ProvisionedConcurrencyTest::dead);
        assertThat(s.stats().memoryUsedMb()).isZero();
    }

    @Test
    void reprovisioningKeepsTheEnvironmentsStillWanted() throws Exception {
        Pools s = pools();
        Deployment d = version1("resize", Map.of());
        s.provision(key(d), "1", List.of(new Allocation(d, 2)));
        awaitStatus(s, d, ProvisionedStatus.READY);
        Set<Long> two = pidsOfWarmEnvironments(s, d, 2);
        s.provision(key(d), "1", List.of(new Allocation(d, 3)));
        awaitStatus(s, d, ProvisionedStatus.READY);
        assertThat(s.stats().environmentsStarted()).isEqualTo(3);
        assertThat(pidsOfWarmEnvironments(s, d, 3)).containsAll(two);
        s.provision(key(d), "1", List.of(new Allocation(d, 1)));
        assertThat(s.liveEnvironments(key(d), "1")).isEqualTo(1);
        assertThat(s.provisionedStatus(key(d), "1"))
                .contains(new ProvisionedStatus(1, 1, 1, ProvisionedStatus.READY, Optional.empty()));
    }

    @Test
    void initFailureMakesTheConfigurationFailedWithTheRuntimesError() throws Exception {
        Pools s = pools();
        Deployment d = version1("broken", Map.of("INIT_FAIL", "1"));
        s.provision(key(d), "1", List.of(new Allocation(d, 1)));
        awaitStatus(s, d, ProvisionedStatus.FAILED);
        ProvisionedStatus st = s.provisionedStatus(key(d), "1").orElseThrow();
        assertThat(st.reason()).contains("FUNCTION_ERROR_INIT_FAILURE: Runtime.TestInitError: init failed on purpose");
        assertThat(st.allocated()).isZero();
        assertThat(s.liveEnvironments(key(d), "1")).isZero();
        assertThat(s.stats().memoryUsedMb()).isZero();
    }

    @Test
    void nodeMemoryTooSmallMakesTheConfigurationFailed() throws Exception {
        Pools s = pools(PoolSettings.withKeepAlive(Duration.ofMinutes(10))
                .withMemoryCapacityMb(256)
                .withMemoryOvercommit(1));
        Deployment d = version1("toobig", Map.of());
        s.provision(key(d), "1", List.of(new Allocation(d, 3)));
        awaitStatus(s, d, ProvisionedStatus.FAILED);
        assertThat(s.provisionedStatus(key(d), "1").orElseThrow().reason().orElseThrow())
                .startsWith("INSUFFICIENT_MEMORY")
                .contains("128 MB");
        await(
                "the two that fit",
                () -> s.provisionedStatus(key(d), "1").orElseThrow().allocated() == 2);
    }

    @Test
    void retiringLatestLeavesAProvisionedVersionAlone() throws Exception {
        Pools s = pools();
        Deployment latest = TestDeployments.deployment(dir, "twoversions", 128, 3, Map.of());
        Deployment v1 = TestDeployments.published(latest, "1");
        s.provision(key(v1), "1", List.of(new Allocation(v1, 2)));
        awaitStatus(s, v1, ProvisionedStatus.READY);
        try (Lease l = s.acquire(latest)) {
            assertThat(invoke(l).get("env").get("AWS_LAMBDA_FUNCTION_VERSION").asText())
                    .isEqualTo("$LATEST");
        }
        s.retire(key(latest), "$LATEST");
        assertThat(s.liveEnvironments(key(latest), "$LATEST")).isZero();
        assertThat(s.liveEnvironments(key(v1), "1")).isEqualTo(2);
        assertThat(s.provisionedStatus(key(v1), "1").orElseThrow().status()).isEqualTo(ProvisionedStatus.READY);
        assertThat(pidsOfWarmEnvironments(s, v1, 2)).hasSize(2);

        s.retire(key(v1), "1");
        assertThat(s.liveEnvironments(key(v1), "1")).isZero();
        assertThat(s.provisionedStatus(key(v1), "1"))
                .as("deleting the version drops its provisioning")
                .isEmpty();
    }

    @Test
    void deletingTheFunctionDropsItsProvisionedConcurrency() throws Exception {
        Pools s = pools();
        Deployment d = version1("deleted", Map.of());
        s.provision(key(d), "live", List.of(new Allocation(d, 1)));
        await(
                "ready",
                () -> s.provisionedStatus(key(d), "live").orElseThrow().status().equals("READY"));
        s.retire(key(d));
        assertThat(s.provisionedStatus(key(d), "live")).isEmpty();
        assertThat(s.stats().liveEnvironments()).isZero();
    }
}
