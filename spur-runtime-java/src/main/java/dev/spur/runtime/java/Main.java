package dev.spur.runtime.java;

import java.io.IOError;
import java.io.IOException;

/**
 * Spur's Java runtime client: loads the function's handler once, then serves events from the Runtime
 * API until told to stop.
 *
 * <p>Start-up is the cold start users pay, so the path to the first {@code next} loads as little as
 * it can: a socket, this package, {@code aws-lambda-java-core}, and the user's class. Jackson (inside
 * {@code aws-lambda-java-serialization}) is loaded only for handlers with typed input or output, and
 * then on a background thread; no lambdas or indy string concatenation run before the first event.
 *
 * <p>Exit codes: 1 after an init failure has been reported to {@code /runtime/init/error}; 2 when the
 * Runtime API fails or answers 500; 3 after a fatal error in user code ({@link VirtualMachineError},
 * {@link IOError}) has been reported for its invocation.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        FunctionEnvironment function = FunctionEnvironment.from(System.getenv());
        RuntimeApiClient api = new RuntimeApiClient(function.runtimeApi());
        api.connectInBackground();
        Handler handler = init(function, api);
        try {
            while (true) {
                Invocation invocation = api.next();
                if (!invoke(handler, function, invocation, api)) {
                    System.exit(3);
                }
            }
        } catch (IOException | RuntimeApiClient.Fatal e) {
            System.err.println("spur: Runtime API failed, exiting: " + e);
            System.exit(2);
        }
    }

    private static Handler init(FunctionEnvironment function, RuntimeApiClient api) {
        try {
            ClassLoader loader = HandlerLoader.userClassLoader(function.taskRoot());
            Thread.currentThread().setContextClassLoader(loader);
            return HandlerLoader.load(function.handler(), loader);
        } catch (InitFailure failure) {
            reportInitError(failure.report(), api);
        } catch (IOException | RuntimeException e) {
            reportInitError(ErrorReport.of(e), api);
        }
        throw new AssertionError("unreachable: reportInitError exits");
    }

    private static void reportInitError(ErrorReport report, RuntimeApiClient api) {
        System.out.println(report.toLogText());
        try {
            api.postInitError(report.errorType(), report.toJson());
        } catch (IOException | RuntimeApiClient.Fatal e) {
            System.err.println("spur: could not report the init error: " + e);
        }
        System.exit(1);
    }

    /**
     * Runs one event and reports its outcome.
     *
     * @return false if the runtime must exit (the JVM is no longer trustworthy)
     */
    static boolean invoke(Handler handler, FunctionEnvironment function, Invocation invocation, RuntimeApiClient api)
            throws IOException {
        String traceId = invocation.traceId();
        if (traceId != null) {
            System.setProperty("com.amazonaws.xray.traceHeader", traceId); // read by the X-Ray SDK
        } else {
            System.clearProperty("com.amazonaws.xray.traceHeader");
        }
        byte[] result;
        try {
            result = handler.handle(invocation.event(), new InvocationContext(function, invocation));
        } catch (Throwable t) {
            ErrorReport report = ErrorReport.of(t);
            System.out.println(report.toLogText());
            api.postError(invocation.requestId(), report.errorType(), report.toJson());
            return !(t instanceof VirtualMachineError || t instanceof IOError);
        }
        api.postResponse(invocation.requestId(), result);
        return true;
    }
}
