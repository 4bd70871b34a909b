package dev.spur.runtime.java;

import static dev.spur.runtime.java.TestInvocations.bytes;
import static dev.spur.runtime.java.TestInvocations.context;
import static dev.spur.runtime.java.TestInvocations.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Function code as Lambda unpacks it: classes at the root, libraries in lib/, or a fat jar at the root. */
class UserClassLoaderTest {
    @TempDir
    Path taskRoot;

    @Test
    void handlerInAJarUnderLibIsLoadedByTheFunctionsLoader() throws Throwable {
        jar(taskRoot.resolve("lib/function.jar"), "lib.Handler", "\"from lib\"");
        assertLoadedFromTaskRoot("lib.Handler::handle", "\"from lib\"");
    }

    @Test
    void handlerInAFatJarAtTheRootIsLoaded() throws Throwable {
        jar(taskRoot.resolve("function-all.jar"), "fat.Handler", "\"from the fat jar\"");
        assertLoadedFromTaskRoot("fat.Handler::handle", "\"from the fat jar\"");
    }

    @Test
    void handlerClassFileAtTheRootIsLoaded() throws Throwable {
        compile(taskRoot, "plain.Handler", "\"from classes\"");
        assertLoadedFromTaskRoot("plain.Handler::handle", "\"from classes\"");
    }

    private void assertLoadedFromTaskRoot(String handlerName, String expected) throws Throwable {
        ClassLoader loader = HandlerLoader.userClassLoader(taskRoot);
        Handler handler = HandlerLoader.load(handlerName, loader);
        assertThat(text(handler.handle(bytes("{}"), context()))).isEqualTo(expected);
        assertThat(loader.loadClass(handlerName.substring(0, handlerName.indexOf("::")))
                        .getClassLoader())
                .isSameAs(loader);
    }

    /** Compiles a one-method handler class returning {@code result} (a Java string literal) into {@code out}. */
    private static void compile(Path out, String className, String result) throws IOException {
        Path source =
                Files.createTempDirectory("src").resolve(className.substring(className.indexOf('.') + 1) + ".java");
        String pkg = className.substring(0, className.indexOf('.'));
        Files.writeString(
                source,
                "package " + pkg + ";\npublic class "
                        + source.getFileName().toString().replace(".java", "")
                        + " { public String handle(java.util.Map<String, Object> event) { return " + result
                        + "; } }\n");
        Files.createDirectories(out);
        int status = ToolProvider.getSystemJavaCompiler()
                .run(null, null, null, "--release", "17", "-d", out.toString(), source.toString());
        assertThat(status).as("javac exit status").isZero();
    }

    private static void jar(Path jar, String className, String result) throws IOException {
        Path classes = Files.createTempDirectory("classes");
        compile(classes, className, result);
        Files.createDirectories(jar.getParent());
        try (Stream<Path> files = Files.walk(classes);
                OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
    }
}
