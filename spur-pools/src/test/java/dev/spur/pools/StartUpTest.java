package dev.spur.pools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.common.Json;
import dev.spur.common.RequestIds;
import dev.spur.common.Ticker;
import dev.spur.logs.LogStore;
import dev.spur.pools.InvocationOutcome.Kind;
import dev.spur.sandbox.Sandbox;
import dev.spur.sandbox.SandboxedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When an environment's CPU share starts: not during init nor during its first invocation (the start-up runs at
 * the node's speed), but when that invocation ends, or while it still runs once the start-up boost has passed;
 * once. Real runtime processes in the process sandbox, whose processes here count the calls that apply the
 * share (what the linux sandbox turns into its CPU quota, {@code LinuxSandboxLimitsTest}).
 */
class StartUpTest {
    @TempDir
    Path dir;

    /** How often the share was applied, to any environment. */
    private final AtomicInteger applied = new AtomicInteger();
    /** Whether applying it fails, as a cgroup write can. */
    private volatile boolean failing;

    private Pools pools;

    @AfterEach
    void close() {
        if (pools != null) {
            pools.close();
        }
    }

    private Pools pools() {
        Sandbox recording = new Sandbox() {
            private final Sandbox process = Sandbox.process();

            @Override
            public String name() {
                return "process";
            }

            @Override
            public SandboxedProcess start(LaunchSpec spec) throws IOException {
                return new SharedProcess(process.start(spec));
            }
        };
        pools = new Pools(
                PoolSettings.defaults(),
                recording,
                LogStore.open(dir.resolve("logs")),
                dir.resolve("run"),
                Ticker.system(),
                InstantSource.system(),
                false);
        return pools;
    }

    private static InvocationOutcome run(Lease lease, Deployment d, String event) throws InterruptedException {
        return lease.invoke(new InvokeInput(
                RequestIds.next(),
                event.getBytes(StandardCharsets.UTF_8),
                null,
                "Root=1-abc",
                d.config().arn()));
    }

    @Test
    void theShareAppliesWhenTheFirstInvocationEndsAndOnlyOnce() throws Exception {
        pools();
        Deployment d = TestDeployments.deployment(dir, "startup", 512, 10, Map.of());
        InvocationOutcome first;
        try (Lease lease = pools.acquire(d)) {
            assertThat(applied).as("init has ended: not yet").hasValue(0);
            first = run(lease, d, "{}");
            assertThat(applied).as("the first invocation has ended").hasValue(1);
        }
        InvocationOutcome second;
        try (Lease lease = pools.acquire(d)) {
            second = run(lease, d, "{}");
        }
        assertThat(first.kind()).isEqualTo(Kind.SUCCESS);
        assertThat(second.kind()).isEqualTo(Kind.SUCCESS);
        assertThat(Json.MAPPER.readTree(second.payload()).get("pid").asLong())
                .as("the same environment, warm")
                .isEqualTo(Json.MAPPER.readTree(first.payload()).get("pid").asLong());
        assertThat(applied).as("once per environment").hasValue(1);
    }

    /**
     * A share that cannot be applied stops the environment; when that happens after the first invocation's
     * answer, the answer stands.
     */
    @Test
    void aShareThatCannotBeAppliedStopsTheEnvironmentAfterItsFirstAnswer() throws Exception {
        pools();
        failing = true;
        Deployment d = TestDeployments.deployment(dir, "cannotlimit", 512, 10, Map.of());
        try (Lease lease = pools.acquire(d)) {
            assertThat(run(lease, d, "{}").kind()).isEqualTo(Kind.SUCCESS);
        }
        assertThat(applied).hasValue(1);
        assertThat(pools.liveEnvironments(d.config().key())).isZero();
    }

    /**
     * A first invocation running past the start-up boost gets its share while it runs: here applying it
     * fails, which stops the environment, so the invocation ends as its runtime's exit instead of its answer.
     */
    @Test
    void aFirstInvocationThatOutlastsTheBoostGetsTheShareWhileItRuns() throws Exception {
        pools();
        failing = true;
        Deployment d = TestDeployments.deployment(dir, "slowstart", 512, 60, Map.of());
        double sleep = 20 * Environment.START_UP_BOOST_NANOS / 1e9;
        try (Lease lease = pools.acquire(d)) {
            assertThat(run(lease, d, "{\"sleep\": " + sleep + "}").kind()).isEqualTo(Kind.EXIT_ERROR);
        }
        assertThat(applied).hasValue(1);
    }

    @Test
    void aFailedInitAppliesNothing() throws Exception {
        pools();
        Deployment d = TestDeployments.deployment(dir, "badinit", 512, 10, Map.of("INIT_FAIL", "1"));
        try (Lease lease = pools.acquire(d)) {
            assertThat(run(lease, d, "{}").kind()).isEqualTo(Kind.INIT_ERROR);
        }
        assertThat(applied).hasValue(0);
    }

    /** A process sandbox's process that records when its CPU share is applied. */
    private final class SharedProcess implements SandboxedProcess {
        private final SandboxedProcess process;

        SharedProcess(SandboxedProcess process) {
            this.process = process;
        }

        @Override
        public void limitCpu() {
            applied.incrementAndGet();
            if (failing) {
                throw new UncheckedIOException(new IOException("cpu.cfs_quota_us: No such device"));
            }
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public CompletableFuture<ExitStatus> onExit() {
            return process.onExit();
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public long peakMemoryBytes() {
            return process.peakMemoryBytes();
        }

        @Override
        public void kill() {
            process.kill();
        }
    }
}
