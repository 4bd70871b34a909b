package dev.spur.runtimes;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executor;

/**
 * The runtimes this machine can run, with Spur's runtime clients installed on disk.
 *
 * <p>{@link #install} extracts the clients bundled in this jar (see {@link BundledClients}) and
 * looks for interpreters: a {@code python3.X} id is offered when a CPython is found, {@code nodejsNN.x}
 * when {@code node} is, {@code javaNN} always (it runs on this JVM), {@code provided*} always (the
 * function brings its own {@code bootstrap}). Runtimes whose interpreter is missing are simply
 * absent. The interpreter found serves every version id of its language: {@code python3.13} on a
 * machine with only Python 3.11 runs on 3.11.
 *
 * <p>Installing also starts building the Java client's AOT cache on a background daemon thread
 * ({@link JavaAotCache}); Java launches pick it up once it exists.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class Runtimes {
    private static final List<String> PYTHON_VERSIONS = List.of("3.9", "3.10", "3.11", "3.12", "3.13", "3.14");
    private static final List<String> NODE_IDS = List.of("nodejs18.x", "nodejs20.x", "nodejs22.x");
    private static final List<String> JAVA_IDS = List.of("java17", "java21", "java25");
    private static final List<String> CUSTOM_IDS = List.of("provided", "provided.al2", "provided.al2023");

    private final Path directory;
    private final Map<String, LambdaRuntime> byId;

    private Runtimes(Path directory, Map<String, LambdaRuntime> byId) {
        this.directory = directory;
        this.byId = byId;
    }

    /**
     * Extracts the runtime clients under {@code directory} (once per client version; safe when
     * several servers share the directory and start together) and detects interpreters.
     *
     * @throws java.io.UncheckedIOException if the clients cannot be written
     */
    public static Runtimes install(Path directory) {
        return install(directory, Interpreters.ofSystem(), task -> {
            Thread thread = new Thread(task, "spur-java-aot-training");
            thread.setDaemon(true);
            thread.start();
        });
    }

    /**
     * @param background runs the Java AOT training; a direct executor makes {@code install} wait for it
     */
    static Runtimes install(Path directory, Interpreters interpreters, Executor background) {
        Path root = BundledClients.extract(directory);
        Map<String, LambdaRuntime> byId = new TreeMap<>();
        for (String version : PYTHON_VERSIONS) {
            String id = "python" + version;
            interpreters
                    .python(version)
                    .ifPresent(python -> byId.put(id, new PythonRuntime(id, python, root.resolve("python"))));
        }
        interpreters
                .node()
                .ifPresent(node ->
                        NODE_IDS.forEach(id -> byId.put(id, new NodeRuntime(id, node, root.resolve("node")))));
        interpreters.java().ifPresent(java -> {
            JavaAotCache cache = new JavaAotCache(java, root);
            JAVA_IDS.forEach(id -> byId.put(id, new JavaRuntime(id, java, root.resolve("java"), cache)));
            if (!cache.isReady()) {
                background.execute(cache::create);
            }
        });
        CUSTOM_IDS.forEach(id -> byId.put(id, new CustomRuntime(id)));
        return new Runtimes(root, byId);
    }

    /** The runtime with this Lambda identifier, if this machine can run it. */
    public Optional<LambdaRuntime> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Every runtime id this machine can run, sorted. */
    public List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    /** The directory the runtime clients were extracted to: {@code <install directory>/<client version>}. */
    public Path directory() {
        return directory;
    }
}
