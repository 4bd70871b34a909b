package dev.spur.testing.server;

import dev.spur.sandbox.LinuxSandbox;
import dev.spur.sandbox.Sandbox;
import dev.spur.testing.Tools;

/** The sandboxes a test server runs functions in. */
public final class Sandboxes {
    private Sandboxes() {}

    /**
     * The linux sandbox with {@code settings}, once Python 3 and bubblewrap are installed and the
     * sandbox's own check passes (user namespaces, writable cgroups): skipped locally otherwise,
     * failed under {@code CI=true}.
     */
    public static Sandbox linux(LinuxSandbox.Settings settings) {
        Tools.python();
        Tools.bubblewrap();
        LinuxSandbox.Availability availability = LinuxSandbox.check(settings);
        if (!availability.available()) {
            throw Tools.unavailable("the linux sandbox cannot run here: " + availability.reason());
        }
        return Sandbox.linux(settings);
    }
}
