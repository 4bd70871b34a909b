package dev.spur.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How an execution environment's process is started. The {@code process} implementation runs it
 * as a plain child process with no isolation (development); the {@code linux} implementation runs
 * it in its own namespaces (bubblewrap) and cgroup, see {@link LinuxSandbox}.
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
     */
    record LaunchSpec(List<String> command, Path workingDirectory, Map<String, String> environment, Path output,
                      int memoryMb, int ephemeralMb, List<Mount> mounts) {
        /** Lambda's default EphemeralStorage size. */
        public static final int DEFAULT_EPHEMERAL_MB = 512;

        public LaunchSpec {
            command = List.copyOf(command);
            environment = Map.copyOf(environment);
            mounts = List.copyOf(mounts);
            if (ephemeralMb <= 0) {
                throw new IllegalArgumentException("ephemeralMb must be positive: " + ephemeralMb);
            }
        }

        /** No mounts, the default {@code /tmp} size. */
        public LaunchSpec(List<String> command, Path workingDirectory, Map<String, String> environment, Path output,
                          int memoryMb) {
            this(command, workingDirectory, environment, output, memoryMb, DEFAULT_EPHEMERAL_MB, List.of());
        }

        public LaunchSpec withMounts(List<Mount> newMounts) {
            return new LaunchSpec(command, workingDirectory, environment, output, memoryMb, ephemeralMb, newMounts);
        }

        public LaunchSpec withEphemeralMb(int mb) {
            return new LaunchSpec(command, workingDirectory, environment, output, memoryMb, mb, mounts);
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
