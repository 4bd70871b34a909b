package dev.spur.runtime.java;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The training workload for a JDK AOT cache ({@code -XX:AOTCacheOutput}), run once when Spur installs
 * its runtimes. It walks the runtime's start-up and invoke paths without a Runtime API: a loopback
 * socket connection, parsing canned {@code next} responses, loading handlers of every form from a
 * user class loader, (de)serialising events with Jackson, and reporting an error. A later runtime
 * started with the cache finds these classes already loaded, linked and profiled; for handlers with
 * typed input this takes Jackson's start-up off the first invocation.
 *
 * <p>It needs no network beyond loopback and prints nothing; a non-zero exit means no cache.
 */
public final class Training {
    private Training() {}

    public static void main(String[] args) throws Throwable {
        Path emptyTaskRoot = Files.createTempDirectory("spur-training");
        try {
            touchSocket();
            FunctionEnvironment function = FunctionEnvironment.from(Map.of(
                    "AWS_LAMBDA_RUNTIME_API",
                    "127.0.0.1:9001",
                    "_HANDLER",
                    "x",
                    "LAMBDA_TASK_ROOT",
                    emptyTaskRoot.toString(),
                    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                    "128"));
            ClassLoader loader = HandlerLoader.userClassLoader(function.taskRoot());
            String prefix = Training.class.getName() + "$";
            Handler map = HandlerLoader.load(prefix + "MapHandler", loader);
            Handler streams = HandlerLoader.load(prefix + "Streams", loader);
            Handler greet = HandlerLoader.load(prefix + "Methods::greet", loader);
            Handler text = HandlerLoader.load(prefix + "Methods::text", loader);
            Handler fail = HandlerLoader.load(prefix + "Methods::fail", loader);
            for (int round = 0; round < 20; round++) {
                invoke(map, function, "{\"name\":\"spur\",\"n\":[1,2.5,true,null]}");
                invoke(streams, function, "{\"name\":\"spur\"}");
                invoke(greet, function, "{\"name\":\"spur\",\"age\":3}");
                invoke(text, function, "\"spur\"");
                invoke(fail, function, "{}");
            }
            LambdaEventSerializers.isLambdaSupportedEvent("com.amazonaws.services.lambda.runtime.events.SQSEvent");
        } finally {
            Files.delete(emptyTaskRoot);
        }
    }

    private static void touchSocket() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(Proxy.NO_PROXY)) {
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
            client.setTcpNoDelay(true);
            try (Socket accepted = server.accept()) {
                client.getOutputStream().write('x');
                client.getOutputStream().flush();
                accepted.getInputStream().read();
            }
        }
    }

    private static void invoke(Handler handler, FunctionEnvironment function, String event) throws IOException {
        Invocation invocation = RuntimeApiClient.invocation(RuntimeApiClient.readResponse(
                new ByteArrayInputStream(nextResponse(event).getBytes(StandardCharsets.UTF_8))));
        InvocationContext context = new InvocationContext(function, invocation);
        context.getClientContext();
        context.getIdentity();
        context.getRemainingTimeInMillis();
        try {
            handler.handle(invocation.event(), context);
        } catch (Throwable t) {
            ErrorReport report = ErrorReport.of(t);
            report.toJson();
            report.toLogText();
        }
    }

    private static String nextResponse(String event) {
        byte[] body = event.getBytes(StandardCharsets.UTF_8);
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n"
                + "Lambda-Runtime-Aws-Request-Id: 8476a536-e9f4-11e8-9739-2dfe598c3fcd\r\n"
                + "Lambda-Runtime-Deadline-Ms: " + (System.currentTimeMillis() + 3000) + "\r\n"
                + "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:f\r\n"
                + "Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1\r\n"
                + "Lambda-Runtime-Client-Context: {\"client\":{\"app_title\":\"t\"},\"custom\":{\"k\":\"v\"},\"env\":{\"e\":\"1\"}}\r\n"
                + "Lambda-Runtime-Cognito-Identity: {\"cognitoIdentityId\":\"id\",\"cognitoIdentityPoolId\":\"pool\"}\r\n"
                + "\r\n" + event;
    }

    /** A {@link RequestHandler} over maps. */
    public static final class MapHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
        @Override
        public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
            Map<String, Object> out = new LinkedHashMap<>(input);
            out.put("requestId", context.getAwsRequestId());
            return out;
        }
    }

    /** A {@link RequestStreamHandler} that echoes its event. */
    public static final class Streams implements RequestStreamHandler {
        @Override
        public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
            input.transferTo(output);
        }
    }

    /** Handlers named by method: a POJO in and out, a string, a failure. */
    public static final class Methods {
        public Greeting greet(Person person, Context context) {
            return new Greeting("hello " + person.name + " (" + person.age + ")");
        }

        public static String text(String input) {
            return input.toUpperCase(Locale.ROOT);
        }

        public static void fail(Map<String, Object> input) {
            throw new IllegalStateException("training failure", new IOException("cause"));
        }
    }

    /** A POJO with public fields. */
    public static final class Person {
        public String name;
        public int age;
    }

    /** A POJO with a bean getter. */
    public static final class Greeting {
        private final String message;

        Greeting(String message) {
            this.message = message;
        }

        public String getMessage() {
            return message;
        }
    }
}
