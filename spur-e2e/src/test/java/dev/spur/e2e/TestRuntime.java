package dev.spur.e2e;

import dev.spur.testing.FunctionPackage;

/** The event-driven custom runtime used by API tests (print, sleep, exit, fail, big responses on demand). */
final class TestRuntime {
    private TestRuntime() {}

    static byte[] zip() {
        return FunctionPackage.testRuntime().zip();
    }
}
