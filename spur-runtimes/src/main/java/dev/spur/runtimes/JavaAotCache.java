package dev.spur.runtimes;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JDK AOT cache ({@code -XX:AOTCache}, JEP 483/514) of the Java runtime client's start-up, made
 * once per client version and JVM by a training run of {@code dev.spur.runtime.java.Training}.
 *
 * <p>Why: a function whose handler takes typed input spends about 300 ms of its cold start loading
 * and linking Jackson; from the cache those classes come loaded, linked and profiled, and its first
 * event is answered in about a third of the time. Stream handlers neither gain nor lose much.
 *
 * <p>The cache is built in the background after {@link Runtimes#install}; launches planned before it
 * is ready run without it. It is written under a temporary name and renamed, so a present file is
 * complete; concurrent trainers each rename a whole file. The JVM validates the cache when it starts
 * (same JDK build, classpath, flags) and silently runs without it if anything differs, so a stale or
 * foreign cache costs nothing but the speed-up. A failed training is logged and leaves no cache.
 */
final class JavaAotCache {
    private static final System.Logger LOG = System.getLogger(JavaAotCache.class.getName());
    private static final long TRAINING_TIMEOUT_SECONDS = 120;

    private final Path java;
    private final Path runtimeRoot;
    private final Path file;

    /**
     * @param java        the JVM that will run functions (the cache is only valid for its build)
     * @param runtimeRoot the extracted clients' version directory
     */
    JavaAotCache(Path java, Path runtimeRoot) {
        this.java = java;
        this.runtimeRoot = runtimeRoot;
        String jvm = java.toAbsolutePath() + "|" + Runtime.version();
        this.file =
                runtimeRoot.resolve("java").resolve("client-" + HexFormat.of().toHexDigits(jvm.hashCode()) + ".aot");
    }

    Path file() {
        return file;
    }

    boolean isReady() {
        return Files.isRegularFile(file);
    }

    /** {@code -XX:AOTCache=...} once the cache exists, else the JDK's own CDS archive. */
    List<String> launchFlags() {
        return List.of(isReady() ? "-XX:AOTCache=" + file : "-Xshare:auto");
    }

    /** Runs the training JVM and installs its cache; blocks for a few seconds. Never throws. */
    void create() {
        if (isReady() || Runtime.version().feature() < 25) { // -XX:AOTCacheOutput arrived in JDK 25
            return;
        }
        String unique = file.getFileName() + "." + ProcessHandle.current().pid();
        Path partial = file.resolveSibling(unique + ".partial");
        Path log = file.resolveSibling(unique + ".training.log");
        Process training = null;
        try {
            List<String> command = new ArrayList<>();
            command.add(java.toString());
            command.addAll(JavaRuntime.JVM_FLAGS);
            command.add("-XX:AOTCacheOutput=" + partial);
            command.add("-cp");
            command.add(JavaRuntime.classpath(runtimeRoot));
            command.add(JavaRuntime.TRAINING_CLASS);
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().clear(); // no JAVA_TOOL_OPTIONS or the like: train exactly as functions launch
            training = builder.start();
            if (!training.waitFor(TRAINING_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                training.destroyForcibly();
                LOG.log(
                        Level.WARNING,
                        "Java AOT training timed out; Java functions start without the cache. See {0}",
                        log);
            } else if (!Files.isDirectory(file.getParent())) {
                return; // the runtimes directory went away meanwhile (a short-lived server's data dir was deleted)
            } else if (training.exitValue() != 0 || !Files.isRegularFile(partial)) {
                LOG.log(
                        Level.WARNING,
                        "Java AOT training failed (exit {0}); Java functions start without the cache. See {1}",
                        training.exitValue(),
                        log);
            } else {
                Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Java AOT training could not run; Java functions start without the cache", e);
        } catch (InterruptedException e) {
            training.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                // a leftover partial file is harmless: it is never read
            }
        }
    }
}
