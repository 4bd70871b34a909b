package dev.spur.runtimes;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the interpreters runtimes exec. System locations come first ({@code /usr/bin}), then the
 * {@code PATH}, skipping version-manager shim directories (pyenv's, asdf's: a shell script that
 * costs about 100 ms per start). Paths are made absolute but symlinks are kept, so a virtualenv's
 * {@code python3} stays that virtualenv's.
 *
 * @param systemDirs searched first, in order
 * @param searchPath the {@code PATH} entries, searched next
 * @param javaHome   the JDK whose {@code bin/java} runs Java functions
 */
record Interpreters(List<Path> systemDirs, List<Path> searchPath, Path javaHome) {

    Interpreters {
        systemDirs = List.copyOf(systemDirs);
        searchPath = List.copyOf(searchPath);
    }

    /** This machine's: {@code /usr/bin}, the server's {@code PATH}, and the running JVM. */
    static Interpreters ofSystem() {
        List<Path> path = new ArrayList<>();
        String env = System.getenv("PATH");
        for (String entry : env == null ? new String[0] : env.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                path.add(Path.of(entry).toAbsolutePath());
            }
        }
        return new Interpreters(List.of(Path.of("/usr/bin")), path, Path.of(System.getProperty("java.home")));
    }

    /** {@code python3.X} in a system directory, else {@code python3} there, else {@code python3} on the PATH. */
    Optional<Path> python(String minorVersion) {
        return inSystemDirs("python" + minorVersion)
                .or(() -> inSystemDirs("python3"))
                .or(() -> onSearchPath("python3"));
    }

    Optional<Path> node() {
        return inSystemDirs("node").or(() -> onSearchPath("node"));
    }

    Optional<Path> java() {
        Path java = javaHome.resolve("bin").resolve("java");
        return Files.isExecutable(java) ? Optional.of(java.toAbsolutePath()) : Optional.empty();
    }

    private Optional<Path> inSystemDirs(String name) {
        return find(systemDirs, name);
    }

    private Optional<Path> onSearchPath(String name) {
        return find(searchPath.stream().filter(dir -> !isShimDirectory(dir)).toList(), name);
    }

    private static boolean isShimDirectory(Path dir) {
        Path last = dir.getFileName();
        return last != null && last.toString().equals("shims");
    }

    private static Optional<Path> find(List<Path> dirs, String name) {
        for (Path dir : dirs) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }
}
