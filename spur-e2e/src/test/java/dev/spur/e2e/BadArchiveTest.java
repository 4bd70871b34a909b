package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Zips;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;

/** Every bad code package is refused through the API with a message naming the problem, leaving nothing behind. */
@SpurTest
class BadArchiveTest {
    static Spur spur;

    record Case(String problem, byte[] zip, String expectedMessage) {}

    @Test
    void badArchivesAreRejectedOnCreateAndUpdateAndLeaveNoFiles() throws Exception {
        String existing = Spur.uniqueName("keep");
        spur.create(existing, FunctionPackage.testRuntime());
        Set<String> before = listing(spur.dataDir().resolve("code"));
        for (Case c : cases()) {
            assertThatThrownBy(() -> spur.create(Spur.uniqueName("bad"), "provided.al2023", "h", c.zip()))
                    .as(c.problem())
                    .isInstanceOfSatisfying(InvalidParameterValueException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(400);
                        assertThat(e.awsErrorDetails().errorMessage())
                                .as(c.problem())
                                .containsIgnoringCase(c.expectedMessage());
                    });
            assertThatThrownBy(() -> spur.lambda()
                            .updateFunctionCode(b -> b.functionName(existing).zipFile(SdkBytes.fromByteArray(c.zip()))))
                    .as(c.problem())
                    .isInstanceOf(InvalidParameterValueException.class);
            assertThat(listing(spur.dataDir().resolve("code")))
                    .as(c.problem() + " leaves no files")
                    .isEqualTo(before);
        }
        assertThat(spur.lambda().invoke(b -> b.functionName(existing)).functionError())
                .as("the existing function still runs its old code")
                .isNull();
    }

    private static List<Case> cases() {
        return List.of(
                new Case("zip slip", Zips.create().text("../escape.txt", "x").bytes(), "escape.txt"),
                new Case("absolute path", Zips.create().text("/etc/evil", "x").bytes(), "/etc/evil"),
                new Case("symlink", Zips.create().symlink("link", "/etc/passwd").bytes(), "link"),
                new Case("corrupt", "PK\u0003\u0004 this is not really a zip".getBytes(), "unzip"),
                new Case("not a zip", "hello world".getBytes(), "unzip"),
                new Case("empty zip", Zips.empty(), "no entries"),
                // zeros compress about 1000:1: a few hundred KB zipped, past the 250 MB unpacked limit
                new Case(
                        "zip bomb",
                        Zips.create().zeros("zeros.bin", 260L * 1024 * 1024).bytes(),
                        "262144000"),
                new Case("over 50 MB zipped", Zips.incompressible("noise.bin", 50 * 1024 * 1024 + 1), "52428800"));
    }

    private static Set<String> listing(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.map(p -> dir.relativize(p).toString()).collect(Collectors.toSet());
        }
    }
}
