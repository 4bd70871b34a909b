package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;

/** Every bad code package is refused through the API with a message naming the problem, leaving nothing behind. */
class BadArchiveTest {
    static SpurHarness spur;

    @BeforeAll
    static void start() {
        spur = SpurHarness.start();
    }

    @AfterAll
    static void stop() {
        spur.close();
    }

    record Case(String problem, byte[] zip, String expectedMessage) {}

    @Test
    void badArchivesAreRejectedOnCreateAndUpdateAndLeaveNoFiles() throws Exception {
        String existing = SpurHarness.uniqueName("keep");
        spur.create(existing, "provided.al2023", "h", TestRuntime.zip());
        Set<String> before = listing(spur.dataDir.resolve("code"));
        for (Case c : cases()) {
            assertThatThrownBy(() -> spur.create(SpurHarness.uniqueName("bad"), "provided.al2023", "h", c.zip()))
                    .as(c.problem())
                    .isInstanceOfSatisfying(InvalidParameterValueException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(400);
                        assertThat(e.awsErrorDetails().errorMessage())
                                .as(c.problem())
                                .containsIgnoringCase(c.expectedMessage());
                    });
            assertThatThrownBy(() -> spur.lambda.updateFunctionCode(
                            b -> b.functionName(existing).zipFile(SdkBytes.fromByteArray(c.zip()))))
                    .as(c.problem())
                    .isInstanceOf(InvalidParameterValueException.class);
            assertThat(listing(spur.dataDir.resolve("code")))
                    .as(c.problem() + " leaves no files")
                    .isEqualTo(before);
        }
        assertThat(spur.lambda.invoke(b -> b.functionName(existing)).functionError())
                .as("the existing function still runs its old code")
                .isNull();
    }

    private static List<Case> cases() throws IOException {
        return List.of(
                new Case("zip slip", zipWith("../escape.txt", "x".getBytes(), 0644), "escape.txt"),
                new Case("absolute path", zipWith("/etc/evil", "x".getBytes(), 0644), "/etc/evil"),
                new Case("symlink", symlinkZip(), "link"),
                new Case("corrupt", "PK\u0003\u0004 this is not really a zip".getBytes(), "unzip"),
                new Case("not a zip", "hello world".getBytes(), "unzip"),
                new Case("empty zip", emptyZip(), "no entries"),
                new Case("zip bomb", bomb(260L * 1024 * 1024), "262144000"),
                new Case("over 50 MB zipped", incompressible(50 * 1024 * 1024 + 1), "52428800"));
    }

    private static byte[] zipWith(String name, byte[] content, int mode) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            ZipArchiveEntry e = new ZipArchiveEntry(name);
            e.setUnixMode(0100000 | mode);
            zip.putArchiveEntry(e);
            zip.write(content);
            zip.closeArchiveEntry();
        }
        return out.toByteArray();
    }

    private static byte[] symlinkZip() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            ZipArchiveEntry e = new ZipArchiveEntry("link");
            e.setUnixMode(0120777);
            zip.putArchiveEntry(e);
            zip.write("/etc/passwd".getBytes());
            zip.closeArchiveEntry();
        }
        return out.toByteArray();
    }

    private static byte[] emptyZip() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ZipOutputStream(out).close();
        return out.toByteArray();
    }

    /** Zeros that compress about 1000:1 — a few hundred KB zipped, past the 250 MB unpacked limit. */
    private static byte[] bomb(long bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("zeros.bin"));
            byte[] chunk = new byte[1 << 20];
            for (long written = 0; written < bytes; written += chunk.length) {
                zip.write(chunk);
            }
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    private static byte[] incompressible(int bytes) throws IOException {
        byte[] noise = new byte[bytes];
        new Random(7).nextBytes(noise);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setLevel(0);
            zip.putNextEntry(new ZipEntry("noise.bin"));
            zip.write(noise);
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    private static Set<String> listing(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.map(p -> dir.relativize(p).toString()).collect(Collectors.toSet());
        }
    }
}
