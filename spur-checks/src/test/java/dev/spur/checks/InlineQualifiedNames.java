package dev.spur.checks;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.ImportTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreeScanner;
import dev.spur.checks.JavaSources.SourceFile;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds fully-qualified names written inline in code ({@code java.util.Map.of()}, {@code
 * java.util.function.Function<A, B> f}) rather than imported. Package and import declarations, comments
 * and strings are not code and are not looked at. A dotted name counts as qualified when it starts with a
 * package root some file of the repository imports from or declares ({@code java}, {@code org}, {@code
 * dev}, …), that name is not a variable of the file, and it reaches a type (a capitalised segment).
 */
final class InlineQualifiedNames {
    private InlineQualifiedNames() {}

    /** One line per occurrence: {@code path:line: name}. */
    static List<String> find(JavaSources sources) {
        Set<String> roots = new HashSet<>(Set.of("java", "javax", "jdk"));
        for (SourceFile f : sources.files()) {
            if (f.unit().getPackageName() != null) {
                roots.add(first(f.unit().getPackageName()));
            }
            for (ImportTree i : f.unit().getImports()) {
                roots.add(first(i.getQualifiedIdentifier()));
            }
        }
        roots.remove("");
        List<String> offenders = new ArrayList<>();
        for (SourceFile f : sources.files()) {
            Set<String> variables = variables(f.unit());
            TreeScanner<Void, Void> scanner = new TreeScanner<>() {
                @Override
                public Void visitMemberSelect(MemberSelectTree node, Void unused) {
                    List<String> parts = parts(node);
                    if (parts != null && roots.contains(parts.getFirst()) && !variables.contains(parts.getFirst())) {
                        int type = firstType(parts);
                        if (type > 0) {
                            offenders.add(f.path() + ":" + f.line(node) + ": "
                                    + String.join(".", parts.subList(0, type + 1)));
                            return null; // one report per name, not one per prefix
                        }
                    }
                    return super.visitMemberSelect(node, unused);
                }
            };
            for (Tree type : f.unit().getTypeDecls()) {
                scanner.scan(type, null);
            }
        }
        return offenders;
    }

    /** {@code [a, b, C]} for {@code a.b.C}; null if the chain does not start with a plain name. */
    private static List<String> parts(ExpressionTree tree) {
        List<String> parts = new ArrayList<>();
        ExpressionTree t = tree;
        while (t instanceof MemberSelectTree s) {
            parts.addFirst(s.getIdentifier().toString());
            t = s.getExpression();
        }
        if (!(t instanceof IdentifierTree id)) {
            return null;
        }
        parts.addFirst(id.getName().toString());
        return parts;
    }

    /** The index of the first capitalised segment after lower-case package segments, or -1. */
    private static int firstType(List<String> parts) {
        for (int i = 0; i < parts.size(); i++) {
            if (Character.isUpperCase(parts.get(i).charAt(0))) {
                return i;
            }
        }
        return -1;
    }

    private static String first(Tree name) {
        List<String> parts = name instanceof ExpressionTree e ? parts(e) : null;
        return parts == null ? "" : parts.getFirst();
    }

    /** Names of every field, parameter and local variable the file declares. */
    private static Set<String> variables(CompilationUnitTree unit) {
        Set<String> names = new HashSet<>();
        new TreeScanner<Void, Void>() {
            @Override
            public Void visitVariable(VariableTree node, Void unused) {
                names.add(node.getName().toString());
                return super.visitVariable(node, unused);
            }
        }.scan(unit, null);
        return names;
    }
}
