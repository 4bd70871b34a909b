package dev.spur.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One system under test in {@link PeerComparison}: a server in a child process of its own, with the
 * comparison's handler deployed, and the two URLs the load generator drives. Closing it ends the process
 * (and anything it started) and waits for that.
 */
interface PeerServer extends AutoCloseable {
    /** Lambda's Invoke API for the handler: {@code POST /2015-03-31/functions/{name}/invocations}. */
    URI invokeUrl();

    /** An HTTP route to the handler ({@code POST /bench}, API Gateway HTTP API payload 2.0). */
    URI routeUrl();

    @Override
    void close();

    /**
     * Asks {@code process} to stop (SIGTERM: both servers clean up on it), waits up to 15 s, then kills it,
     * and finally anything it started that is still alive.
     */
    static void stop(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** The last {@code n} lines of a server's log, for a failure message. */
    static String tail(Path log, int n) {
        try {
            List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
