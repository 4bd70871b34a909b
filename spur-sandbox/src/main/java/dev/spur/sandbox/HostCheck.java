package dev.spur.sandbox;

import dev.spur.sandbox.LinuxSandbox.Availability;
import dev.spur.sandbox.Sandbox.LaunchSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Whether this host can run the linux sandbox: {@link LinuxSandbox#check(LinuxSandbox.Settings)}. */
final class HostCheck {
    private HostCheck() {}

    /**
     * Checks bwrap, the cgroups and (by starting {@code /usr/bin/true} in a sandbox) user
     * namespaces. Takes a few milliseconds; leaves nothing behind.
     */
    static Availability check(LinuxSandbox.Settings settings) {
        if (!Files.isExecutable(settings.bwrap())) {
            return Availability.no("bwrap is not installed (no " + settings.bwrap() + "; apt-get install bubblewrap)");
        }
        if (LinuxSandbox.isRoot() && !Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            return Availability.no("setpriv is not installed (/usr/bin/setpriv, util-linux)");
        }
        String cgroupsInForce;
        try {
            Cgroups cgroups = Cgroups.detect(settings.cgroupName());
            cgroupsInForce = cgroups.describe();
            cgroups.create(
                            "probe-" + LinuxSandbox.nextId(),
                            new Cgroups.Limits(
                                    64L << 20,
                                    new CpuLimit(CpuLimit.PERIOD_MICROS, CpuLimit.PERIOD_MICROS, 0, 1024),
                                    16))
                    .remove();
        } catch (IOException | RuntimeException e) {
            return Availability.no("cgroups are not writable: " + e.getMessage());
        }
        Path output = null;
        try {
            output = Files.createTempFile("spur-sandbox-check", ".out");
            SandboxedProcess p = new LinuxSandbox(settings.withSpares(0))
                    .start(new LaunchSpec(List.of("/usr/bin/true"), Path.of("/"), Map.of(), output, 128));
            SandboxedProcess.ExitStatus status = p.onExit().get(10, TimeUnit.SECONDS);
            if (status.code() != 0 || status.signal() != 0) {
                String said = Files.readString(output).strip();
                return Availability.no("bwrap could not create a sandbox (user namespaces off? see "
                        + "/proc/sys/user/max_user_namespaces, kernel.unprivileged_userns_clone, "
                        + "kernel.apparmor_restrict_unprivileged_userns): " + status.describe() + ": " + said);
            }
            return Availability.yes("bubblewrap namespaces (user, pid, mount, ipc, uts), " + cgroupsInForce + ", "
                    + (LinuxSandbox.isRoot()
                            ? "one host uid per environment from " + settings.firstHostUid()
                            : "every environment as Spur's own uid " + LinuxSandbox.ownUid()
                                    + " (Spur is not root: environments " + "are not told apart on the Runtime API)"));
        } catch (Exception e) {
            return Availability.no("could not start a sandbox: " + e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }
}
