package dev.spur.invoke;

import dev.spur.common.FunctionKey;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a synchronous invocation runs: on this node, or on the node of a fleet that should hold its
 * function version warm. The step of {@link Invoker#invoke} between resolving what to run and acquiring
 * an environment for it; a node alone runs everything here ({@link #HERE}).
 *
 * <p>Failure semantics: an implementation that sends the invocation to another node passes on what that
 * node answered, the function's error included; an API error it throws (a {@link dev.spur.common.LambdaException})
 * means the function did not run, except {@code SERVICE} (500), after which it may have run on the node
 * that failed: the caller gets the error, nothing runs it again.
 */
@FunctionalInterface
public interface Routing {

    /**
     * Runs {@code call} here ({@code here.run()}) or elsewhere, and returns its result.
     *
     * @throws dev.spur.common.LambdaException as {@link Invoker#invoke}
     */
    InvokeResult route(Call call, Here here) throws InterruptedException;

    /** Every invocation runs on this node. */
    Routing HERE = (call, here) -> here.run();

    /** Runs the invocation on this node: admission, an environment, the function, the log. */
    @FunctionalInterface
    interface Here {
        InvokeResult run() throws InterruptedException;
    }

    /**
     * A synchronous invocation, resolved.
     *
     * @param command        as the caller sent it (its qualifier, if any, is the one the function sees in
     *                       its ARN)
     * @param function       the function
     * @param version        the version that runs: what an alias picked, weights included, so that wherever
     *                       it runs, it runs that version
     * @param timeoutSeconds the version's timeout: a node waiting for another must wait at least this long
     */
    record Call(InvokeCommand command, FunctionKey function, String version, int timeoutSeconds) {
        public Call {
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(function, "function");
            Objects.requireNonNull(version, "version");
        }

        /** The qualifier the caller named, if any. */
        public Optional<String> qualifier() {
            return command.qualifier();
        }
    }
}
