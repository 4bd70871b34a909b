package dev.spur.gateway;

import dev.spur.common.Caller;
import dev.spur.common.HttpApi;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a function of an API's account for the gateway — a route's integration or a Lambda
 * authorizer — and stops waiting for it after the API's integration timeout. The function runs on
 * a virtual thread of its own ({@code spur-gateway-integration}), so the request's thread can answer
 * 504 in time; the function itself runs on to its own timeout and its answer is dropped.
 */
final class Integration {
    private final FunctionInvoker functions;

    Integration(FunctionInvoker functions) {
        this.functions = functions;
    }

    /**
     * @param qualifier "" for the unqualified function
     * @throws TimeoutException the function did not answer within the API's integration timeout (it
     *                          may still be running, and may complete)
     * @throws LambdaException  Spur refused or failed the invocation (see {@link FunctionInvoker})
     */
    FunctionInvoker.Result invoke(
            HttpApi api, String function, String qualifier, byte[] event, Optional<String> traceHeader)
            throws TimeoutException, InterruptedException {
        FunctionInvoker.Call call = new FunctionInvoker.Call(
                new Caller(api.account(), api.region()),
                function,
                qualifier.isEmpty() ? Optional.empty() : Optional.of(qualifier),
                event,
                RequestIds.next(),
                traceHeader);
        CompletableFuture<FunctionInvoker.Result> future = new CompletableFuture<>();
        Thread.ofVirtual().name("spur-gateway-integration").start(() -> {
            try {
                future.complete(functions.invoke(call));
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        });
        try {
            return future.get(api.integrationTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LambdaException le) {
                throw le;
            }
            throw LambdaException.internal("the integration failed", e.getCause());
        }
    }
}
