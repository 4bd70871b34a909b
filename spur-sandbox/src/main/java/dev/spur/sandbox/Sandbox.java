package dev.spur.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How an execution environment's process is started. The {@code process} implementation runs it
 * as a plain child process with no isolation (development); a Linux implementation with namespaces
 * and cgroups will sit beside it.
 */
public interface Sandbox {

    /** Plain child processes: no isolation, no resource limits. */
    static Sandbox process() {
        return new ProcessSandbox();
    }

    /** The name printed at start ({@code process}, {@code linux}). */
    String name();

    /**
     * Starts {@code spec.command()} with exactly {@code spec.environment()} (nothing inherited).
     *
     * @throws IOException if the process could not be started (missing executable, not executable)
     */
    SandboxedProcess start(LaunchSpec spec) throws IOException;

    /**
     * What to run.
     *
     * @param output   stdout and stderr are both appended to this file (opened O_APPEND)
     * @param memoryMb the function's memory size; sandboxes that enforce limits use it
     */
    record LaunchSpec(List<String> command, Path workingDirectory, Map<String, String> environment, Path output,
                      int memoryMb) {
        public LaunchSpec {
            command = List.copyOf(command);
            environment = Map.copyOf(environment);
        }
    }
}
