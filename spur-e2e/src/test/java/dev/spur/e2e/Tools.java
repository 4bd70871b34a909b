package dev.spur.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import dev.spur.sandbox.LinuxSandbox;
import dev.spur.sandbox.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * External tools the end-to-end tests drive. Missing on a developer machine: the test is skipped
 * with a message. Missing under {@code CI=true}: the test fails, so CI never passes by skipping.
 */
final class Tools {
    private Tools() {}

    static Path require(String description, String... candidates) {
        for (String c : candidates) {
            Path p = Path.of(c);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String message = description + " is not installed (looked for " + String.join(", ", candidates)
                + "); .ci/run installs it";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message);
        }
        Assumptions.abort(message);
        return null;
    }

    static Path curl() {
        return require("curl", "/usr/bin/curl");
    }

    static Path awsCliV2() {
        return require("AWS CLI v2", "/usr/bin/aws", "/usr/local/bin/aws");
    }

    static Path python() {
        return require("Python 3", "/usr/bin/python3");
    }

    static Path node() {
        return require("Node.js", "/usr/bin/node", "/usr/local/bin/node");
    }

    /**
     * The linux sandbox with {@code settings}, once Python 3 and bubblewrap are installed and the
     * sandbox's own check passes (user namespaces, writable cgroups): skipped locally otherwise,
     * failed under {@code CI=true}.
     */
    static Sandbox linuxSandbox(LinuxSandbox.Settings settings) {
        python();
        require("bubblewrap", "/usr/bin/bwrap");
        LinuxSandbox.Availability availability = LinuxSandbox.check(settings);
        if (!availability.available()) {
            String message = "the linux sandbox cannot run here: " + availability.reason();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        return Sandbox.linux(settings);
    }
}
