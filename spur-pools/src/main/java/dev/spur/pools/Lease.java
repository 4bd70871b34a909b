package dev.spur.pools;

import dev.spur.logs.InvocationLog;
import dev.spur.logs.PlatformLog;
import dev.spur.pools.InvocationOutcome.Kind;
import java.time.Instant;

/**
 * The right to run one invocation on one environment. Obtained from {@link Pools#acquire};
 * closing it gives the environment back (or stops it if it can no longer serve).
 */
public final class Lease implements AutoCloseable {
    private final Pools pools;
    private final Pool pool;
    private final Environment environment;
    private final boolean coldStart;
    /** The budget admission charged, and whether to its reservation: release undoes exactly that. */
    private final Budgets.FunctionBudget budget;

    private final boolean chargedToReservation;
    private boolean closed;

    Lease(
            Pools pools,
            Pool pool,
            Environment environment,
            boolean coldStart,
            Budgets.FunctionBudget budget,
            boolean chargedToReservation) {
        this.pools = pools;
        this.pool = pool;
        this.environment = environment;
        this.coldStart = coldStart;
        this.budget = budget;
        this.chargedToReservation = chargedToReservation;
    }

    public boolean coldStart() {
        return coldStart;
    }

    /** Whether the environment is one of provisioned concurrency's. */
    public boolean provisioned() {
        return environment.target != null;
    }

    /**
     * Whether this invocation spilled over: it runs on an on-demand environment of a version that has
     * provisioned environments (all of them busy or not yet started).
     */
    public boolean spillover() {
        return environment.target == null && pool.hadProvisioned;
    }

    /** On a cold start, how long the sandbox took to launch the environment (before the runtime's init); else 0. */
    public long sandboxLaunchNanos() {
        return coldStart ? environment.launchNanos() : 0;
    }

    /**
     * Runs the invocation: hands the event to the runtime and waits for its answer until the
     * function's timeout, counted from the moment the runtime took the event, or until the input's
     * {@link InvokeInput#notAfterMillis} if that comes first (the function's deadline header says the same).
     * At the deadline, or if the runtime dies, the environment is killed and the outcome says why. With no
     * time left at all, the event is not handed over: the outcome is a timeout and the environment stays.
     *
     * <p>Failure semantics: the function may have run, fully or partly, whatever the outcome; an
     * invocation is never run twice by this call.
     */
    public InvocationOutcome invoke(InvokeInput input) throws InterruptedException {
        return run(input, null);
    }

    /**
     * As {@link #invoke(InvokeInput)}, for a caller that takes the response as it is produced: if the
     * runtime streams its answer, the bytes go to {@code sink} as they arrive (with Lambda's limits:
     * {@link ResponseRelay}) and the outcome, returned when the stream has ended or was cut, carries no
     * payload for a success and the error for a failure; if the runtime answers buffered, the sink is not
     * called and the outcome holds the answer. The duration runs until the stream's end. Nothing is
     * written to {@code sink} after this returns.
     */
    public InvocationOutcome invoke(InvokeInput input, ResponseSink sink) throws InterruptedException {
        return run(input, new ResponseRelay(sink));
    }

    private InvocationOutcome run(InvokeInput input, ResponseRelay relay) throws InterruptedException {
        InvocationLog log = new InvocationLog(
                pool.functionLog(),
                environment.logStream,
                pool.deployment().config().logging());
        long initNanos = coldStart ? environment.initNanos() : -1;
        if (coldStart) {
            log.prependTailOf(environment.initLog());
        }
        if (coldStart && !environment.isReady()) {
            return initFailed(input, log, environment.initFailure(), initNanos);
        }
        PlatformLog.start(log, input.requestId(), pool.config().version());
        long timeoutNanos = pool.config().timeout() * 1_000_000_000L;
        if (input.notAfterMillis() != Long.MAX_VALUE) {
            long left = input.notAfterMillis() - pools.clock().millis();
            if (left <= 0) {
                return tooLate(input, log, initNanos);
            }
            timeoutNanos = Math.min(timeoutNanos, left * 1_000_000L);
        }
        Invocation inv = new Invocation(
                input.requestId(),
                input.payload(),
                input.clientContext(),
                input.traceId(),
                input.invokedArn(),
                log,
                timeoutNanos,
                relay);
        long start = pools.ticker().nanos();
        environment.dispatch(inv);
        Invocation.Result result;
        if (environment.startingUp() && timeoutNanos > Environment.START_UP_BOOST_NANOS) {
            // The first invocation runs at the node's speed for at most the boost; then the share applies.
            result = inv.await(Environment.START_UP_BOOST_NANOS, start, pools.ticker());
            if (result == null) {
                environment.endStartUp();
                result = inv.await(timeoutNanos, start, pools.ticker());
            }
        } else {
            result = inv.await(timeoutNanos, start, pools.ticker());
        }
        if (relay != null) {
            relay.close(); // nothing reaches the sink from here on: a stream at its deadline is cut
        }
        long memory = environment.peakMemoryBytes();
        pools.recharge(environment, memory);
        if (result == null) {
            if (inv.complete(
                    Kind.TIMEOUT,
                    ErrorJson.timedOut(input.requestId(), timeoutNanos),
                    "Sandbox.Timedout",
                    pools.ticker().nanos())) {
                environment.stop();
                PlatformLog.timedOut(
                        log, Instant.ofEpochMilli(pools.clock().millis()), input.requestId(), timeoutNanos);
            }
            result = inv.result();
        } else {
            environment.collectOutput(true);
        }
        environment.endStartUp();
        long dispatched = inv.dispatchedNanos() != 0 ? inv.dispatchedNanos() : start;
        return new InvocationOutcome(
                result.kind(),
                result.payload(),
                result.errorType(),
                Math.max(0, result.atNanos() - dispatched),
                initNanos,
                memory,
                log);
    }

    /** The caller's deadline passed before the event could be handed over: a timeout, as Lambda answers one. */
    private InvocationOutcome tooLate(InvokeInput input, InvocationLog log, long initNanos) {
        PlatformLog.timedOut(log, Instant.ofEpochMilli(pools.clock().millis()), input.requestId(), 0);
        return new InvocationOutcome(
                Kind.TIMEOUT,
                ErrorJson.timedOut(input.requestId(), 0),
                "Sandbox.Timedout",
                0,
                initNanos,
                environment.peakMemoryBytes(),
                log);
    }

    private InvocationOutcome initFailed(InvokeInput input, InvocationLog log, InitFailure failure, long initNanos) {
        String type = InitFailure.errorType(failure);
        byte[] payload = InitFailure.payload(failure, input.requestId());
        PlatformLog.initError(log, initNanos, type);
        PlatformLog.start(log, input.requestId(), pool.config().version());
        return new InvocationOutcome(Kind.INIT_ERROR, payload, type, 0, initNanos, environment.peakMemoryBytes(), log);
    }

    Environment environment() {
        return environment;
    }

    Pool pool() {
        return pool;
    }

    Budgets.FunctionBudget budget() {
        return budget;
    }

    boolean chargedToReservation() {
        return chargedToReservation;
    }

    /** Gives the environment back. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            pools.release(this);
        }
    }
}
