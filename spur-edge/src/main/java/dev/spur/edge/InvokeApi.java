package dev.spur.edge;

import dev.spur.common.RequestIds;
import dev.spur.gateway.FunctionInvoker;
import dev.spur.invoke.InvokeCommand;
import dev.spur.invoke.InvokeResult;
import dev.spur.invoke.Invoker;
import dev.spur.pools.ResponseSink;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Lambda's Invoke ({@code POST /2015-03-31/functions/{name}/invocations}): at most 6 MB of body, the
 * caller, an {@link InvokeCommand} → {@link Invoker#invoke} → the function's bytes with
 * {@code X-Amz-Executed-Version}, {@code X-Amz-Function-Error} and {@code X-Amz-Log-Result}.
 */
final class InvokeApi implements EdgeApi {
    private final Invoker invoker;
    private final Authentication auth;

    InvokeApi(Invoker invoker, Authentication auth) {
        this.invoker = invoker;
        this.auth = auth;
    }

    /**
     * The invoke path as the gateway services run functions: a synchronous invocation with no
     * invocation type, log type or client context of its own.
     */
    static FunctionInvoker functions(Invoker invoker) {
        return new FunctionInvoker() {
            @Override
            public Result invoke(Call call) throws InterruptedException {
                return result(invoker.invoke(command(call)));
            }

            @Override
            public Result invokeStreaming(Call call, Stream stream) throws InterruptedException {
                return result(invoker.invokeStreaming(command(call), new ResponseSink() {
                    @Override
                    public void begin(Optional<String> contentType) throws IOException {
                        stream.begin(contentType);
                    }

                    @Override
                    public void write(byte[] bytes, int offset, int length) throws IOException {
                        stream.write(bytes, offset, length);
                    }
                }));
            }
        };
    }

    private static InvokeCommand command(FunctionInvoker.Call call) {
        return new InvokeCommand(
                call.caller(),
                call.function(),
                call.qualifier(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                call.event(),
                call.event().length,
                call.requestId(),
                call.traceHeader());
    }

    private static FunctionInvoker.Result result(InvokeResult result) {
        return new FunctionInvoker.Result(
                result.status(), result.payload() == null ? new byte[0] : result.payload(), result.functionError());
    }

    @Override
    public void register(Router router) {
        router.add("POST", "/2015-03-31/functions/{name}/invocations", this::invoke);
    }

    private void invoke(Exchange x) {
        String requestId = RequestIds.next();
        try {
            byte[] body = x.body(Invoker.MAX_REQUEST_PAYLOAD);
            InvokeCommand command = new InvokeCommand(
                    auth.caller(x, body),
                    x.pathParameter("name"),
                    x.query("Qualifier"),
                    x.header("X-Amz-Invocation-Type"),
                    x.header("X-Amz-Log-Type"),
                    x.header("X-Amz-Client-Context"),
                    body,
                    body.length,
                    requestId,
                    x.header("X-Amzn-Trace-Id"));
            InvokeResult result = invoker.invoke(command);
            Map<String, String> headers = new LinkedHashMap<>(4);
            headers.put("x-amzn-RequestId", requestId);
            if (result.executedVersion() != null) {
                headers.put("X-Amz-Executed-Version", result.executedVersion());
            }
            result.functionError().ifPresent(e -> headers.put("X-Amz-Function-Error", e));
            result.logResult().ifPresent(l -> headers.put("X-Amz-Log-Result", l));
            x.send(result.status(), headers, "application/json", result.status() == 204 ? null : result.payload());
        } catch (Throwable t) {
            WireErrors.send(x, requestId, t);
        }
    }
}
