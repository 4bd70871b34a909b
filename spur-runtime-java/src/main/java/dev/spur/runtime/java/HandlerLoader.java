package dev.spur.runtime.java;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Turns {@code _HANDLER} into a {@link Handler}, following AWS's Java runtime:
 * <ul>
 *   <li>{@code pkg.Class} names a {@link RequestStreamHandler} or a {@link RequestHandler}, whose
 *       input and output types come from its type arguments;</li>
 *   <li>{@code pkg.Class::method} names a public method, static or not, taking one of
 *       {@code ()}, {@code (I)}, {@code (I, Context)}, {@code (Context)}, {@code (InputStream)},
 *       {@code (InputStream, Context)}, {@code (OutputStream)}, {@code (OutputStream, Context)},
 *       {@code (InputStream, OutputStream)} or {@code (InputStream, OutputStream, Context)}. Among
 *       overloads the longest signature wins, one ending in {@link Context} counting one longer.</li>
 * </ul>
 * The class is initialised and, unless the method is static, instantiated once through its public
 * no-argument constructor, here at init. Every failure becomes an {@link InitFailure} carrying
 * AWS's error type and message ({@code Class not found: x.Y}, {@code Error loading class x.Y: ...}).
 */
final class HandlerLoader {
    private HandlerLoader() {}

    /**
     * The loader of the function's code: the task root's classes, then every {@code lib/*.jar}, then
     * any {@code *.jar} at the root (a fat jar uploaded inside a zip), then the layers'
     * {@code java/lib/*.jar} (Lambda's {@code /opt/java/lib}; {@code $SPUR_OPT} names where the layers
     * are when that is not {@code /opt}). Its parent is the application class loader, so the function
     * shares this runtime's {@code aws-lambda-java-core}.
     */
    static ClassLoader userClassLoader(Path taskRoot) throws IOException {
        File root = taskRoot.toFile();
        List<URL> urls = new ArrayList<>();
        urls.add(root.toURI().toURL());
        for (File jar : jars(new File(root, "lib"))) {
            urls.add(jar.toURI().toURL());
        }
        for (File jar : jars(root)) {
            urls.add(jar.toURI().toURL());
        }
        String opt = System.getenv("SPUR_OPT");
        for (File jar : jars(new File(opt == null || opt.isEmpty() ? "/opt" : opt, "java/lib"))) {
            urls.add(jar.toURI().toURL());
        }
        return new URLClassLoader(urls.toArray(new URL[0]), HandlerLoader.class.getClassLoader());
    }

    /** The directory's {@code *.jar} files in name order (plain {@link File} listing: no glob, no regex). */
    private static List<File> jars(File directory) {
        List<File> jars = new ArrayList<>();
        File[] files = directory.listFiles();
        if (files != null) {
            for (File f : files) {
                if (f.getName().endsWith(".jar") && f.isFile()) {
                    jars.add(f);
                }
            }
        }
        jars.sort(null);
        return jars;
    }

    static Handler load(String handler, ClassLoader loader) throws InitFailure {
        int colons = handler.lastIndexOf("::");
        String className =
                colons < 0 ? handler.trim() : handler.substring(0, colons).trim();
        String methodName = colons < 0 ? null : handler.substring(colons + 2).trim();
        if (className.isEmpty() || (methodName != null && methodName.isEmpty())) {
            throw new InitFailure(
                    ErrorReport.of("Runtime.MalformedHandlerName", "Invalid handler: `" + handler + "'", null));
        }
        Class<?> clazz = loadClass(className, loader);
        return methodName == null ? fromInterface(clazz, loader) : fromMethod(clazz, methodName, loader);
    }

    private static Class<?> loadClass(String className, ClassLoader loader) throws InitFailure {
        try {
            return Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            throw new InitFailure(ErrorReport.of(e.getClass().getName(), "Class not found: " + className, e));
        } catch (LinkageError e) { // NoClassDefFoundError, ExceptionInInitializerError, ...
            Throwable shown = e.getMessage() == null && e.getCause() != null ? e.getCause() : e;
            throw new InitFailure(
                    ErrorReport.of(e.getClass().getName(), "Error loading class " + className + ": " + shown, e));
        }
    }

    private static Handler fromInterface(Class<?> clazz, ClassLoader loader) throws InitFailure {
        if (RequestStreamHandler.class.isAssignableFrom(clazz)) {
            return new StreamInterfaceHandler((RequestStreamHandler) instantiate(clazz));
        }
        if (RequestHandler.class.isAssignableFrom(clazz)) {
            Type[] types = TypeArguments.of(clazz, RequestHandler.class);
            PojoCodec codec = PojoCodec.prepare(types[0], isVoid(types[1]) ? null : types[1], loader);
            return new PojoInterfaceHandler((RequestHandler<?, ?>) instantiate(clazz), codec);
        }
        throw new InitFailure(ErrorReport.of(
                "java.lang.NoSuchMethodException",
                "Class does not implement an appropriate handler interface: " + clazz.getName(),
                null));
    }

    private static Handler fromMethod(Class<?> clazz, String methodName, ClassLoader loader) throws InitFailure {
        List<Method> candidates = new ArrayList<>();
        for (Method m : clazz.getMethods()) {
            if (m.getName().equals(methodName)) {
                candidates.add(m);
            }
        }
        candidates.sort(BY_PRIORITY);
        for (Method m : candidates) {
            MethodHandler.Param[] params = MethodHandler.signature(m.getParameterTypes());
            if (params == null) {
                continue;
            }
            Object instance = Modifier.isStatic(m.getModifiers()) ? null : instantiate(clazz);
            PojoCodec codec = null;
            if (!MethodHandler.usesStreams(params)) {
                int pojo = Arrays.asList(params).indexOf(MethodHandler.Param.POJO);
                Type input = pojo < 0 ? null : m.getGenericParameterTypes()[pojo];
                Type output = isVoid(m.getGenericReturnType()) ? null : m.getGenericReturnType();
                codec = PojoCodec.prepare(input, output, loader);
            }
            return new MethodHandler(m, instance, params, codec);
        }
        throw new InitFailure(ErrorReport.of(
                "java.lang.NoSuchMethodException",
                "No public method named " + methodName + " with appropriate method signature found on class "
                        + clazz.getName(),
                null));
    }

    /** Non-bridge before bridge, then longer signatures first, a trailing Context counting one more. */
    private static final Comparator<Method> BY_PRIORITY = new Comparator<>() {
        @Override
        public int compare(Method a, Method b) {
            if (a.isBridge() != b.isBridge()) {
                return a.isBridge() ? 1 : -1;
            }
            return Integer.compare(weight(b), weight(a));
        }

        private int weight(Method m) {
            Class<?>[] p = m.getParameterTypes();
            return p.length + (p.length > 0 && p[p.length - 1] == Context.class ? 1 : 0);
        }
    };

    private static Object instantiate(Class<?> clazz) throws InitFailure {
        Constructor<?> constructor;
        try {
            constructor = clazz.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new InitFailure(ErrorReport.of(
                    "java.lang.Exception",
                    "Class " + clazz.getName() + " has no public zero-argument constructor",
                    null));
        }
        try {
            return constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw new InitFailure(ErrorReport.of(e.getCause()));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new InitFailure(ErrorReport.of(e));
        }
    }

    private static boolean isVoid(Type type) {
        return type == void.class || type == Void.class;
    }

    /** A {@link RequestStreamHandler} class: the event as an input stream, the result as written. */
    private record StreamInterfaceHandler(RequestStreamHandler handler) implements Handler {
        @Override
        public byte[] handle(byte[] event, Context context) throws Throwable {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            handler.handleRequest(new ByteArrayInputStream(event), out, context);
            return out.toByteArray();
        }
    }

    /** A {@link RequestHandler} class: the event through its input type, the result through its output type. */
    private record PojoInterfaceHandler(RequestHandler<?, ?> handler, PojoCodec codec) implements Handler {
        @Override
        @SuppressWarnings("unchecked")
        public byte[] handle(byte[] event, Context context) {
            Object input = codec.read(event);
            return codec.write(((RequestHandler<Object, Object>) handler).handleRequest(input, context));
        }
    }
}
