package dev.spur.testing.server;

import dev.spur.server.SpurServer;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * {@link SpurTest}'s extension. A shared server lives in the root context's store, keyed by its
 * {@link ServerOptions}, so JUnit closes it when the run ends; a class's own server lives in the
 * class's store and is closed with the class. Either way the class's store names the server the
 * class uses ({@link Current}, which JUnit does not close); a {@code @Nested} class with a
 * {@link SpurTest} of its own gets its own, one without uses its enclosing class's (stores are
 * searched upwards). A parameter annotated {@link SpurTest} gets the server of its own options:
 * shared, or private to the method (or class, for a {@code @BeforeAll} parameter) that asked.
 */
final class SpurExtension implements BeforeAllCallback, TestInstancePostProcessor, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SpurExtension.class);

    /** The server of one test class. */
    private record Current(Spur spur) {}

    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        Class<?> type = context.getRequiredTestClass();
        Optional<SpurTest> test = AnnotationSupport.findAnnotation(type, SpurTest.class);
        if (test.isEmpty()) {
            if (type.getEnclosingClass() != null && context.getStore(NAMESPACE).get(Current.class) != null) {
                return; // a @Nested class without options of its own: its enclosing class's server serves it
            }
            throw new ExtensionConfigurationException(type + " is not annotated @SpurTest");
        }
        Spur spur = server(context, ServerOptions.of(test.get()), Spur.class);
        context.getStore(NAMESPACE).put(Current.class, new Current(spur));
        inject(fields(type, f -> Modifier.isStatic(f.getModifiers())), null, spur);
    }

    @Override
    public void postProcessTestInstance(Object instance, ExtensionContext context) throws IllegalAccessException {
        inject(fields(instance.getClass(), f -> !Modifier.isStatic(f.getModifiers())), instance, current(context));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Spur.class || type == SpurServer.class || type == LambdaClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Optional<SpurTest> asked = parameter.findAnnotation(SpurTest.class);
        Spur spur = asked.isPresent()
                ? server(context, ServerOptions.of(asked.get()), new PrivateKey(parameter.getIndex()))
                : current(context);
        Class<?> type = parameter.getParameter().getType();
        if (type == SpurServer.class) {
            return spur.server();
        }
        return type == LambdaClient.class ? spur.lambda() : spur;
    }

    /**
     * A shared server for {@code options} (started by the first to ask, closed when the run ends), or a
     * private one started now and closed with {@code context} (a class, or a method for a parameter).
     */
    private static Spur server(ExtensionContext context, ServerOptions options, Object privateKey) {
        if (options.shared()) {
            return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(options, Spur::start, Spur.class);
        }
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(privateKey, k -> Spur.start(options), Spur.class);
    }

    /** The key of a private server asked for by a parameter, by its position. */
    private record PrivateKey(int parameterIndex) {}

    private static Spur current(ExtensionContext context) {
        Current current = context.getStore(NAMESPACE).get(Current.class, Current.class);
        if (current == null) {
            throw new ExtensionConfigurationException("no Spur server for " + context.getDisplayName());
        }
        return current.spur();
    }

    private static List<Field> fields(Class<?> type, Predicate<Field> which) {
        return ReflectionSupport.findFields(
                type, f -> f.getType() == Spur.class && which.test(f), HierarchyTraversalMode.TOP_DOWN);
    }

    private static void inject(List<Field> fields, Object instance, Spur spur) throws IllegalAccessException {
        for (Field f : fields) {
            if (Modifier.isFinal(f.getModifiers())) {
                throw new ExtensionConfigurationException(f + " cannot be injected: it is final");
            }
            f.setAccessible(true);
            f.set(instance, spur);
        }
    }
}
