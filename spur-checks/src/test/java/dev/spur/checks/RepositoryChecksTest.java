package dev.spur.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The repository's own promises, checked by every build (this module is built last): every test is run,
 * every code name the documents promise exists, and code imports what it names.
 */
class RepositoryChecksTest {
    static JavaSources sources;

    @BeforeAll
    static void parse() {
        sources = JavaSources.parse(repository());
    }

    @Test
    void theChecksReadTheWholeRepository() {
        assertThat(sources.repository().resolve("pom.xml")).isRegularFile();
        assertThat(sources.files())
                .as("the checks must see the repository's sources, this file among them")
                .anySatisfy(f -> assertThat(f.path().toString()).endsWith("dev/spur/checks/RepositoryChecksTest.java"))
                .hasSizeGreaterThan(100);
        assertThat(UnrunTests.reactorModules(sources)).contains("spur-checks");
    }

    @Test
    void everyClassHoldingTestsIsRunBySurefire() {
        assertNone("test classes or methods that ./mvnw verify would silently skip", UnrunTests.find(sources));
    }

    @Test
    void everyCodeNameTheDocumentsPromiseExists() {
        assertNone(
                "names in " + DocumentedNames.DOCUMENTS + " that the source tree does not declare"
                        + " (correct the reference; if a promised test does not exist, write it)",
                DocumentedNames.find(sources));
    }

    @Test
    void codeImportsTheTypesItNames() {
        assertNone(
                "fully-qualified names written inline in code (import them; a clash of simple names"
                        + " is better solved by renaming)",
                InlineQualifiedNames.find(sources));
    }

    static void assertNone(String what, List<String> offenders) {
        if (!offenders.isEmpty()) {
            fail(offenders.size() + " " + what + ":\n  " + String.join("\n  ", offenders));
        }
    }

    /** The repository root: Maven passes it; run from an IDE, it is this module's parent. */
    static Path repository() {
        String configured = System.getProperty("spur.repository");
        Path root = configured == null || configured.isBlank()
                ? Path.of("").toAbsolutePath().getParent()
                : Path.of(configured);
        if (!Files.isRegularFile(root.resolve("pom.xml"))) {
            fail("no repository at " + root + " (spur.repository=" + configured + ")");
        }
        return root;
    }
}
