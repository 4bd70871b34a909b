package dev.spur.server;

import dev.spur.server.SpurServer.Options;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A real Spur on an ephemeral port with a fresh data directory, functions as plain processes, no
 * authentication: the one place this module's tests start a server (to be replaced by the shared
 * testing kit when it lands). Closing stops the server and removes the data directory.
 */
final class RunningSpur implements AutoCloseable {
    final SpurServer server;
    /** Holds the data directory ({@code data}, created by the server) and nothing else. */
    private final Path scratch;

    private RunningSpur(SpurServer server, Path scratch) {
        this.server = server;
        this.scratch = scratch;
    }

    static RunningSpur start() {
        return start(o -> o);
    }

    /** A server whose options ({@code Options.defaults} on a fresh directory, port 0) are changed by {@code options}. */
    static RunningSpur start(UnaryOperator<Options> options) {
        Path dir = scratch();
        Path data = dir.resolve("data");
        try {
            return new RunningSpur(
                    SpurServer.start(options.apply(Options.defaults(data).withPort(0))), dir);
        } catch (RuntimeException e) {
            delete(dir);
            throw e;
        }
    }

    int port() {
        return server.port();
    }

    Path dataDir() {
        return server.dataDir();
    }

    @Override
    public void close() {
        server.close();
        delete(scratch);
    }

    /** A new empty directory for a test's data directories; {@link #delete} removes it. */
    static Path scratch() {
        try {
            return Files.createTempDirectory("spur-server-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Deletes a tree that may hold read-only directories (unpacked code), best effort: the Java runtime
     * client's AOT training, started by the server in the background, may still be writing into it.
     */
    static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isDirectory).forEach(p -> p.toFile().setWritable(true));
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }
}
