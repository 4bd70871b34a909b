package dev.spur.invoke;

import dev.spur.common.Arns;
import dev.spur.common.Arns.FunctionRef;
import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.common.TraceHeader;
import dev.spur.control.ControlPlane;
import dev.spur.logs.InvocationLog;
import dev.spur.logs.PlatformLog;
import dev.spur.pools.Deployment;
import dev.spur.pools.InvocationOutcome;
import dev.spur.pools.InvokeInput;
import dev.spur.pools.Lease;
import dev.spur.pools.Pools;
import dev.spur.pools.ResponseSink;
import dev.spur.queue.EventQueue;
import dev.spur.queue.QueuedEvent;
import dev.spur.usage.UsageMeter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/**
 * The synchronous invoke path, end to end in {@link #invoke}: resolve the function, validate, route (this
 * node, or the node of a fleet that holds the version warm: {@link Routing}), admit the request, acquire
 * an environment, dispatch the event, await the outcome, record the log, release the environment.
 */
public final class Invoker {
    /** Lambda's synchronous request limit: 6 MB. */
    public static final int MAX_REQUEST_PAYLOAD = 6 * 1024 * 1024;
    /** Lambda's limit on the base64 {@code X-Amz-Client-Context} header. */
    public static final int MAX_CLIENT_CONTEXT = 3583;

    private static final byte[] EMPTY_EVENT = "{}".getBytes(StandardCharsets.US_ASCII);

    private static final long WARM_REFRESH_NANOS = 100_000_000L;

    /** Lambda's asynchronous request limit: 1 MB. */
    public static final int MAX_EVENT_PAYLOAD = 1024 * 1024;

    private final ControlPlane control;
    private final Pools pools;
    private final EventQueue queue;
    private final InstantSource clock;
    private final InvokeObserver observer;
    /** Null when tracing is off: then nothing on the invoke path is done for it. */
    private final InvocationTracer tracer;
    /** Null when usage is not recorded. */
    private final UsageMeter usage;

    private volatile Routing routing = Routing.HERE;
    private volatile Warm warm = new Warm(Set.of(), System.nanoTime() - WARM_REFRESH_NANOS - 1);

    public Invoker(ControlPlane control, Pools pools, EventQueue queue, InstantSource clock) {
        this(control, pools, queue, clock, InvokeObserver.NONE, Optional.empty(), Optional.empty());
    }

    /**
     * @param observer told of every invocation's admission, throttle and outcome (metrics)
     * @param tracer   told of every synchronous invocation's timings (trace export); empty: tracing off
     * @param usage    where every invocation's and throttle's usage goes (off the invoke path; see
     *                 {@link UsageMeter}); empty: usage is not recorded
     */
    public Invoker(
            ControlPlane control,
            Pools pools,
            EventQueue queue,
            InstantSource clock,
            InvokeObserver observer,
            Optional<InvocationTracer> tracer,
            Optional<UsageMeter> usage) {
        this.control = control;
        this.pools = pools;
        this.queue = queue;
        this.clock = clock;
        this.observer = observer;
        this.tracer = tracer.orElse(null);
        this.usage = usage.orElse(null);
    }

    /** What this invoker tells of its invocations. */
    public InvokeObserver observer() {
        return observer;
    }

    /**
     * Runs a function synchronously and returns its answer. A function error is a normal result
     * ({@code functionError} set), not an exception; exceptions are API errors (404, 400, 413, 429).
     * In a fleet the invocation may run on another node (see {@link Routing}).
     *
     * <p>Failure semantics: once an environment is acquired the function may have run, whether or not
     * the caller receives the answer; a caller that disconnects does not stop the invocation, and its
     * environment is released when the invocation ends.
     */
    public InvokeResult invoke(InvokeCommand command) throws InterruptedException {
        return invoke(command, Optional.empty(), true, Long.MAX_VALUE, null);
    }

    /**
     * {@code InvokeWithResponseStream}: as {@link #invoke}, on this node, for a caller that takes the
     * response as the function produces it. If the runtime streams, its bytes go to {@code sink} as they
     * arrive and the result's payload is empty on success, the error document after a mid-stream error or
     * a cut (timeout, 200 MB); if it answers buffered, the sink is never called and the payload is the
     * answer. Only {@code RequestResponse} and {@code DryRun} are accepted.
     *
     * <p>Failure semantics: as {@link #invoke}; a caller that goes away mid-stream does not stop the
     * function (what it still writes is dropped). In a fleet the invocation runs on this node, never
     * forwarded.
     */
    public InvokeResult invokeStreaming(InvokeCommand command, ResponseSink sink) throws InterruptedException {
        String type = command.invocationType().orElse("RequestResponse");
        if (!type.equals("RequestResponse") && !type.equals("DryRun")) {
            throw LambdaException.invalid(
                    "1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: "
                            + "Member must satisfy enum value set: [RequestResponse, DryRun]",
                    type);
        }
        return invoke(command, Optional.empty(), false, Long.MAX_VALUE, sink);
    }

    /**
     * As {@link #invoke}, on this node whatever the routing says: for an invocation another node sent here,
     * which runs {@code version} (what that node resolved), and for the asynchronous dispatchers, which took
     * the event here.
     */
    public InvokeResult invokeHere(InvokeCommand command, Optional<String> version) throws InterruptedException {
        return invoke(command, version, false, Long.MAX_VALUE, null);
    }

    /**
     * As {@link #invokeHere(InvokeCommand, Optional)} for a caller that stops waiting at {@code notAfterMillis}
     * (epoch milliseconds on this node's clock: the node that sent the invocation here): the function gets the
     * shorter of its timeout and the time left, and with no time left once it has an environment the answer is
     * the timeout Lambda gives ({@code Sandbox.Timedout}, an unhandled function error) without running it.
     */
    public InvokeResult invokeHere(InvokeCommand command, Optional<String> version, long notAfterMillis)
            throws InterruptedException {
        return invoke(command, version, false, notAfterMillis, null);
    }

    /**
     * The whole path: resolve, validate, route, admit + acquire, dispatch + await, record, release.
     *
     * @param sink where a streamed response goes ({@link #invokeStreaming}); null for a buffered answer
     */
    private InvokeResult invoke(
            InvokeCommand command, Optional<String> pinned, boolean routed, long notAfterMillis, ResponseSink sink)
            throws InterruptedException {
        Instant received = tracer == null ? null : clock.instant();
        requireSize(command); // before anything else, as Lambda: even a body that is not JSON is 413 when too large
        Caller caller = command.caller();
        FunctionRef ref = Arns.parseFunctionRef(command.functionName(), caller.account(), caller.region());
        Optional<String> qualifier = ControlPlane.qualifier(ref, command.qualifier());
        FunctionKey key = control.invokable(caller, ref.key(), qualifier);
        Deployment deployment = control.resolveForInvoke(key, pinned.isPresent() ? pinned : qualifier);
        String type = command.invocationType().orElse("RequestResponse");
        boolean tail = logType(command.logType());
        byte[] payload = payload(command);
        String clientContext = clientContext(command.clientContext());
        String version = deployment.config().version();
        // The alias invoked, if the qualifier named one (a version number or $LATEST is the version itself).
        String alias = qualifier.isPresent() && !qualifier.get().equals(version) ? qualifier.get() : "";
        InvokeObserver.Probe probe = observer.probe(deployment, alias);
        switch (type) {
            case "DryRun" -> {
                return new InvokeResult(204, new byte[0], Optional.empty(), Optional.empty(), version);
            }
            case "RequestResponse" -> {}
            case "Event" -> {
                InvokeResult accepted = enqueue(command, key, qualifier, payload);
                probe.asyncReceived();
                return accepted;
            }
            default ->
                throw LambdaException.invalid(
                        "1 validation error detected: Value '%s' at 'invocationType' "
                                + "failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, "
                                + "DryRun]",
                        type);
        }
        Routing r = routing;
        Run run = new Run(payload, clientContext, tail, notAfterMillis);
        if (!routed || r == Routing.HERE) {
            // A node alone (or an invocation already routed here): no Call to build, no hop to consider.
            return runHere(command, key, qualifier, deployment, run, alias, probe, received, sink);
        }
        Routing.Here here = () -> runHere(command, key, qualifier, deployment, run, alias, probe, received, sink);
        InvokeCommand validated = new InvokeCommand(
                caller,
                command.functionName(),
                qualifier,
                command.invocationType(),
                command.logType(),
                command.clientContext(),
                payload,
                payload.length,
                command.requestId(),
                command.traceHeader(),
                command.queuedAt());
        return r.route(
                new Routing.Call(validated, key, version, deployment.config().timeout()), here);
    }

    /** Admit, acquire an environment, dispatch, await, record, release: the invocation on this node. */
    private InvokeResult runHere(
            InvokeCommand command,
            FunctionKey key,
            Optional<String> qualifier,
            Deployment deployment,
            Run run,
            String alias,
            InvokeObserver.Probe probe,
            Instant received,
            ResponseSink sink)
            throws InterruptedException {
        if (deployment.runtime() == null) {
            throw LambdaException.invalid(
                    "The runtime %s of this function is not available on this Spur server.",
                    deployment.config().runtime());
        }
        // The ARN the caller invoked, as Lambda passes it: with the qualifier the caller gave, if any.
        String arn = qualifier.isPresent() ? key.qualifiedArn(qualifier.get()) : key.arn();
        String trace = TraceHeader.forInvocation(command.traceHeader());
        InvokeInput input = new InvokeInput(
                command.requestId(), run.payload(), run.clientContext(), trace, arn, run.notAfterMillis());

        Lease lease;
        try {
            lease = acquire(deployment, probe);
        } catch (LambdaException e) {
            if (tracer != null) {
                trace(command, deployment, alias, trace, received, null, null, null);
            }
            throw e;
        }
        Instant admitted = tracer == null ? null : clock.instant();
        InvocationOutcome outcome = null;
        try (lease) {
            try {
                if (sink == null) {
                    outcome = lease.invoke(input);
                } else {
                    sink.executedVersion(deployment.config().version());
                    outcome = lease.invoke(input, sink);
                }
                record(command.requestId(), deployment, outcome);
                meter(deployment, outcome, lease);
            } finally {
                probe.finished(lease, outcome);
            }
        }
        if (tracer != null) {
            trace(command, deployment, alias, trace, received, admitted, lease, outcome);
        }
        return new InvokeResult(
                200,
                outcome.payload(),
                outcome.isError() ? Optional.of("Unhandled") : Optional.empty(),
                run.tail() ? Optional.of(outcome.log().tailBase64()) : Optional.empty(),
                deployment.config().version());
    }

    /** What one invocation on this node runs with: the payload, its context, whether to tail the log, until when. */
    private record Run(byte[] payload, String clientContext, boolean tail, long notAfterMillis) {}

    /** Hands the invocation's timings to the tracer; never fails the invocation. */
    private void trace(
            InvokeCommand command,
            Deployment deployment,
            String alias,
            String trace,
            Instant received,
            Instant admitted,
            Lease lease,
            InvocationOutcome outcome) {
        try {
            tracer.record(new InvocationTracer.Invocation(
                    deployment.config().key(),
                    deployment.config().version(),
                    alias,
                    command.requestId(),
                    command.traceHeader(),
                    trace,
                    command.queuedAt(),
                    received,
                    admitted,
                    lease == null ? 0 : lease.sandboxLaunchNanos(),
                    outcome == null ? -1 : outcome.initNanos(),
                    outcome == null ? 0 : outcome.durationNanos(),
                    clock.instant(),
                    outcome == null ? "Throttled" : outcomeName(outcome.kind()),
                    outcome == null ? null : outcome.errorType()));
        } catch (RuntimeException e) {
            System.getLogger(Invoker.class.getName())
                    .log(System.Logger.Level.WARNING, "could not record the trace of " + command.requestId(), e);
        }
    }

    private static String outcomeName(InvocationOutcome.Kind kind) {
        return switch (kind) {
            case SUCCESS -> "Success";
            case FUNCTION_ERROR -> "FunctionError";
            case INIT_ERROR -> "InitError";
            case TIMEOUT -> "Timeout";
            case EXIT_ERROR -> "RuntimeExit";
            case RESPONSE_TOO_LARGE -> "ResponseTooLarge";
        };
    }

    /** Admission and an environment ({@link Pools#acquire}), the probe told of either outcome. */
    private Lease acquire(Deployment deployment, InvokeObserver.Probe probe) {
        Lease lease;
        try {
            lease = pools.acquire(deployment);
        } catch (LambdaException e) {
            if (e.code() == ErrorCode.TOO_MANY_REQUESTS) {
                probe.throttled(e.reason().orElse("Unknown"));
                if (usage != null) {
                    usage.throttled(
                            deployment.config().key(), deployment.config().version());
                }
            }
            throw e;
        }
        probe.admitted(lease);
        return lease;
    }

    /** Hands the invocation's usage to the meter: the same figures the REPORT line was written from. */
    private void meter(Deployment deployment, InvocationOutcome outcome, Lease lease) {
        if (usage == null) {
            return;
        }
        FunctionConfig config = deployment.config();
        usage.invoked(new UsageMeter.Invocation(
                config.key(),
                config.version(),
                config.memorySize(),
                config.ephemeralStorage(),
                outcome.durationNanos(),
                outcome.initNanos(),
                outcome.isError(),
                lease.coldStart(),
                lease.provisioned()));
    }

    /**
     * The functions this node has environments for, where a queued event runs warm (for the queue's
     * {@code take}); recomputed at most every 100 ms.
     */
    public Set<FunctionKey> warmFunctions() {
        Warm current = warm;
        long now = System.nanoTime();
        if (now - current.at() > WARM_REFRESH_NANOS) {
            current = new Warm(Set.copyOf(pools.warmFunctions()), now);
            warm = current;
        }
        return current.functions();
    }

    /** Sends synchronous invocations where they should run; {@link Routing#HERE} (this node) by default. */
    public void route(Routing r) {
        this.routing = r;
    }

    private record Warm(Set<FunctionKey> functions, long at) {}

    /**
     * Accepts an asynchronous invocation: stores it durably (the call returns after the queue's
     * commit) and answers 202. The event runs later with {@code command.requestId()} as its request id.
     */
    private InvokeResult enqueue(InvokeCommand command, FunctionKey key, Optional<String> qualifier, byte[] payload) {
        Instant now = clock.instant();
        // The trace starts at accept: every attempt (and the destination record) continues it.
        String trace = TraceHeader.forInvocation(command.traceHeader());
        queue.enqueue(new QueuedEvent(
                command.requestId(), key, qualifier.orElse(""), payload, now, 0, now, EventOrigin.of("invoke", trace)));
        return new InvokeResult(202, new byte[0], Optional.empty(), Optional.empty(), null);
    }

    /** Writes END and REPORT, as Lambda does after every invocation, and the log to disk. */
    private static void record(String requestId, Deployment deployment, InvocationOutcome outcome) {
        InvocationLog log = outcome.log();
        PlatformLog.endAndReport(
                log,
                requestId,
                outcome.durationNanos(),
                deployment.config().memorySize(),
                outcome.maxMemoryUsedMb(),
                outcome.initNanos());
        log.flush();
    }

    private static boolean logType(Optional<String> logType) {
        String value = logType.orElse("None");
        return switch (value) {
            case "None" -> false;
            case "Tail" -> true;
            default ->
                throw LambdaException.invalid(
                        "1 validation error detected: Value '%s' at 'logType' failed to "
                                + "satisfy constraint: Member must satisfy enum value set: [Tail, None]",
                        value);
        };
    }

    /** 413 {@code RequestEntityTooLargeException} over the limit of the invocation type (1 MB for {@code Event}). */
    private static void requireSize(InvokeCommand command) {
        int limit = command.invocationType().orElse("").equals("Event") ? MAX_EVENT_PAYLOAD : MAX_REQUEST_PAYLOAD;
        if (command.payloadLength() > limit) {
            throw LambdaException.of(
                    ErrorCode.REQUEST_TOO_LARGE,
                    "Request must be smaller than %d bytes for the InvokeFunction operation",
                    limit);
        }
    }

    private static byte[] payload(InvokeCommand command) {
        int length = command.payloadLength();
        if (length == 0) {
            return EMPTY_EVENT;
        }
        if (!Json.isWellFormed(command.payload(), length)) {
            throw LambdaException.of(
                    ErrorCode.INVALID_REQUEST_CONTENT,
                    "Could not parse request body into json: "
                            + "Could not parse payload into json: the payload is not a single well-formed JSON value");
        }
        return length == command.payload().length ? command.payload() : Arrays.copyOf(command.payload(), length);
    }

    private static String clientContext(Optional<String> header) {
        if (header.isEmpty() || header.get().isEmpty()) {
            return null;
        }
        String encoded = header.get();
        LambdaException.requireValid(
                encoded.length() <= MAX_CLIENT_CONTEXT,
                "Client context must be no more than %d " + "bytes when encoded in base64.",
                MAX_CLIENT_CONTEXT);
        try {
            byte[] decoded = Base64.getDecoder().decode(encoded);
            LambdaException.requireValid(
                    Json.isWellFormed(decoded, decoded.length),
                    "Client context must be a valid Base64-encoded JSON object.");
            return new String(decoded, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw LambdaException.invalid("Client context must be a valid Base64-encoded JSON object.");
        }
    }
}
