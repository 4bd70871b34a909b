package dev.spur.runtimes;

import dev.spur.common.FunctionConfig;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code java17}, {@code java21}, {@code java25}: Spur's Java runtime client (compiled for 17) on the
 * JVM Spur itself runs on.
 *
 * <p>The flags favour cold start over peak throughput, as a function's life is short and its first
 * event is what users wait for: the serial collector (no GC threads to start), C1 only, no perf-data
 * file, and class data from an archive: the AOT cache of the client's own start-up once
 * {@link JavaAotCache} has built it, the JDK's default CDS archive ({@code -Xshare:auto}) until then
 * (the JVM refuses both at once). The heap is capped at 85% of the function's memory, leaving the
 * rest for metaspace, code and thread stacks.
 */
record JavaRuntime(String id, Path java, Path runtimeDir, JavaAotCache aotCache) implements LambdaRuntime {
    static final String MAIN_CLASS = "dev.spur.runtime.java.Main";
    static final String TRAINING_CLASS = "dev.spur.runtime.java.Training";

    /** Shared by launches and the AOT training run: an AOT cache is only used by a JVM started like the one that made it. */
    static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData");

    static String classpath(Path runtimeRoot) {
        List<String> jars = new ArrayList<>();
        for (String jar : BundledClients.JAVA_CLASSPATH) {
            jars.add(runtimeRoot.resolve(jar).toString());
        }
        return String.join(File.pathSeparator, jars);
    }

    /** 85% of the function's memory (Lambda's default memory if the configuration carries none). */
    static int heapMb(FunctionConfig function) {
        int memory = function.memorySize() > 0 ? function.memorySize() : FunctionConfig.DEFAULT_MEMORY_MB;
        return memory * 85 / 100;
    }

    @Override
    public LaunchPlan plan(FunctionConfig function, Path taskRoot) {
        return plan(function, taskRoot, runtimeDir);
    }

    /**
     * The class path always names the client at its host path, also in a sandbox (which mounts it
     * there too, see {@link #interpreterDirectories()}), because a JVM refuses an AOT cache whose
     * class path differs from the training run's: from {@code /var/runtime} every sandboxed Java cold
     * start would lose the cache's few hundred milliseconds. {@code LAMBDA_RUNTIME_DIR} is still
     * {@code clientDir}, as on Lambda.
     */
    @Override
    public LaunchPlan plan(FunctionConfig function, Path taskRoot, Path clientDir) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(JVM_FLAGS);
        command.add("-Xmx" + heapMb(function) + "m");
        command.addAll(aotCache.launchFlags());
        command.add("-cp");
        command.add(classpath(runtimeDir.getParent()));
        command.add(MAIN_CLASS);
        return new LaunchPlan(
                command, Map.of("AWS_EXECUTION_ENV", "AWS_Lambda_" + id, "LAMBDA_RUNTIME_DIR", clientDir.toString()));
    }

    @Override
    public Optional<Path> clientDirectory() {
        return Optional.of(runtimeDir);
    }

    /**
     * The JDK, when it is not under {@code /usr} (which every sandbox shows), and the client with its
     * AOT cache at their host path (see {@link #plan(FunctionConfig, Path, Path)}).
     */
    @Override
    public List<Path> interpreterDirectories() {
        Path home = java.getParent().getParent();
        return home.startsWith("/usr") ? List.of(runtimeDir) : List.of(home, runtimeDir);
    }
}
