package dev.spur.sandbox;

import dev.spur.runtimeapi.RuntimeApiHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How an execution environment is started: its process, and how its runtime reaches its Runtime
 * API. The {@code process} implementation runs it as a plain child process with no isolation
 * (development); the {@code linux} implementation runs it in its own namespaces (bubblewrap) and
 * cgroup, see {@link LinuxSandbox}.
 *
 * <p>The pools call {@link #launch}, which opens the environment's Runtime API endpoint on a
 * transport of the sandbox's choosing ({@link RuntimeApiWiring}: a loopback port, or a unix socket
 * bridged into a network-none sandbox; a microVM would choose vsock) and then {@link #start}s its
 * runtime; {@link #start} alone starts a process (tests, benchmarks, the availability check).
 */
public interface Sandbox {

    /** Plain child processes: no isolation, no resource limits. */
    static Sandbox process() {
        return new ProcessSandbox();
    }

    /**
     * Namespaces, a minimal read-only root and one cgroup per environment. Check
     * {@link LinuxSandbox#check(LinuxSandbox.Settings)} first: this factory does not.
     */
    static LinuxSandbox linux(LinuxSandbox.Settings settings) {
        return new LinuxSandbox(settings);
    }

    /** The name printed at start ({@code process}, {@code linux}). */
    String name();

    /**
     * Whether the process sees only a minimal root and the launch spec's mounts, so a launch must
     * mount the code and name it by its in-sandbox path; false when it sees the whole host at the
     * host's paths ({@code process}).
     */
    default boolean isolatesFiles() {
        return false;
    }

    /**
     * Lets go of what it keeps ready for the next start (the linux sandbox's parked launcher); the
     * sandbox stays usable. Processes it started are not touched.
     */
    default void close() {}

    /**
     * Caps what all environments of this sandbox may use together, whatever each one's own limit: past
     * it the kernel reclaims and then OOM-kills among them, never outside. The linux sandbox sets its
     * parent cgroup's memory limit; the process sandbox cannot and does nothing.
     *
     * @throws IOException if the cap could not be set
     */
    default void limitTotalMemory(long bytes) throws IOException {}

    /**
     * What all environments of this sandbox use now, without what the kernel can reclaim at once
     * (inactive file cache): the linux sandbox's parent cgroup's working set. Empty where it cannot
     * be read (the process sandbox).
     */
    default OptionalLong memoryInUse() {
        return OptionalLong.empty();
    }

    /**
     * Whether it can run a process with {@link Network#none(Path)}; else {@link #start} refuses it,
     * and {@link #launch} an {@linkplain EnvironmentSpec#offline() offline} environment.
     */
    default boolean supportsNetworkNone() {
        return false;
    }

    /**
     * Starts an execution environment: opens its Runtime API endpoint, serving {@code api}, where
     * this sandbox's runtimes reach it (by default a loopback port of its own); starts
     * {@code spec.runtime()} told where that is ({@code AWS_LAMBDA_RUNTIME_API}); from then on the
     * endpoint serves only the environment's own processes. The runtime may connect as soon as this
     * returns, or before.
     *
     * <p>Failure semantics: on an exception nothing is left — no endpoint, no process, no directory.
     *
     * @throws IOException if the endpoint or the process could not be started, or {@code spec} is
     *                     {@linkplain EnvironmentSpec#offline() offline} and this sandbox does not
     *                     {@linkplain #supportsNetworkNone() support} it
     */
    default SandboxedEnvironment launch(EnvironmentSpec spec, RuntimeApiHandler api) throws IOException {
        if (spec.offline()) {
            throw new IOException("the " + name() + " sandbox cannot run a function without network (network none)");
        }
        return Launched.launch(this, RuntimeApiWiring.LOOPBACK, spec, api);
    }

    /**
     * Starts {@code spec.command()} with exactly {@code spec.environment()} (nothing inherited).
     *
     * @throws IOException if the process could not be started (missing executable, not executable)
     */
    SandboxedProcess start(LaunchSpec spec) throws IOException;

    /**
     * What to run. {@code command}, {@code workingDirectory} and {@code environment} are as the
     * process sees them; {@code mounts} say which host directories it sees and where. The process
     * sandbox shows the whole host at its own paths and ignores {@code mounts} and
     * {@code ephemeralMb}.
     *
     * @param output      stdout and stderr are both appended to this file (opened O_APPEND)
     * @param memoryMb    the function's memory size; sandboxes that enforce limits use it
     * @param ephemeralMb the size of the process's private {@code /tmp} (Lambda's EphemeralStorage)
     * @param mounts      host directories made visible inside the sandbox
     * @param network     {@link Network#HOST} (the default) or {@link Network#none(Path)}
     */
    record LaunchSpec(
            List<String> command,
            Path workingDirectory,
            Map<String, String> environment,
            Path output,
            int memoryMb,
            int ephemeralMb,
            List<Mount> mounts,
            Network network) {
        /** Lambda's default EphemeralStorage size. */
        public static final int DEFAULT_EPHEMERAL_MB = 512;

        public LaunchSpec {
            command = List.copyOf(command);
            environment = Map.copyOf(environment);
            mounts = List.copyOf(mounts);
            Objects.requireNonNull(network, "network");
            if (ephemeralMb <= 0) {
                throw new IllegalArgumentException("ephemeralMb must be positive: " + ephemeralMb);
            }
        }

        /** The host's network. */
        public LaunchSpec(
                List<String> command,
                Path workingDirectory,
                Map<String, String> environment,
                Path output,
                int memoryMb,
                int ephemeralMb,
                List<Mount> mounts) {
            this(command, workingDirectory, environment, output, memoryMb, ephemeralMb, mounts, Network.HOST);
        }

        /** No mounts, the default {@code /tmp} size. */
        public LaunchSpec(
                List<String> command,
                Path workingDirectory,
                Map<String, String> environment,
                Path output,
                int memoryMb) {
            this(command, workingDirectory, environment, output, memoryMb, DEFAULT_EPHEMERAL_MB, List.of());
        }

        public LaunchSpec withMounts(List<Mount> newMounts) {
            return new LaunchSpec(
                    command, workingDirectory, environment, output, memoryMb, ephemeralMb, newMounts, network);
        }

        public LaunchSpec withEphemeralMb(int mb) {
            return new LaunchSpec(command, workingDirectory, environment, output, memoryMb, mb, mounts, network);
        }

        /** With {@code name} set to {@code value} in the environment, whatever it was. */
        public LaunchSpec withVariable(String name, String value) {
            Map<String, String> env = new HashMap<>(environment);
            env.put(name, value);
            return new LaunchSpec(command, workingDirectory, env, output, memoryMb, ephemeralMb, mounts, network);
        }

        public LaunchSpec withNetwork(Network newNetwork) {
            return new LaunchSpec(
                    command, workingDirectory, environment, output, memoryMb, ephemeralMb, mounts, newNetwork);
        }
    }

    /**
     * Which network the process is in. {@link #HOST}: the host's own network namespace, so it reaches
     * whatever the host reaches, the Runtime API on loopback included. {@link #none(Path)}: a network
     * namespace of its own with only a loopback interface, into which the Runtime API is brought over
     * a unix socket (see {@link LinuxSandbox}); only the linux sandbox can do this, the process
     * sandbox refuses it.
     */
    sealed interface Network {
        /** The host's network namespace (the default). */
        Network HOST = new Host();

        /**
         * No network but loopback; the Runtime API served on the host's unix socket
         * {@code runtimeApiSocket} is bridged in, and the function must be given
         * {@code AWS_LAMBDA_RUNTIME_API=}{@link LinuxSandbox#BRIDGED_RUNTIME_API}.
         *
         * @param runtimeApiSocket absolute; see {@link LinuxSandbox} for who must be able to reach it
         */
        static Network none(Path runtimeApiSocket) {
            return new None(runtimeApiSocket);
        }

        /** See {@link #HOST}. */
        record Host() implements Network {}

        /** See {@link Network#none(Path)}. */
        record None(Path runtimeApiSocket) implements Network {
            public None {
                if (!runtimeApiSocket.isAbsolute()) {
                    throw new IllegalArgumentException(
                            "the Runtime API socket path must be absolute: " + runtimeApiSocket);
                }
            }
        }
    }

    /**
     * A host directory (or file) shown inside the sandbox at {@code sandboxPath}.
     *
     * @param hostPath    absolute; must exist
     * @param sandboxPath absolute; created inside the sandbox if missing
     */
    record Mount(Path hostPath, Path sandboxPath, boolean readOnly) {
        public Mount {
            if (!hostPath.isAbsolute() || !sandboxPath.isAbsolute()) {
                throw new IllegalArgumentException("mount paths must be absolute: " + hostPath + " -> " + sandboxPath);
            }
        }

        public static Mount readOnly(Path hostPath, String sandboxPath) {
            return new Mount(hostPath, Path.of(sandboxPath), true);
        }
    }
}
