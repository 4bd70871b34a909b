package dev.spur.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** The checkout these tests check, and the tools they run on it. */
final class Repo {
    /** Surefire runs a module's tests in the module's directory. */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    static final Path KUBERNETES = ROOT.resolve("deploy/kubernetes");
    static final Path ENTRYPOINT = ROOT.resolve("deploy/container/entrypoint.sh");
    static final Path LAUNCHER = ROOT.resolve("deploy/container/spur");

    private Repo() {}

    /**
     * kubectl from the PATH, whose built-in kustomize renders the manifests offline. Missing: the test is
     * skipped with a message, or fails under {@code CI=true} (.ci/run installs it).
     */
    static Path kubectl() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "kubectl");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return missing("kubectl (for `kubectl kustomize`) is not on the PATH; .ci/run installs it");
    }

    /** Skips the test with {@code message}, or fails it under {@code CI=true}. */
    static <T> T missing(String message) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message);
        }
        Assumptions.abort(message);
        return null;
    }

    /** {@code kubectl kustomize dir}: the rendered YAML, or a failure with kustomize's own words. */
    static String kustomize(Path dir) {
        Path kubectl = kubectl();
        try {
            Path err = Files.createTempFile("spur-kustomize", ".err");
            try {
                Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                        .redirectError(err.toFile())
                        .start();
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return fail("kubectl kustomize " + dir + " did not finish in 120 s");
                }
                if (p.exitValue() != 0) {
                    return fail("kubectl kustomize " + dir + " failed: " + Files.readString(err));
                }
                return out;
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every overlay under deploy/kubernetes/overlays: what a user applies. */
    static List<Path> overlays() {
        try (var dirs = Files.list(KUBERNETES.resolve("overlays"))) {
            return dirs.filter(d -> Files.exists(d.resolve("kustomization.yaml")))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
