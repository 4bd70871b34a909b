package dev.spur.pools;

import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.Ticker;
import dev.spur.logs.LogStore;
import dev.spur.runtimes.LambdaRuntime;
import dev.spur.sandbox.Sandbox;
import dev.spur.testing.FunctionPackage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Deployments of the event-driven test runtime (a real Python process speaking the Runtime API), and pools for them. */
final class TestDeployments {
    private TestDeployments() {}

    /** Pools of plain processes under {@code dir}, on {@code ticker} and the system's wall clock. */
    static Pools pools(Path dir, PoolSettings settings, Ticker ticker) {
        return new Pools(
                settings,
                Sandbox.process(),
                LogStore.open(dir.resolve("logs")),
                dir.resolve("run"),
                ticker,
                InstantSource.system(),
                false);
    }

    static Deployment deployment(Path dir, String name, int memory, int timeout, Map<String, String> env)
            throws IOException {
        return deployment(dir, "000000000000", name, memory, timeout, env);
    }

    static Deployment deployment(
            Path dir, String account, String name, int memory, int timeout, Map<String, String> env)
            throws IOException {
        Path taskRoot = FunctionPackage.testRuntime().writeTo(dir.resolve(name + "-" + UUID.randomUUID()));
        FunctionConfig config = new FunctionConfig(
                new FunctionKey(account, "us-east-1", name),
                "$LATEST",
                "provided.al2023",
                "",
                "arn:aws:iam::000000000000:role/test",
                "",
                memory,
                timeout,
                env,
                new FunctionConfig.Code("0".repeat(64), 1),
                512,
                List.of("x86_64"),
                Instant.now(),
                UUID.randomUUID().toString(),
                FunctionConfig.State.Active,
                FunctionConfig.LastUpdateStatus.Successful,
                null,
                null,
                null,
                null);
        return new Deployment(
                config,
                new LambdaRuntime() {
                    @Override
                    public String id() {
                        return "provided.al2023";
                    }

                    @Override
                    public LaunchPlan plan(FunctionConfig function, Path root) {
                        return new LaunchPlan(List.of(root.resolve("bootstrap").toString()), Map.of());
                    }
                },
                taskRoot);
    }

    /** The same code and configuration published as {@code version}. */
    static Deployment published(Deployment d, String version) {
        return revised(d, version, d.config().environment(), d.config().lastModified());
    }

    /** The same function with a changed configuration (a new revision). */
    static Deployment updated(Deployment d, Map<String, String> env) {
        return revised(d, d.config().version(), env, d.config().lastModified().plusMillis(1));
    }

    /** {@code d} as {@code version} with {@code env}, modified at {@code lastModified}, under a new revision id. */
    private static Deployment revised(Deployment d, String version, Map<String, String> env, Instant lastModified) {
        FunctionConfig c = d.config();
        FunctionConfig next = new FunctionConfig(
                c.key(),
                version,
                c.runtime(),
                c.handler(),
                c.role(),
                c.description(),
                c.memorySize(),
                c.timeout(),
                env,
                c.code(),
                c.ephemeralStorage(),
                c.architectures(),
                lastModified,
                UUID.randomUUID().toString(),
                c.state(),
                c.lastUpdateStatus(),
                null,
                null,
                null,
                null);
        return new Deployment(next, d.runtime(), d.taskRoot());
    }
}
