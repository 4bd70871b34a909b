package dev.spur.runtimes;

import dev.spur.common.FunctionConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        if (!id.startsWith("provided")) {
            return Optional.empty();
        }
        return Optional.of(new LambdaRuntime() {
            public String id() {
                return id;
            }

            public LaunchPlan plan(FunctionConfig function, Path taskRoot) {
                return new LaunchPlan(List.of(taskRoot.resolve("bootstrap").toString()), Map.of());
            }
        });
    }

    public List<String> ids() {
        return List.of("provided", "provided.al2", "provided.al2023");
    }

    public Path directory() {
        return directory;
    }
}
