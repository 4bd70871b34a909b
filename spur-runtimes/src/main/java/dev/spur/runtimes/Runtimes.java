package dev.spur.runtimes;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** TEMPORARY stand-in with the agreed public API; replaced by the runtimes work at merge. */
public final class Runtimes {
    private final Path directory;

    private Runtimes(Path directory) {
        this.directory = directory;
    }

    public static Runtimes install(Path directory) {
        return new Runtimes(directory);
    }

    public Optional<LambdaRuntime> find(String id) {
        return Optional.empty();
    }

    public List<String> ids() {
        return List.of();
    }

    public Path directory() {
        return directory;
    }
}
