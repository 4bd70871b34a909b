package dev.spur.invoke;

import dev.spur.common.Arns;
import dev.spur.common.Arns.FunctionRef;
import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.control.ControlPlane;
import dev.spur.logs.InvocationLog;
import dev.spur.logs.PlatformLog;
import dev.spur.pools.Deployment;
import dev.spur.pools.InvocationOutcome;
import dev.spur.pools.InvokeInput;
import dev.spur.pools.Lease;
import dev.spur.pools.Pools;
import dev.spur.queue.EventQueue;
import dev.spur.queue.QueuedEvent;
import dev.spur.usage.UsageMeter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The synchronous invoke path, end to end in {@link #invoke}: resolve the function, admit the
 * request, acquire an environment, dispatch the event, await the outcome, record the log, release
 * the environment.
 */
public final class Invoker {
    /** Lambda's synchronous request limit: 6 MB. */
    public static final int MAX_REQUEST_PAYLOAD = 6 * 1024 * 1024;
    /** Lambda's limit on the base64 {@code X-Amz-Client-Context} header. */
    public static final int MAX_CLIENT_CONTEXT = 3583;

    private static final byte[] EMPTY_EVENT = "{}".getBytes(StandardCharsets.US_ASCII);

    /** Lambda's asynchronous request limit: 1 MB. */
    public static final int MAX_EVENT_PAYLOAD = 1024 * 1024;

    private final ControlPlane control;
    private final Pools pools;
    private final EventQueue queue;
    private final InstantSource clock;
    private final UsageMeter usage;

    /** @param usage where every invocation's and throttle's usage goes (off the invoke path; see {@link UsageMeter}) */
    public Invoker(ControlPlane control, Pools pools, EventQueue queue, InstantSource clock, UsageMeter usage) {
        this.control = control;
        this.pools = pools;
        this.queue = queue;
        this.clock = clock;
        this.usage = usage;
    }

    /**
     * Runs a function synchronously and returns its answer. A function error is a normal result
     * ({@code functionError} set), not an exception; exceptions are API errors (404, 400, 413, 429).
     *
     * <p>Failure semantics: once an environment is acquired the function may have run, whether or not
     * the caller receives the answer; a caller that disconnects does not stop the invocation, and its
     * environment is released when the invocation ends.
     */
    public InvokeResult invoke(InvokeCommand command) throws InterruptedException {
        Caller caller = command.caller();
        FunctionRef ref = Arns.parseFunctionRef(command.functionName(), caller.account(), caller.region());
        FunctionKey key = ControlPlane.visible(caller, ref.key());
        Optional<String> qualifier = ControlPlane.qualifier(ref, command.qualifier());
        Deployment deployment = control.resolveForInvoke(key, qualifier);
        String type = command.invocationType().orElse("RequestResponse");
        boolean tail = logType(command.logType());
        byte[] payload = payload(command);
        String clientContext = clientContext(command.clientContext());
        String version = deployment.config().version();
        switch (type) {
            case "DryRun" -> {
                return new InvokeResult(204, new byte[0], Optional.empty(), Optional.empty(), version);
            }
            case "RequestResponse" -> {}
            case "Event" -> {
                return enqueue(command, key, qualifier, payload);
            }
            default ->
                throw LambdaException.invalid(
                        "1 validation error detected: Value '%s' at 'invocationType' "
                                + "failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, "
                                + "DryRun]",
                        type);
        }
        if (deployment.runtime() == null) {
            throw LambdaException.invalid(
                    "The runtime %s of this function is not available on this Spur server.",
                    deployment.config().runtime());
        }
        // The ARN the caller invoked, as Lambda passes it: with the qualifier the caller gave, if any.
        String arn = qualifier.isPresent() ? key.qualifiedArn(qualifier.get()) : key.arn();
        InvokeInput input = new InvokeInput(command.requestId(), payload, clientContext, traceId(), arn);

        InvocationOutcome outcome;
        try (Lease lease = acquire(deployment)) {
            outcome = lease.invoke(input);
            record(command.requestId(), deployment, outcome);
            meter(deployment, outcome, lease);
        }
        return new InvokeResult(
                200,
                outcome.payload(),
                outcome.isError() ? Optional.of("Unhandled") : Optional.empty(),
                tail ? Optional.of(outcome.log().tailBase64()) : Optional.empty(),
                version);
    }

    /**
     * Accepts an asynchronous invocation: stores it durably (the call returns after the queue's
     * commit) and answers 202. The event runs later with {@code command.requestId()} as its request id.
     */
    private InvokeResult enqueue(InvokeCommand command, FunctionKey key, Optional<String> qualifier, byte[] payload) {
        if (payload.length > MAX_EVENT_PAYLOAD) {
            throw LambdaException.of(
                    ErrorCode.REQUEST_TOO_LARGE,
                    "Request must be smaller than %d bytes for the " + "InvokeFunction operation",
                    MAX_EVENT_PAYLOAD);
        }
        Instant now = clock.instant();
        queue.enqueue(new QueuedEvent(command.requestId(), key, qualifier.orElse(""), payload, now, 0, now, "invoke"));
        return new InvokeResult(202, new byte[0], Optional.empty(), Optional.empty(), null);
    }

    /** Admits and acquires an environment; a 429 is counted as a throttle of the function. */
    private Lease acquire(Deployment deployment) {
        try {
            return pools.acquire(deployment);
        } catch (LambdaException e) {
            if (e.code() == ErrorCode.TOO_MANY_REQUESTS) {
                usage.throttled(deployment.config().key(), deployment.config().version());
            }
            throw e;
        }
    }

    /** Hands the invocation's usage to the meter: the same figures the REPORT line was written from. */
    private void meter(Deployment deployment, InvocationOutcome outcome, Lease lease) {
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

    private static byte[] payload(InvokeCommand command) {
        int length = command.payloadLength();
        if (length > MAX_REQUEST_PAYLOAD) {
            throw LambdaException.of(
                    ErrorCode.REQUEST_TOO_LARGE,
                    "Request must be smaller than %d bytes for the " + "InvokeFunction operation",
                    MAX_REQUEST_PAYLOAD);
        }
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

    /** An X-Ray style trace header: {@code Root=1-<epoch hex>-<96 bits>;Parent=<64 bits>;Sampled=0}. */
    private static String traceId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        HexFormat hex = HexFormat.of();
        String root = Long.toHexString(System.currentTimeMillis() / 1000) + "-" + hex.toHexDigits(r.nextInt())
                + hex.toHexDigits(r.nextLong());
        return "Root=1-" + root + ";Parent=" + hex.toHexDigits(r.nextLong()) + ";Sampled=0";
    }
}
