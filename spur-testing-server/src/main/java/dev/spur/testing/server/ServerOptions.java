package dev.spur.testing.server;

import dev.spur.invoke.AsyncPolicy;
import dev.spur.pools.PoolSettings;
import dev.spur.server.SpurServer;
import dev.spur.testing.server.SpurTest.Sandbox;
import java.time.Duration;
import java.util.Optional;

/**
 * What a {@link SpurTest} asks for, resolved: {@link Sandbox#DEFAULT} has become the sandbox of this
 * run and the cgroup name carries this JVM's pid. Equal options share one server (they are its key).
 */
record ServerOptions(
        Sandbox sandbox,
        String cgroup,
        SpurServer.Auth auth,
        Optional<Duration> keepAlive,
        int accountConcurrency,
        long memoryCapacityMb,
        double memoryOvercommit,
        Duration asyncRetryDelay,
        boolean shared) {

    /** The system property that makes {@link Sandbox#DEFAULT} the linux sandbox for a whole run. */
    static final String SANDBOX_PROPERTY = "spur.test.sandbox";

    static ServerOptions of(SpurTest test) {
        Sandbox sandbox = test.sandbox();
        if (sandbox == Sandbox.DEFAULT) {
            sandbox = "linux".equals(System.getProperty(SANDBOX_PROPERTY)) ? Sandbox.LINUX : Sandbox.PROCESS;
        }
        return new ServerOptions(
                sandbox,
                test.cgroup() + "-" + ProcessHandle.current().pid(),
                test.auth(),
                test.keepAlive().isEmpty() ? Optional.empty() : Optional.of(Duration.parse(test.keepAlive())),
                test.accountConcurrency(),
                test.memoryCapacityMb(),
                test.memoryOvercommit(),
                Duration.parse(test.asyncRetryDelay()),
                test.shared());
    }

    PoolSettings pools() {
        PoolSettings pools = keepAlive
                .map(PoolSettings::withKeepAlive)
                .orElseGet(PoolSettings::defaults)
                .withAccountConcurrency(accountConcurrency)
                .withMemoryOvercommit(memoryOvercommit);
        return memoryCapacityMb > 0 ? pools.withMemoryCapacityMb(memoryCapacityMb) : pools;
    }

    AsyncPolicy async() {
        return AsyncPolicy.quick(asyncRetryDelay);
    }
}
