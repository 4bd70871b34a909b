package dev.spur.checks;

import dev.spur.checks.JavaSources.TypeDecl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The code names the documents promise. Every {@code `Class.member`} (also {@code Class#member},
 * {@code Class.Nested.member}, {@code Class.method(args)}, {@code Class.a/b}) in backticks must name a
 * type of that simple name declaring that method, field, constant, record component or nested type
 * itself (a type the source tree does not declare may be the JDK's, as {@code Process.onExit}). In a
 * table's "checked by" column (SPECIFICATION.md) and "key types" column (ARCHITECTURE.md) a
 * bare {@code `Class`} must be a declared type too, and a {@code `Class.method`} of a class holding tests
 * must be one of its tests.
 */
final class DocumentedNames {
    static final List<String> DOCUMENTS = List.of("SPECIFICATION.md", "ARCHITECTURE.md");

    /**
     * Lambda's error types and JSON members, which read like {@code Class.member} but are wire values
     * (the {@code errorType} a runtime or Spur reports; GetFunction's {@code Code.Location}), not Spur's code.
     */
    static final Set<String> WIRE_NAMES = Set.of(
            "Code.Location",
            "Runtime.ExitError",
            "Runtime.OutOfMemory",
            "Runtime.InitError",
            "Function.ResponseSizeTooLarge",
            "Sandbox.Timedout");

    /** Columns whose bare class names are promises too. */
    private static final Set<String> NAME_COLUMNS = Set.of("checked by", "key types");

    private static final Pattern SPAN = Pattern.compile("`([^`]+)`");
    private static final Pattern QUALIFIED =
            Pattern.compile("([A-Z][A-Za-z0-9_]*)((?:[.#][A-Za-z_$][A-Za-z0-9_$]*)+)(?:/([A-Za-z_$][A-Za-z0-9_$]*))?");
    private static final Pattern BARE = Pattern.compile("[A-Z][A-Za-z0-9_]*");
    private static final Set<String> FILE_EXTENSIONS =
            Set.of("md", "java", "json", "db", "py", "mjs", "js", "xml", "log", "key", "zip", "txt", "yml", "sh");

    private DocumentedNames() {}

    /** One line per dangling name: {@code DOCUMENT:line: `name` — why}. */
    static List<String> find(JavaSources sources) {
        List<String> offenders = new ArrayList<>();
        for (String document : DOCUMENTS) {
            Path path = sources.repository().resolve(document);
            if (Files.isRegularFile(path)) {
                offenders.addAll(check(sources, document, read(path)));
            }
        }
        return offenders;
    }

    private static List<String> check(JavaSources sources, String document, List<String> lines) {
        List<String> offenders = new ArrayList<>();
        int nameColumn = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            List<String> cells = line.startsWith("|") ? cells(line) : List.of();
            if (cells.isEmpty()) {
                nameColumn = -1;
            } else if (cells.stream().allMatch(c -> c.matches(":?-+:?"))) {
                continue;
            } else if (isHeader(lines, i)) {
                nameColumn = -1;
                for (int c = 0; c < cells.size(); c++) {
                    if (NAME_COLUMNS.contains(cells.get(c).toLowerCase(Locale.ROOT))) {
                        nameColumn = c;
                    }
                }
                continue;
            }
            String where = document + ":" + (i + 1) + ": ";
            String promised = nameColumn >= 0 && nameColumn < cells.size() ? cells.get(nameColumn) : "";
            Matcher spans = SPAN.matcher(line);
            while (spans.find()) {
                String problem = problem(sources, spans.group(1), promised.contains(spans.group()));
                if (problem != null) {
                    offenders.add(where + spans.group() + " — " + problem);
                }
            }
        }
        return offenders;
    }

    /** Null if the span is not a code name or names something that exists; else what is missing. */
    static String problem(JavaSources sources, String span, boolean inNameColumn) {
        String text = span.strip();
        int paren = text.indexOf('(');
        if (paren > 0) {
            text = text.substring(0, paren);
        }
        if (WIRE_NAMES.contains(text)) {
            return null;
        }
        Matcher q = QUALIFIED.matcher(text);
        if (q.matches() && hasLowerCase(q.group(1))) {
            String[] path = q.group(2).substring(1).split("[.#]");
            if (FILE_EXTENSIONS.contains(path[path.length - 1])) {
                return null;
            }
            String problem = resolve(sources, q.group(1), path, inNameColumn);
            if (problem == null && q.group(3) != null) {
                path[path.length - 1] = q.group(3);
                problem = resolve(sources, q.group(1), path, inNameColumn);
            }
            return problem;
        }
        if (inNameColumn && BARE.matcher(text).matches() && hasLowerCase(text)) {
            return sources.named(text).isEmpty()
                    ? "no class, interface, record or enum " + text + " in the source tree"
                    : null;
        }
        return null;
    }

    private static String resolve(JavaSources sources, String type, String[] path, boolean inNameColumn) {
        List<TypeDecl> candidates = sources.named(type);
        if (candidates.isEmpty()) {
            return jdk(type, path);
        }
        String shown = type;
        for (int i = 0; i < path.length; i++) {
            String member = path[i];
            boolean last = i == path.length - 1;
            List<TypeDecl> declaring = candidates.stream()
                    .filter(c -> c.members().contains(member))
                    .toList();
            if (declaring.isEmpty()) {
                return shown + " declares no method, field, constant or nested type " + member;
            }
            if (last) {
                if (inNameColumn
                        && declaring.stream()
                                .allMatch(c -> !c.testMethods().isEmpty()
                                        && !c.testMethods().contains(member))
                        && sources.named(member).stream().noneMatch(n -> declaring.contains(n.enclosing()))) {
                    return shown + " holds tests, but " + member + " is not one of them";
                }
                return null;
            }
            candidates = sources.named(member).stream()
                    .filter(n -> declaring.contains(n.enclosing()))
                    .toList();
            if (candidates.isEmpty()) {
                return shown + "." + member + " is not a nested type, so it has no member " + path[i + 1];
            }
            shown = shown + "." + member;
        }
        return null;
    }

    /** JDK packages whose types the documents may name by their simple names ({@code Process.onExit}). */
    private static final List<String> JDK_PACKAGES = List.of(
            "java.lang", "java.util", "java.util.concurrent", "java.util.concurrent.locks", "java.io", "java.nio.file");

    /**
     * A JDK name, for a type the source tree does not declare, checked by reflection: null if the JDK
     * declares it, else what is missing.
     */
    private static String jdk(String type, String[] path) {
        Class<?> c = null;
        for (String pkg : JDK_PACKAGES) {
            try {
                c = Class.forName(pkg + "." + type, false, ClassLoader.getPlatformClassLoader());
                break;
            } catch (ClassNotFoundException e) {
                // not in this package
            }
        }
        if (c == null) {
            return "no class, interface, record or enum " + type + " in the source tree";
        }
        String shown = c.getName();
        for (int i = 0; i < path.length; i++) {
            String member = path[i];
            Set<String> declared = new HashSet<>();
            Arrays.stream(c.getDeclaredMethods()).forEach(m -> declared.add(m.getName()));
            Arrays.stream(c.getDeclaredFields()).forEach(f -> declared.add(f.getName()));
            Class<?> nested = null;
            for (Class<?> n : c.getDeclaredClasses()) {
                declared.add(n.getSimpleName());
                nested = n.getSimpleName().equals(member) ? n : nested;
            }
            if (!declared.contains(member)) {
                return shown + " declares no method, field, constant or nested type " + member;
            }
            if (i < path.length - 1) {
                if (nested == null) {
                    return shown + "." + member + " is not a nested type, so it has no member " + path[i + 1];
                }
                c = nested;
                shown = shown + "." + member;
            }
        }
        return null;
    }

    /** The cells of a markdown table row, split on {@code |} outside backticks. */
    static List<String> cells(String row) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean code = false;
        String body = row.strip();
        for (int i = 1; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '`') {
                code = !code;
            }
            if (c == '|' && !code) {
                out.add(cell.toString().strip());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        if (!cell.toString().isBlank()) {
            out.add(cell.toString().strip());
        }
        return out;
    }

    /** A table's header: the row right above the {@code |---|} separator. */
    private static boolean isHeader(List<String> lines, int i) {
        if (i + 1 >= lines.size() || !lines.get(i + 1).startsWith("|")) {
            return false;
        }
        List<String> next = cells(lines.get(i + 1));
        return !next.isEmpty() && next.stream().allMatch(c -> c.matches(":?-+:?"));
    }

    private static boolean hasLowerCase(String s) {
        return s.chars().anyMatch(Character::isLowerCase);
    }

    private static List<String> read(Path path) {
        try {
            return Files.readAllLines(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
