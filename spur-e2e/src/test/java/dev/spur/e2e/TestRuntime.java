package dev.spur.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The event-driven custom runtime used by API tests (print, sleep, exit, fail, big responses on demand). */
final class TestRuntime {
    private TestRuntime() {}

    static byte[] zip() {
        Tools.python();
        try (InputStream in = TestRuntime.class.getResourceAsStream("/test-runtime.py")) {
            return Zips.create().file("bootstrap", in.readAllBytes(), 0755).bytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
