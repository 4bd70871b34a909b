package dev.spur.checks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * Which test classes Surefire runs in one module: its default includes ({@code **}{@code /Test*.java},
 * {@code **}{@code /*Test.java}, {@code **}{@code /*Tests.java}, {@code **}{@code /*TestCase.java}) and
 * default exclude of nested classes ({@code **}{@code /*$*}), or the includes and excludes the module's
 * pom (or the root pom) configures for the plugin, plus those of every extra execution. A class runs if
 * any execution selects it.
 */
final class SurefireRules {
    static final List<String> DEFAULT_INCLUDES =
            List.of("**/Test*.java", "**/*Test.java", "**/*Tests.java", "**/*TestCase.java");
    static final List<String> DEFAULT_EXCLUDES = List.of("**/*$*");

    private final List<Selection> executions;

    private SurefireRules(List<Selection> executions) {
        this.executions = executions;
    }

    /** Includes and excludes of one Surefire execution. */
    record Selection(List<String> includes, List<String> excludes) {
        boolean selects(String classPath) {
            return includes.stream().anyMatch(p -> matches(p, classPath))
                    && excludes.stream().noneMatch(p -> matches(p, classPath));
        }
    }

    /** The rules for {@code module} (a directory of {@code repository}), from its pom and the root pom. */
    static SurefireRules of(Path repository, String module) {
        Optional<Element> root = surefire(repository.resolve("pom.xml"));
        Optional<Element> own = surefire(repository.resolve(module).resolve("pom.xml"));
        List<String> includes = DEFAULT_INCLUDES;
        List<String> excludes = DEFAULT_EXCLUDES;
        for (Optional<Element> plugin : List.of(root, own)) {
            if (plugin.isPresent()) {
                Optional<Element> config = child(plugin.get(), "configuration");
                includes = config.map(c -> patterns(c, "includes"))
                        .filter(l -> !l.isEmpty())
                        .orElse(includes);
                excludes = config.map(c -> patterns(c, "excludes"))
                        .filter(l -> !l.isEmpty())
                        .orElse(excludes);
            }
        }
        List<Selection> executions = new ArrayList<>();
        executions.add(new Selection(includes, excludes));
        for (Optional<Element> plugin : List.of(root, own)) {
            if (plugin.isEmpty()) {
                continue;
            }
            for (Element execution : children(child(plugin.get(), "executions"), "execution")) {
                Optional<Element> config = child(execution, "configuration");
                List<String> in = config.map(c -> patterns(c, "includes")).orElse(List.of());
                List<String> ex = config.map(c -> patterns(c, "excludes")).orElse(List.of());
                executions.add(new Selection(in.isEmpty() ? includes : in, ex.isEmpty() ? excludes : ex));
            }
        }
        return new SurefireRules(executions);
    }

    /**
     * Whether Surefire selects the top-level class {@code simpleName} of {@code packageName}. Surefire
     * matches the patterns against compiled class files, so the class's own name counts, not its file's.
     */
    boolean runs(String packageName, String simpleName) {
        String path = (packageName.isEmpty() ? "" : packageName.replace('.', '/') + "/") + simpleName + ".java";
        return executions.stream().anyMatch(s -> s.selects(path));
    }

    /** Ant-style matching as Surefire does it: {@code **} any directories, {@code *} and {@code ?} within one. */
    static boolean matches(String pattern, String path) {
        String p = pattern.replace('\\', '/').trim();
        if (p.endsWith(".class")) {
            p = p.substring(0, p.length() - ".class".length()) + ".java";
        }
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '*' && i + 1 < p.length() && p.charAt(i + 1) == '*') {
                boolean slash = i + 2 < p.length() && p.charAt(i + 2) == '/';
                regex.append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.matches(regex.toString(), path);
    }

    /** The surefire plugin element of a pom, from build/plugins or else build/pluginManagement/plugins. */
    private static Optional<Element> surefire(Path pom) {
        if (!Files.isRegularFile(pom)) {
            return Optional.empty();
        }
        Document doc = read(pom);
        Optional<Element> build = child(doc.getDocumentElement(), "build");
        Optional<Element> inPlugins = build.flatMap(b -> find(child(b, "plugins")));
        return inPlugins.isPresent()
                ? inPlugins
                : build.flatMap(b -> child(b, "pluginManagement")).flatMap(m -> find(child(m, "plugins")));
    }

    private static Optional<Element> find(Optional<Element> plugins) {
        return children(plugins, "plugin").stream()
                .filter(p -> child(p, "artifactId")
                        .map(a -> a.getTextContent().trim().equals("maven-surefire-plugin"))
                        .orElse(false))
                .findFirst();
    }

    private static List<String> patterns(Element configuration, String list) {
        List<String> out = new ArrayList<>();
        Optional<Element> parent = child(configuration, list);
        for (Element e : children(parent, list.substring(0, list.length() - 1))) {
            out.add(e.getTextContent().trim());
        }
        return out;
    }

    static Document read(Path pom) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setNamespaceAware(false);
            return factory.newDocumentBuilder().parse(pom.toFile());
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new IllegalStateException("cannot read " + pom + ": " + e.getMessage(), e);
        }
    }

    static Optional<Element> child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    static List<Element> children(Optional<Element> parent, String name) {
        List<Element> out = new ArrayList<>();
        if (parent.isEmpty()) {
            return out;
        }
        for (Node n = parent.get().getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }
}
