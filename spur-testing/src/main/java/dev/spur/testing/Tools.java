package dev.spur.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * External tools the tests drive (interpreters, curl, the AWS CLI, bubblewrap). Missing on a
 * developer machine: the test is skipped with a message. Missing under {@code CI=true}: the test
 * fails, so CI never passes by skipping ({@code .ci/run} installs them all).
 */
public final class Tools {
    private Tools() {}

    /** The first of {@code candidates} that is executable, else {@link #unavailable} naming them. */
    public static Path require(String description, String... candidates) {
        for (String c : candidates) {
            Path p = Path.of(c);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw unavailable(description + " is not installed (looked for " + String.join(", ", candidates)
                + "); .ci/run installs it");
    }

    /**
     * Ends the test because something it needs cannot run here: skipped locally, failed under
     * {@code CI=true}. Declared to return an error so callers can write {@code throw unavailable(…)}.
     */
    public static AssertionError unavailable(String message) {
        if (onCi()) {
            Assertions.fail(message + " (CI=true)");
        }
        Assumptions.abort(message);
        return new AssertionError(message); // not reached: abort throws
    }

    /** Whether this is CI ({@code CI=true}), where nothing may be skipped for want of a tool. */
    public static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    public static Path curl() {
        return require("curl", "/usr/bin/curl");
    }

    public static Path awsCliV2() {
        return require("AWS CLI v2", "/usr/bin/aws", "/usr/local/bin/aws");
    }

    public static Path python() {
        return require("Python 3", "/usr/bin/python3");
    }

    public static Path node() {
        return require("Node.js", "/usr/bin/node", "/usr/local/bin/node");
    }

    public static Path bubblewrap() {
        return require("bubblewrap", "/usr/bin/bwrap");
    }
}
