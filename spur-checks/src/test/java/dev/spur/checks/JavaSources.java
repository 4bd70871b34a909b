package dev.spur.checks;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ModifiersTree;
import com.sun.source.tree.ParameterizedTypeTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.lang.model.element.Modifier;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Every Java file under a repository's {@code <module>/src/main/java} and {@code <module>/src/test/java},
 * parsed (not compiled) by the JDK's own javac, and the types they declare with their members. Parsing
 * only: names are what the source says, nothing is resolved, so a 47,000-line tree takes about a second.
 */
final class JavaSources {
    /** The JUnit 5 annotations that make a method a test. */
    static final Set<String> TEST_ANNOTATIONS =
            Set.of("Test", "ParameterizedTest", "RepeatedTest", "TestFactory", "TestTemplate");

    private final Path repository;
    private final List<SourceFile> files;
    private final List<TypeDecl> types = new ArrayList<>();
    private final Map<String, List<TypeDecl>> bySimpleName = new HashMap<>();

    private JavaSources(Path repository, List<SourceFile> files) {
        this.repository = repository;
        this.files = files;
        for (SourceFile file : files) {
            for (Tree t : file.unit().getTypeDecls()) {
                if (t instanceof ClassTree c) {
                    index(file, c, null);
                }
            }
        }
    }

    /** One file: its path relative to the repository, its module directory, and whether it is test code. */
    record SourceFile(Path path, String module, boolean test, CompilationUnitTree unit, SourcePositions positions) {
        String packageName() {
            return unit.getPackageName() == null ? "" : unit.getPackageName().toString();
        }

        long line(Tree tree) {
            return unit.getLineMap().getLineNumber(positions.getStartPosition(unit, tree));
        }
    }

    /**
     * A declared class, interface, enum, record or annotation type.
     *
     * @param enclosing     the type it is nested in, or null for a top-level type
     * @param members       names of the methods, fields, enum constants, record components and nested types it
     *                      declares itself (inherited ones are not listed)
     * @param testMethods   its methods carrying a JUnit 5 test annotation
     * @param supertypes    simple names of the types it extends or implements
     */
    record TypeDecl(
            String name,
            SourceFile file,
            ClassTree tree,
            TypeDecl enclosing,
            Set<String> members,
            Set<String> testMethods,
            List<String> supertypes) {

        boolean isTopLevel() {
            return enclosing == null;
        }

        /** Abstract classes and interfaces: Surefire never runs them, only what extends them. */
        boolean isAbstract() {
            return tree.getKind() == Tree.Kind.INTERFACE
                    || tree.getModifiers().getFlags().contains(Modifier.ABSTRACT);
        }

        /** A member class JUnit runs with its enclosing class: non-static and annotated {@code @Nested}. */
        boolean isJUnitNested() {
            return tree.getKind() == Tree.Kind.CLASS
                    && !tree.getModifiers().getFlags().contains(Modifier.STATIC)
                    && enclosing != null
                    && enclosing.tree().getKind() == Tree.Kind.CLASS
                    && hasAnnotation(tree.getModifiers(), Set.of("Nested"));
        }

        /** {@code Outer.Inner} for nested types. */
        String displayName() {
            return enclosing == null ? name : enclosing.displayName() + "." + name;
        }

        /** Where it is declared, as {@code module/src/.../File.java:line}. */
        String location() {
            return file.path() + ":" + file.line(tree);
        }
    }

    static JavaSources parse(Path repository) {
        List<Path> paths = javaFiles(repository);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm =
                javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            Map<String, Path> byUri = new HashMap<>();
            Iterable<? extends JavaFileObject> objects = fm.getJavaFileObjectsFromPaths(paths);
            for (JavaFileObject o : objects) {
                byUri.put(o.toUri().toString(), repository.relativize(Path.of(o.toUri())));
            }
            JavacTask task = (JavacTask) javac.getTask(null, fm, diagnostics, List.of("-proc:none"), null, objects);
            SourcePositions positions = Trees.instance(task).getSourcePositions();
            List<SourceFile> files = new ArrayList<>();
            for (CompilationUnitTree unit : task.parse()) {
                Path path = byUri.get(unit.getSourceFile().toUri().toString());
                files.add(new SourceFile(path, module(path), isTest(path), unit, positions));
            }
            files.sort(Comparator.comparing(f -> f.path().toString()));
            return new JavaSources(repository, files);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path repository() {
        return repository;
    }

    List<SourceFile> files() {
        return files;
    }

    List<TypeDecl> types() {
        return types;
    }

    /** Every type of that simple name, in any module, main or test. */
    List<TypeDecl> named(String simpleName) {
        return bySimpleName.getOrDefault(simpleName, List.of());
    }

    private void index(SourceFile file, ClassTree tree, TypeDecl enclosing) {
        Set<String> members = new LinkedHashSet<>();
        Set<String> tests = new LinkedHashSet<>();
        List<Tree> nested = new ArrayList<>();
        for (Tree member : tree.getMembers()) {
            switch (member) {
                case MethodTree m
                when !m.getName().contentEquals("<init>") -> {
                    members.add(m.getName().toString());
                    if (hasAnnotation(m.getModifiers(), TEST_ANNOTATIONS)) {
                        tests.add(m.getName().toString());
                    }
                }
                case VariableTree v -> members.add(v.getName().toString());
                case ClassTree c -> {
                    members.add(c.getSimpleName().toString());
                    nested.add(c);
                }
                default -> {}
            }
        }
        List<String> supertypes = new ArrayList<>();
        if (tree.getExtendsClause() != null) {
            supertypes.add(simpleName(tree.getExtendsClause()));
        }
        tree.getImplementsClause().forEach(t -> supertypes.add(simpleName(t)));
        TypeDecl decl = new TypeDecl(
                tree.getSimpleName().toString(),
                file,
                tree,
                enclosing,
                Set.copyOf(members),
                Set.copyOf(tests),
                List.copyOf(supertypes));
        types.add(decl);
        bySimpleName.computeIfAbsent(decl.name(), k -> new ArrayList<>()).add(decl);
        for (Tree c : nested) {
            index(file, (ClassTree) c, decl);
        }
    }

    /** The last identifier of a type as written: {@code Base} for {@code p.Base<T>}. */
    static String simpleName(Tree type) {
        return switch (type) {
            case IdentifierTree i -> i.getName().toString();
            case MemberSelectTree s -> s.getIdentifier().toString();
            case ParameterizedTypeTree p -> simpleName(p.getType());
            default -> type.toString();
        };
    }

    static boolean hasAnnotation(ModifiersTree modifiers, Set<String> simpleNames) {
        for (AnnotationTree a : modifiers.getAnnotations()) {
            if (simpleNames.contains(simpleName(a.getAnnotationType()))) {
                return true;
            }
        }
        return false;
    }

    /** Java files under every {@code src/main/java} and {@code src/test/java}, skipping build output. */
    private static List<Path> javaFiles(Path repository) {
        try (Stream<Path> walk = Files.walk(repository)) {
            return walk.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> isSource(repository.relativize(p)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isSource(Path relative) {
        String s = relative.toString().replace('\\', '/');
        if (s.startsWith(".") || s.contains("/target/") || s.contains("/node_modules/") || s.contains("/.")) {
            return false;
        }
        return s.contains("/src/main/java/") || s.contains("/src/test/java/");
    }

    /** The module directory: everything before {@code /src/}. */
    static String module(Path relative) {
        String s = relative.toString().replace('\\', '/');
        return s.substring(0, s.indexOf("/src/"));
    }

    static boolean isTest(Path relative) {
        return relative.toString().replace('\\', '/').contains("/src/test/java/");
    }
}
