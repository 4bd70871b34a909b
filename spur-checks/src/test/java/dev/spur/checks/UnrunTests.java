package dev.spur.checks;

import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import dev.spur.checks.JavaSources.TypeDecl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;
import org.w3c.dom.Element;

/**
 * Finds tests that {@code ./mvnw verify} would silently skip: a class holding JUnit 5 tests whose name
 * Surefire does not select, in a module the root pom does not build, nested without {@code @Nested},
 * or abstract with nothing run extending it; and test methods JUnit itself ignores (static, private, or
 * returning a value).
 */
final class UnrunTests {
    private UnrunTests() {}

    /** One line per offender, naming the class, where it is, and why it does not run. */
    static List<String> find(JavaSources sources) {
        Set<String> modules = reactorModules(sources);
        Map<String, SurefireRules> rules = new HashMap<>();
        List<TypeDecl> tests =
                sources.types().stream().filter(t -> t.file().test()).toList();
        Set<TypeDecl> run = new HashSet<>();
        for (TypeDecl t : tests) {
            if (t.isTopLevel()
                    && !t.isAbstract()
                    && modules.contains(t.file().module())
                    && rules.computeIfAbsent(t.file().module(), m -> SurefireRules.of(sources.repository(), m))
                            .runs(t.file().packageName(), t.name())) {
                run.add(t);
            }
        }
        List<String> offenders = new ArrayList<>();
        for (TypeDecl t : tests) {
            if (!holdsTests(t, tests)) {
                continue;
            }
            String why = whyNotRun(t, run, tests, modules, rules, sources);
            if (why != null) {
                offenders.add(t.displayName() + " (" + t.location() + "): " + why);
            }
            for (String method : t.testMethods()) {
                String skipped = ignoredByJUnit(t, method);
                if (skipped != null) {
                    offenders.add(t.displayName() + "." + method + " (" + t.location() + "): " + skipped);
                }
            }
        }
        return offenders;
    }

    /** Null if the class's tests run; else the reason they do not. */
    private static String whyNotRun(
            TypeDecl t,
            Set<TypeDecl> run,
            List<TypeDecl> tests,
            Set<String> modules,
            Map<String, SurefireRules> rules,
            JavaSources sources) {
        if (!modules.contains(t.file().module())) {
            return "module " + t.file().module() + " is not in the root pom's <modules>, so the build never runs it";
        }
        if (t.isAbstract()) {
            boolean extended = tests.stream()
                    .anyMatch(s -> s.supertypes().contains(t.name())
                            && whyNotRun(s, run, tests, modules, rules, sources) == null);
            return extended ? null : "abstract, and no class that Surefire runs extends it";
        }
        if (!t.isTopLevel()) {
            if (!t.isJUnitNested()) {
                return "a nested class holding tests runs only as a non-static @Nested class of a class that runs"
                        + " (Surefire excludes nested classes, **/*$*)";
            }
            String outer = whyNotRun(t.enclosing(), run, tests, modules, rules, sources);
            return outer == null ? null : "its enclosing class does not run: " + outer;
        }
        if (run.contains(t)) {
            return null;
        }
        return "Surefire does not select the name " + t.name() + " (it runs Test*, *Test, *Tests, *TestCase"
                + " unless the module's pom says otherwise): rename it";
    }

    /** Whether the type, or a @Nested class inside it, declares a test. */
    private static boolean holdsTests(TypeDecl t, List<TypeDecl> tests) {
        return !t.testMethods().isEmpty()
                || tests.stream().anyMatch(n -> n.enclosing() == t && n.isJUnitNested() && holdsTests(n, tests));
    }

    private static String ignoredByJUnit(TypeDecl t, String method) {
        for (Tree member : t.tree().getMembers()) {
            if (member instanceof MethodTree m && m.getName().contentEquals(method)) {
                Set<Modifier> flags = m.getModifiers().getFlags();
                if (flags.contains(Modifier.STATIC)) {
                    return "a static test method; JUnit does not run it";
                }
                if (flags.contains(Modifier.PRIVATE)) {
                    return "a private test method; JUnit does not run it";
                }
                boolean factory = JavaSources.hasAnnotation(m.getModifiers(), Set.of("TestFactory"));
                if (!factory
                        && m.getReturnType() != null
                        && !m.getReturnType().toString().equals("void")) {
                    return "a test method that returns a value; JUnit does not run it";
                }
            }
        }
        return null;
    }

    /** The module directories the root pom lists. */
    static Set<String> reactorModules(JavaSources sources) {
        Element project =
                SurefireRules.read(sources.repository().resolve("pom.xml")).getDocumentElement();
        Set<String> modules = new HashSet<>();
        for (Element m : SurefireRules.children(SurefireRules.child(project, "modules"), "module")) {
            modules.add(m.getTextContent().trim());
        }
        return modules;
    }
}
