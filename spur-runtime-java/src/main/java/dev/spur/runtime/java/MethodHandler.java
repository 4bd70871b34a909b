package dev.spur.runtime.java;

import com.amazonaws.services.lambda.runtime.Context;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * A handler named {@code pkg.Class::method}. Stream signatures (any {@link InputStream} or
 * {@link OutputStream} parameter) produce what the method writes, or {@code null} if it takes no
 * output stream; their return value is ignored, as on AWS. Other signatures take the event through
 * their parameter's type and produce their return value as JSON ({@code null} for {@code void}).
 */
final class MethodHandler implements Handler {

    /** What one parameter receives. */
    enum Param {
        INPUT_STREAM,
        OUTPUT_STREAM,
        CONTEXT,
        POJO
    }

    private final Method method;
    private final Object instance;
    private final Param[] params;
    private final PojoCodec codec;

    /** @param codec null for stream signatures */
    MethodHandler(Method method, Object instance, Param[] params, PojoCodec codec) {
        this.method = method;
        this.instance = instance;
        this.params = params;
        this.codec = codec;
    }

    /**
     * Classifies a method's parameters, or returns null if they form no supported signature: an
     * optional input (an {@link InputStream} or any other type), then an {@link OutputStream} (only
     * after an input stream or none), then an optional {@link Context}, in that order.
     */
    static Param[] signature(Class<?>[] types) {
        Param[] params = new Param[types.length];
        int stage = 0; // 0: input allowed, 1: output allowed, 2: context allowed, 3: nothing more
        for (int i = 0; i < types.length; i++) {
            Class<?> t = types[i];
            if (t == Context.class && stage <= 2) {
                params[i] = Param.CONTEXT;
                stage = 3;
            } else if (t == OutputStream.class && stage <= 1) {
                params[i] = Param.OUTPUT_STREAM;
                stage = 2;
            } else if (t == InputStream.class && stage == 0) {
                params[i] = Param.INPUT_STREAM;
                stage = 1;
            } else if (stage == 0) {
                params[i] = Param.POJO;
                stage = 2;
            } else {
                return null;
            }
        }
        return params;
    }

    static boolean usesStreams(Param[] params) {
        for (Param p : params) {
            if (p == Param.INPUT_STREAM || p == Param.OUTPUT_STREAM) {
                return true;
            }
        }
        return false;
    }

    @Override
    public byte[] handle(byte[] event, Context context) throws Throwable {
        ByteArrayOutputStream out = null;
        Object[] args = new Object[params.length];
        for (int i = 0; i < params.length; i++) {
            switch (params[i]) {
                case INPUT_STREAM -> args[i] = new ByteArrayInputStream(event);
                case OUTPUT_STREAM -> args[i] = out = new ByteArrayOutputStream(256);
                case CONTEXT -> args[i] = context;
                case POJO -> args[i] = codec.read(event);
            }
        }
        Object result;
        try {
            result = method.invoke(instance, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        if (codec == null) {
            return out == null ? NULL : out.toByteArray();
        }
        return codec.write(result);
    }
}
