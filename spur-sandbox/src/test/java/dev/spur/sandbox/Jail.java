package dev.spur.sandbox;

import dev.spur.sandbox.Sandbox.LaunchSpec;
import dev.spur.sandbox.Sandbox.Mount;
import dev.spur.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands in a {@link LinuxSandbox} for the tests: a code directory mounted at
 * {@code /var/task}, output collected from a file. A host without bwrap or writable cgroups skips
 * the tests, except under {@code CI=true}, where it fails them (CI must never pass by skipping).
 */
final class Jail {
    final LinuxSandbox sandbox;
    final Path root;
    final Path code;
    private int outputs;

    Jail(Path root, LinuxSandbox.Settings settings) throws IOException {
        LinuxSandbox.Availability availability = LinuxSandbox.check(settings);
        if (!availability.available()) {
            throw Tools.unavailable(
                    "the linux sandbox cannot run here: " + availability.reason() + "; .ci/run installs bubblewrap");
        }
        this.sandbox = Sandbox.linux(settings.withSpares(0)); // a launcher is parked by each start, none kept
        this.root = root;
        // @TempDir is 0700; the sandbox runs as an unprivileged host user that must reach the code.
        readable(root);
        this.code = Files.createDirectories(root.resolve("code"));
        readable(code);
    }

    Jail(Path root) throws IOException {
        this(root, LinuxSandbox.Settings.defaults());
    }

    /** Skips (fails under {@code CI=true}) where network none cannot run: socat is missing. */
    static void requireNetworkNone() {
        LinuxSandbox.Availability none = LinuxSandbox.checkNetworkNone();
        if (!none.available()) {
            throw Tools.unavailable("network none cannot run here: " + none.reason());
        }
    }

    /** Leaves no empty Spur parent cgroup behind inside the cgroup the build was given. */
    static void removeParentCgroups() throws IOException {
        for (String name : List.of(LinuxSandbox.Settings.defaults().cgroupName(), "spur-test-leftovers")) {
            Cgroups.detect(name).removeEmptyParents();
        }
    }

    static void readable(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    LaunchSpec spec(int memoryMb, String... command) throws IOException {
        Path output = root.resolve("out-" + (++outputs) + ".log");
        Files.createFile(output);
        return new LaunchSpec(List.of(command), Path.of("/var/task"), Map.of("PATH", "/usr/bin:/bin"), output, memoryMb)
                .withMounts(List.of(Mount.readOnly(code, "/var/task")));
    }

    Jailed start(LaunchSpec spec) throws IOException {
        return (Jailed) sandbox.start(spec);
    }

    Result run(LaunchSpec spec) throws Exception {
        return run(sandbox, spec);
    }

    /** As {@link #run(LaunchSpec)}, in another sandbox. */
    Result run(LinuxSandbox in, LaunchSpec spec) throws Exception {
        Jailed p = (Jailed) in.start(spec);
        SandboxedProcess.ExitStatus status;
        try {
            status = p.onExit().get(60, TimeUnit.SECONDS);
        } finally {
            p.kill();
        }
        return new Result(status, Files.readString(spec.output()), p);
    }

    /** Runs a Python program in the sandbox with 128 MB. */
    Result python(String program) throws Exception {
        return run(spec(128, "/usr/bin/python3", "-c", program));
    }

    record Result(SandboxedProcess.ExitStatus status, String output, Jailed process) {}
}
