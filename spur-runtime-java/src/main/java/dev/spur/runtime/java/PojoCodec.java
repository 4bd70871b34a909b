package dev.spur.runtime.java;

import com.amazonaws.services.lambda.runtime.CustomPojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Type;
import java.util.Iterator;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Converts event JSON to a handler's input type and its result back, choosing the serializer as
 * AWS's Java runtime does: a {@link CustomPojoSerializer} the function registers through
 * {@link ServiceLoader}, else the customised Jackson of {@link LambdaEventSerializers} for
 * {@code aws-lambda-java-events} classes ({@code APIGatewayV2HTTPEvent}, {@code SQSEvent}, ...), else
 * plain {@link JacksonFactory} for POJOs, maps, lists, strings and boxed primitives.
 *
 * <p>This is the only class that touches the serialization library, so stream handlers never load
 * its few hundred shaded Jackson classes. Serializers are built on a background thread started at
 * init, overlapping Jackson's start-up with the user's constructor and the first {@code next} call;
 * the first event waits for them.
 *
 * <p>Failures carry AWS's messages: {@code An error occurred during JSON parsing} and {@code An error
 * occurred during JSON serialization of response}, with the serializer's exception as cause.
 */
final class PojoCodec {
    private final FutureTask<Serializers> serializers;

    private PojoCodec(FutureTask<Serializers> serializers) {
        this.serializers = serializers;
    }

    /**
     * Starts building the serializers.
     *
     * @param input  the handler's input type, or null if it takes no event
     * @param output the handler's result type, or null if it returns nothing ({@code void})
     */
    static PojoCodec prepare(Type input, Type output, ClassLoader loader) {
        FutureTask<Serializers> task = new FutureTask<>(new Build(input, output, loader));
        Thread thread = new Thread(task, "spur-serialization");
        thread.setDaemon(true);
        thread.start();
        return new PojoCodec(task);
    }

    /** The event as the handler's input type; null if the handler takes none. */
    Object read(byte[] event) {
        Serializers s = serializers();
        if (s.input == null) {
            return null;
        }
        try {
            return s.input.fromJson(new ByteArrayInputStream(event));
        } catch (Throwable t) {
            throw new RuntimeException("An error occurred during JSON parsing", t);
        }
    }

    byte[] write(Object result) {
        Serializers s = serializers();
        if (s.output == null) {
            return Handler.NULL;
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            s.output.toJson(result, out);
            return out.toByteArray();
        } catch (Throwable t) {
            throw new RuntimeException("An error occurred during JSON serialization of response", t);
        }
    }

    private Serializers serializers() {
        try {
            return serializers.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading serializers", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        }
    }

    private record Serializers(PojoSerializer<Object> input, PojoSerializer<Object> output) {}

    private record Build(Type input, Type output, ClassLoader loader) implements Callable<Serializers> {
        @Override
        public Serializers call() {
            CustomPojoSerializer custom = custom(loader);
            return new Serializers(
                    input == null ? null : forType(input, custom, loader),
                    output == null ? null : forType(output, custom, loader));
        }
    }

    private static CustomPojoSerializer custom(ClassLoader loader) {
        Iterator<CustomPojoSerializer> found =
                ServiceLoader.load(CustomPojoSerializer.class, loader).iterator();
        return found.hasNext() ? found.next() : null;
    }

    @SuppressWarnings("unchecked")
    private static PojoSerializer<Object> forType(Type type, CustomPojoSerializer custom, ClassLoader loader) {
        if (custom != null) {
            return new CustomSerializer(custom, type);
        }
        if (type instanceof Class<?> c && LambdaEventSerializers.isLambdaSupportedEvent(c.getName())) {
            return LambdaEventSerializers.serializerFor((Class<Object>) c, loader);
        }
        return JacksonFactory.getInstance().getSerializer(type);
    }

    private record CustomSerializer(CustomPojoSerializer custom, Type type) implements PojoSerializer<Object> {
        @Override
        public Object fromJson(InputStream input) {
            return custom.fromJson(input, type);
        }

        @Override
        public Object fromJson(String input) {
            return custom.fromJson(input, type);
        }

        @Override
        public void toJson(Object value, OutputStream output) {
            custom.toJson(value, output, type);
        }
    }
}
