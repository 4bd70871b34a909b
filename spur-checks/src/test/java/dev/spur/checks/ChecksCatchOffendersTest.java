package dev.spur.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks themselves, on a small repository written to a temporary directory: a class named so that
 * Surefire skips it, the other ways tests go unrun, dangling names in the documents, and inline
 * qualified names are each reported; what is fine is not.
 */
class ChecksCatchOffendersTest {
    @TempDir
    static Path repo;

    static JavaSources sources;

    @BeforeAll
    static void writeRepository() throws IOException {
        write("pom.xml", pom("<modules><module>app</module><module>custom</module></modules>", ""));
        write("app/pom.xml", pom("", ""));
        write(
                "custom/pom.xml",
                pom(
                        "",
                        "<build><plugins><plugin><artifactId>maven-surefire-plugin</artifactId><configuration>"
                                + "<includes><include>**/*Check.java</include></includes>"
                                + "</configuration></plugin></plugins></build>"));
        write("app/src/main/java/p/Service.java", """
                package p;

                import java.util.Map;

                /** Mentions java.util.List in a comment, which is fine. */
                public class Service {
                    public static final int LIMIT = 3;
                    private final Map<String, String> names = Map.of();
                    private final java.util.List<String> inline = java.util.List.of("java.util.Set in a string");

                    public record Entry(String key) {}

                    public String lookup(String dev) {
                        return dev.toString() + names.get(dev) + java.time.Duration.ofSeconds(LIMIT) + inline;
                    }
                }
                """);
        write("app/src/test/java/p/ServiceTest.java", test("ServiceTest", "lookupFinds"));
        write("app/src/test/java/p/ServiceChecks.java", test("ServiceChecks", "neverRuns"));
        write("app/src/test/java/p/Helpers.java", """
                package p;

                class Helpers {
                    static String help() {
                        return "";
                    }
                }
                """);
        write("app/src/test/java/p/AbstractBaseTest.java", """
                package p;

                import org.junit.jupiter.api.Test;

                abstract class AbstractBaseTest {
                    @Test
                    void inheritedTest() {}
                }
                """);
        write("app/src/test/java/p/ConcreteTest.java", """
                package p;

                class ConcreteTest extends AbstractBaseTest {}
                """);
        write("app/src/test/java/p/OrphanBase.java", """
                package p;

                import org.junit.jupiter.api.Test;

                abstract class OrphanBase {
                    @Test
                    void nobodyRunsThis() {}
                }
                """);
        write("app/src/test/java/p/OuterTest.java", """
                package p;

                import org.junit.jupiter.api.Nested;
                import org.junit.jupiter.api.Test;

                class OuterTest {
                    @Nested
                    class Inner {
                        @Test
                        void runsWithItsOuterClass() {}
                    }

                    static class Forgotten {
                        @Test
                        void staticNestedNeverRuns() {}
                    }

                    @Test
                    static void staticTest() {}

                    @Test
                    int returnsAValue() {
                        return 1;
                    }
                }
                """);
        write("custom/src/test/java/q/WidgetCheck.java", test("WidgetCheck", "runsByTheModulesInclude"));
        write("custom/src/test/java/q/WidgetTest.java", test("WidgetTest", "notIncludedThere"));
        write("stray/src/test/java/s/StrayTest.java", test("StrayTest", "moduleNotBuilt"));
        write("SPECIFICATION.md", """
                # Spec

                | promise | value | checked by |
                |---|---|---|
                | lookups | `Service.LIMIT` | `ServiceTest.lookupFinds`, `ServiceTest` |
                | gone | 1 | `ServiceTest.lookupGone`, `MissingTest` |
                | helper | 2 | `ServiceTest.help`, `Helpers.help` |
                | nested | 3 | `OuterTest.Inner.runsWithItsOuterClass`, `Service.Entry.key` |

                Files like `README.md` and wire names like `Runtime.ExitError` are not code names.
                """);
        write("ARCHITECTURE.md", """
                # Architecture

                | module | key types |
                |---|---|
                | `app` | `Service`, `Gone` |

                `Service.lookup(name)` reads the map; `Service.lookup/forget` is half dangling; `Nowhere.run` is.
                The JDK's `Process.onExit` exists, `Process.onExitSoon` does not.
                """);
        sources = JavaSources.parse(repo);
    }

    @Test
    void aClassSurefireWouldSkipIsReportedWithTheReason() {
        List<String> offenders = UnrunTests.find(sources);

        assertThat(offenders)
                .anySatisfy(o -> assertThat(o)
                        .startsWith("ServiceChecks (app/src/test/java/p/ServiceChecks.java:")
                        .contains("Surefire does not select the name ServiceChecks"))
                .anySatisfy(o -> assertThat(o).startsWith("WidgetTest ").contains("does not select"))
                .anySatisfy(o -> assertThat(o).startsWith("StrayTest ").contains("module stray is not in"))
                .anySatisfy(o -> assertThat(o).startsWith("OrphanBase ").contains("abstract"))
                .anySatisfy(
                        o -> assertThat(o).startsWith("OuterTest.Forgotten ").contains("@Nested"))
                .anySatisfy(
                        o -> assertThat(o).startsWith("OuterTest.staticTest ").contains("static test method"))
                .anySatisfy(o ->
                        assertThat(o).startsWith("OuterTest.returnsAValue ").contains("returns a value"));
        assertThat(offenders)
                .as("only those")
                .hasSize(7)
                .noneMatch(o -> o.startsWith("ServiceTest ")
                        || o.startsWith("AbstractBaseTest ")
                        || o.startsWith("ConcreteTest ")
                        || o.startsWith("OuterTest.Inner ")
                        || o.startsWith("WidgetCheck ")
                        || o.startsWith("Helpers "));
    }

    @Test
    void aDanglingNameInTheDocumentsIsReportedWithItsLine() {
        List<String> offenders = DocumentedNames.find(sources);

        assertThat(offenders)
                .containsExactly(
                        "SPECIFICATION.md:6: `ServiceTest.lookupGone` — ServiceTest declares no method, field,"
                                + " constant or nested type lookupGone",
                        "SPECIFICATION.md:6: `MissingTest` — no class, interface, record or enum MissingTest in"
                                + " the source tree",
                        "SPECIFICATION.md:7: `ServiceTest.help` — ServiceTest declares no method, field, constant or"
                                + " nested type help",
                        "ARCHITECTURE.md:5: `Gone` — no class, interface, record or enum Gone in the source tree",
                        "ARCHITECTURE.md:7: `Service.lookup/forget` — Service declares no method, field, constant"
                                + " or nested type forget",
                        "ARCHITECTURE.md:7: `Nowhere.run` — no class, interface, record or enum Nowhere in the"
                                + " source tree",
                        "ARCHITECTURE.md:8: `Process.onExitSoon` — java.lang.Process declares no method, field,"
                                + " constant or nested type onExitSoon");
    }

    @Test
    void aTestMethodPromisedInTheCheckedByColumnMustBeATest() throws IOException {
        Path spec = repo.resolve("SPECIFICATION.md");
        String original = Files.readString(spec);
        try {
            Files.writeString(spec, original.replace("`ServiceTest.help`", "`ServiceTest.lookupHelper`"));
            write("app/src/test/java/p/ServiceTest.java", """
                    package p;

                    import org.junit.jupiter.api.Test;

                    class ServiceTest {
                        @Test
                        void lookupFinds() {}

                        void lookupHelper() {}
                    }
                    """);
            List<String> offenders = DocumentedNames.find(JavaSources.parse(repo));

            assertThat(offenders)
                    .contains("SPECIFICATION.md:7: `ServiceTest.lookupHelper` — ServiceTest holds tests, but"
                            + " lookupHelper is not one of them");
        } finally {
            Files.writeString(spec, original);
            write("app/src/test/java/p/ServiceTest.java", test("ServiceTest", "lookupFinds"));
        }
    }

    @Test
    void inlineQualifiedNamesInCodeAreReportedButNotInImportsCommentsStringsOrVariables() {
        List<String> offenders = InlineQualifiedNames.find(sources);

        assertThat(offenders)
                .containsExactly(
                        "app/src/main/java/p/Service.java:9: java.util.List",
                        "app/src/main/java/p/Service.java:9: java.util.List",
                        "app/src/main/java/p/Service.java:14: java.time.Duration");
    }

    private static String test(String name, String method) {
        return """
                package %s;

                import org.junit.jupiter.api.Test;

                class %s {
                    @Test
                    void %s() {}
                }
                """.formatted(name.startsWith("Widget") ? "q" : name.startsWith("Stray") ? "s" : "p", name, method);
    }

    private static String pom(String modules, String build) {
        return "<project><modelVersion>4.0.0</modelVersion>" + modules + build + "</project>";
    }

    private static void write(String path, String content) throws IOException {
        Path file = repo.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
