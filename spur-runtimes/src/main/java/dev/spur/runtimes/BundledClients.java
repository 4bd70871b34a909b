package dev.spur.runtimes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The runtime clients bundled in this jar as classpath resources, and their extraction to disk.
 *
 * <p>They are extracted to {@code <root>/<version>/}, where the version is a digest of every bundled
 * file, so an upgraded Spur never runs a stale client and an unchanged one extracts nothing.
 * Extraction is atomic: files are written to a temporary sibling directory which is then renamed
 * into place. Two servers starting at once both extract; one rename wins and the other finds the
 * version present and discards its copy. An existing version directory is therefore always complete.
 */
final class BundledClients {
    static final String PYTHON_BOOTSTRAP = "python/bootstrap.py";
    static final String NODE_BOOTSTRAP = "node/bootstrap.mjs";
    static final String NODE_RUNTIME_API = "node/runtime-api.mjs";
    static final List<String> JAVA_CLASSPATH = List.of(
            "java/spur-runtime-java.jar", "java/aws-lambda-java-core.jar", "java/aws-lambda-java-serialization.jar");

    private static final String RESOURCE_ROOT = "/dev/spur/runtimes/";

    private BundledClients() {}

    /**
     * Extracts the clients under {@code root} unless this version is already there.
     *
     * @return the version directory holding {@code python/}, {@code node/} and {@code java/}
     * @throws UncheckedIOException if a resource is missing from the jar or the disk refuses a write
     */
    static Path extract(Path root) {
        try {
            Map<String, byte[]> files = read();
            Path target = root.resolve(version(files));
            if (Files.isDirectory(target)) {
                return target;
            }
            Files.createDirectories(root);
            Path staging = Files.createTempDirectory(root, ".extracting-");
            try {
                for (Map.Entry<String, byte[]> file : files.entrySet()) {
                    Path path = staging.resolve(file.getKey());
                    Files.createDirectories(path.getParent());
                    Files.write(path, file.getValue());
                }
                makeReadableByAll(staging);
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileSystemException e) {
                if (!Files.isDirectory(target)) { // else a concurrent install renamed its copy first
                    throw e;
                }
            } finally {
                deleteTree(staging);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the runtime clients under " + root, e);
        }
    }

    private static Map<String, byte[]> read() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : Stream.concat(
                        Stream.of(PYTHON_BOOTSTRAP, NODE_BOOTSTRAP, NODE_RUNTIME_API), JAVA_CLASSPATH.stream())
                .toList()) {
            try (InputStream in = BundledClients.class.getResourceAsStream(RESOURCE_ROOT + name)) {
                if (in == null) {
                    throw new IOException(
                            "resource " + RESOURCE_ROOT + name + " is missing from the spur-runtimes jar");
                }
                files.put(name, in.readAllBytes());
            }
        }
        return files;
    }

    private static String version(Map<String, byte[]> files) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                digest.update(file.getKey().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(file.getValue());
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The staging directory is created owner-only; sandboxed functions may run as other users. */
    private static void makeReadableByAll(Path dir) throws IOException {
        if (Files.getFileAttributeView(dir, PosixFileAttributeView.class) == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.toList()) {
                Files.setPosixFilePermissions(
                        p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
