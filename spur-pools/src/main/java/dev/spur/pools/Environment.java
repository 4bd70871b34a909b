package dev.spur.pools;

import dev.spur.common.FunctionConfig;
import dev.spur.logs.InvocationLog;
import dev.spur.logs.PlatformLog;
import dev.spur.pools.InvocationOutcome.Kind;
import dev.spur.runtimeapi.RuntimeApiEndpoint;
import dev.spur.runtimeapi.RuntimeApiHandler;
import dev.spur.sandbox.Sandbox;
import dev.spur.sandbox.SandboxedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * One execution environment: a runtime process, its own Runtime API endpoint, and the state machine
 * between them.
 *
 * <pre>
 *   STARTING ──first next──▶ IDLE ◀──release── BUSY
 *      │                      │ └──claim──────▶ │
 *      └──init error/exit──▶ STOPPED ◀──stop/exit/timeout──┘
 * </pre>
 *
 * <p>Only the thread that claimed it (IDLE→BUSY) dispatches to it; at most one invocation is in
 * flight. The runtime's calls arrive on the endpoint's virtual threads. {@link #stop} may come from
 * anywhere (reaper, eviction, timeout, process exit) and is idempotent.
 */
final class Environment implements RuntimeApiHandler {
    private static final Pattern LAMBDA_ERROR_TYPE = Pattern.compile("(Runtime|Function)\\.[A-Z][a-zA-Z]+");
    private static final Invocation STOP = new Invocation("", new byte[0], null, null, null, null);

    enum State {
        STARTING,
        IDLE,
        BUSY,
        STOPPED
    }

    final String id;
    final Pool pool;
    final String logStream;
    final long memoryMb;
    /**
     * The provisioned-concurrency allocation this environment serves, or null if it is on-demand.
     * Changes only under the {@link Provisioner}'s lock, when a new configuration takes it over.
     */
    volatile Provisioner.Target target;
    /** Provisioned only: set once its launch has put it on its pool's stack; from then on it counts as allocated. */
    volatile boolean provisionedReady;

    private final Pools pools;
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private final CountDownLatch torn = new CountDownLatch(1);
    private final AtomicBoolean tornDown = new AtomicBoolean();
    private final LinkedBlockingDeque<Invocation> events = new LinkedBlockingDeque<>();
    /** The thread waiting in {@link #awaitNext()}, if one is: a runtime waits for one event at a time. */
    private final AtomicReference<Thread> nextWaiter = new AtomicReference<>();

    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile Invocation current;
    private volatile InitFailure initFailure;
    private volatile InvocationLog log;
    /** Where output printed between invocations goes (flushed by the sweep); one per environment. */
    private final InvocationLog idleLog;

    private volatile long lastUsedNanos;
    private SandboxedProcess process;
    private RuntimeApiEndpoint endpoint;
    private OutputFile output;
    private long startedNanos;
    private long readyNanos;

    Environment(Pools pools, Pool pool, String id, String logStream, Provisioner.Target target) {
        this.pools = pools;
        this.target = target;
        this.pool = pool;
        this.id = id;
        this.logStream = logStream;
        this.memoryMb = pool.config().memorySize();
        this.log = new InvocationLog(pool.functionLog(), logStream);
        this.idleLog = new InvocationLog(pool.functionLog(), logStream);
    }

    /**
     * Starts the runtime and waits until it asks for its first event (init done), it fails, or the
     * init timeout passes. Never throws: a failure is kept and reported by the first invocation.
     */
    void start() {
        startedNanos = pools.ticker().nanos();
        PlatformLog.initStart(log, pool.deployment().runtime().id());
        boolean offline = pool.config().network() == FunctionConfig.Network.NONE;
        if (offline && !pools.sandbox().supportsNetworkNone()) {
            fail(new InitFailure(
                    "Runtime.InitError",
                    "Error: SpurNetwork none needs the linux sandbox; this server " + "runs --sandbox "
                            + pools.sandbox().name() + ", which cannot take a function off the network",
                    null));
            return;
        }
        try {
            endpoint = offline ? openBridgedEndpoint() : RuntimeApiEndpoint.open(this, id);
            output = new OutputFile(pools.runDirectory().resolve(id + ".out"));
            Sandbox.LaunchSpec spec = Launch.spec(
                    pool.deployment(),
                    pools.sandbox().isolatesFiles(),
                    endpoint.hostPort(),
                    logStream,
                    output.path(),
                    target == null ? "on-demand" : "provisioned-concurrency");
            if (offline) {
                spec = spec.withNetwork(Sandbox.Network.none(socketDirectory().resolve(SOCKET)));
            }
            process = pools.sandbox().start(spec);
            endpoint.admit(process.hostUid()); // from now on, only the environment's own sockets are served
        } catch (IOException e) {
            fail(
                    offline
                            ? new InitFailure(
                                    "Runtime.InitError",
                                    "Error: cannot start the environment without a " + "network: " + e.getMessage(),
                                    null)
                            : new InitFailure(
                                    "Runtime.InvalidEntrypoint", "Error: " + Launch.describeStartFailure(e), null));
            return;
        }
        SandboxedProcess started = process;
        process.onExit().thenAccept(status -> onExit(status.describe(), started.oomKilled()));
        try {
            ready.get(pools.settings().initTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            fail(new InitFailure(
                    "Runtime.InitError",
                    "Error: init phase timed out after "
                            + PlatformLog.seconds(pools.settings().initTimeout().toNanos()) + " seconds",
                    null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new InitFailure("Runtime.InitError", "Error: interrupted during init", null));
        } catch (ExecutionException e) {
            // initFailure was recorded by whoever failed the future
        }
        limitCpu();
        collectOutput(true);
        log.flush();
    }

    private static final String SOCKET = "runtime-api.sock";

    /** Where an environment without a network finds its Runtime API: a unix socket in a directory of its own. */
    private Path socketDirectory() {
        return pools.runDirectory().resolve(id);
    }

    /**
     * The Runtime API on a unix socket the sandbox binds in and bridges to 127.0.0.1:9001. Its
     * directory lets others through (the sandbox's uid binds it) but not list it.
     */
    private RuntimeApiEndpoint openBridgedEndpoint() throws IOException {
        Path dir = Files.createDirectory(socketDirectory());
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        return RuntimeApiEndpoint.openUnix(this, id, dir.resolve(SOCKET));
    }

    /** Init has ended: from now on the environment gets only its memory's share of CPU. */
    private void limitCpu() {
        try {
            process.limitCpu();
        } catch (UncheckedIOException e) {
            if (initFailure == null) {
                fail(new InitFailure(
                        "Runtime.InitError", "Error: cannot limit the environment's CPU: " + e.getMessage(), null));
            }
        }
    }

    boolean isReady() {
        return initFailure == null
                && state.get() != State.STOPPED
                && ready.isDone()
                && !ready.isCompletedExceptionally();
    }

    /** Whether its init succeeded (it may have stopped since). */
    boolean initialised() {
        return ready.isDone() && !ready.isCompletedExceptionally();
    }

    InitFailure initFailure() {
        return initFailure;
    }

    long initNanos() {
        return readyNanos - startedNanos;
    }

    InvocationLog initLog() {
        return log;
    }

    boolean claim() {
        return state.compareAndSet(State.IDLE, State.BUSY);
    }

    boolean markIdle() {
        lastUsedNanos = pools.ticker().nanos();
        return state.compareAndSet(State.BUSY, State.IDLE) || state.compareAndSet(State.STARTING, State.IDLE);
    }

    /**
     * Stops the environment's processes while it is idle (the linux sandbox's freezer; a no-op for
     * plain processes), so a function's background threads use no CPU between invocations, as on
     * Lambda. Called before the environment is put back on an idle stack.
     */
    void freeze() {
        SandboxedProcess p = process;
        if (p != null) {
            try {
                p.freeze();
            } catch (UncheckedIOException e) {
                System.getLogger(Environment.class.getName())
                        .log(
                                System.Logger.Level.WARNING,
                                "cannot freeze environment " + id + "; it stays running while idle",
                                e);
            }
        }
    }

    /** Lets a frozen environment run again; called by whoever claimed it, before it dispatches. */
    void thaw() {
        SandboxedProcess p = process;
        if (p != null) {
            try {
                p.thaw();
            } catch (UncheckedIOException e) {
                System.getLogger(Environment.class.getName())
                        .log(System.Logger.Level.WARNING, "cannot thaw environment " + id, e);
            }
        }
    }

    /** Claims an idle environment for stopping (reaper, eviction). */
    boolean claimForStop() {
        return state.compareAndSet(State.IDLE, State.STOPPED);
    }

    State state() {
        return state.get();
    }

    long lastUsedNanos() {
        return lastUsedNanos;
    }

    /** Hands an invocation to the runtime's next {@code next} call. Caller holds the claim. */
    void dispatch(Invocation invocation) {
        current = invocation;
        log = invocation.log;
        events.add(invocation);
        if (process != null && !process.isAlive()) {
            // Died while idle; its exit callback may not have run yet. Fail this invocation now.
            onExit(process.onExit().join().describe(), process.oomKilled());
        }
    }

    /** Appends everything the runtime printed so far to the current log. */
    void collectOutput(boolean flushPartial) {
        OutputFile out = output;
        if (out != null) {
            InvocationLog target = log;
            out.collect(target::line, flushPartial);
        }
    }

    /** After an invocation: output between invocations goes to the idle log, flushed by the sweep. */
    void detachLog() {
        log = idleLog;
    }

    long peakMemoryBytes() {
        return process == null ? 0 : process.peakMemoryBytes();
    }

    /**
     * Periodic: writes out what the runtime printed since the last look — between invocations, and
     * during a long one, so {@code spur logs -f} shows progress before the invocation ends.
     */
    void sweepOutput() {
        if (state.get() != State.STOPPED) {
            collectOutput(false);
            log.flush();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A runtime asks for one event at a time, so a {@code next} arriving while another waits means
     * the runtime gave up on the older one (its connection dropped, say, unseen by Spur while nothing
     * is written to it): the newest wait wins and the older one ends without an event, which would
     * otherwise be written to a dead connection and lost until the invocation's timeout.
     */
    @Override
    public NextEvent awaitNext() throws InterruptedException {
        if (!ready.isDone()) {
            readyNanos = pools.ticker().nanos();
            ready.complete(null);
        }
        Thread me = Thread.currentThread();
        Thread older = nextWaiter.getAndSet(me);
        if (older != null && older != me) {
            older.interrupt();
        }
        Invocation inv;
        try {
            inv = events.take();
            if (nextWaiter.get() != me && inv != STOP) {
                events.putFirst(inv); // superseded as it took the event: the newer wait gets it
                throw new InterruptedException("a newer next superseded this one");
            }
        } finally {
            nextWaiter.compareAndSet(me, null);
        }
        if (inv == STOP) {
            events.add(STOP);
            return null;
        }
        long now = pools.ticker().nanos();
        inv.markDispatched(now);
        long deadline = pools.clock().millis() + pool.config().timeout() * 1000L;
        return new NextEvent(
                inv.requestId, deadline, inv.invokedArn, inv.traceId, inv.clientContext, null, inv.payload);
    }

    @Override
    public Answer response(String requestId, byte[] body) {
        return finish(requestId, Kind.SUCCESS, body, null);
    }

    @Override
    public Answer error(String requestId, String errorType, byte[] body) {
        String type =
                errorType != null && LAMBDA_ERROR_TYPE.matcher(errorType).matches() ? errorType : "Runtime.Unknown";
        byte[] payload = body.length == 0
                ? ErrorJson.of(type, "The runtime reported an error without details")
                        .getBytes(StandardCharsets.UTF_8)
                : body;
        return finish(requestId, Kind.FUNCTION_ERROR, payload, type);
    }

    @Override
    public Answer initError(String errorType, byte[] body) {
        if (ready.isDone()) {
            return Answer.INVALID_STATE_TRANSITION;
        }
        String type = errorType != null && !errorType.isBlank() ? errorType : "Runtime.Unknown";
        fail(new InitFailure(type, null, body.length == 0 ? null : body));
        return Answer.ACCEPTED;
    }

    @Override
    public void responseTooLarge(String requestId, long declaredBytes) {
        Invocation inv = current;
        if (inv != null && inv.requestId.equals(requestId)) {
            String message =
                    "Response payload size (" + declaredBytes + " bytes) exceeded maximum allowed payload size ("
                            + RuntimeApiEndpoint.MAX_PAYLOAD_BYTES + " bytes).";
            inv.complete(
                    Kind.RESPONSE_TOO_LARGE,
                    ErrorJson.of("Function.ResponseSizeTooLarge", message).getBytes(StandardCharsets.UTF_8),
                    "Function.ResponseSizeTooLarge",
                    pools.ticker().nanos());
        }
    }

    private Answer finish(String requestId, Kind kind, byte[] payload, String errorType) {
        Invocation inv = current;
        if (inv == null || !inv.requestId.equals(requestId)) {
            return Answer.INVALID_REQUEST_ID;
        }
        if (!inv.complete(kind, payload, errorType, pools.ticker().nanos())) {
            return Answer.INVALID_STATE_TRANSITION;
        }
        return Answer.ACCEPTED;
    }

    private void fail(InitFailure failure) {
        if (initFailure == null) {
            initFailure = failure;
        }
        readyNanos = pools.ticker().nanos();
        stop(); // torn down before anyone waiting for init hears of the failure
        ready.completeExceptionally(new IllegalStateException(failure.errorType()));
    }

    /** @param oomKilled the kernel killed it for exceeding its memory: Lambda's {@code Runtime.OutOfMemory} */
    private void onExit(String how, boolean oomKilled) {
        if (!ready.isDone()) {
            fail(new InitFailure(
                    oomKilled ? "Runtime.OutOfMemory" : "Runtime.InitError",
                    "Error: Runtime exited with error: " + how,
                    null));
            return;
        }
        Invocation inv = current;
        stop(); // before completing, so the invoker never returns a dead environment to its pool
        if (inv != null && !inv.isDone()) {
            String message = "RequestId: " + inv.requestId + " Error: Runtime exited with error: " + how;
            String type = oomKilled ? "Runtime.OutOfMemory" : "Runtime.ExitError";
            inv.complete(
                    Kind.EXIT_ERROR,
                    ErrorJson.of(type, message).getBytes(StandardCharsets.UTF_8),
                    type,
                    pools.ticker().nanos());
        }
    }

    /**
     * Kills the runtime and frees everything; safe to call more than once, from any thread. What the
     * runtime printed up to here goes to the current log (an in-flight invocation's, if any). Returns
     * once the environment is torn down, also when another thread (its exit callback, say) got there
     * first: afterwards its memory is back and it is gone from its pool.
     */
    void stop() {
        state.set(State.STOPPED);
        if (!tornDown.compareAndSet(false, true)) {
            awaitTornDown();
            return;
        }
        try {
            tearDown();
        } finally {
            torn.countDown();
        }
    }

    private void awaitTornDown() {
        try {
            if (!torn.await(10, TimeUnit.SECONDS)) {
                System.getLogger(Environment.class.getName())
                        .log(System.Logger.Level.WARNING, "environment " + id + " is taking long to stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void tearDown() {
        events.add(STOP);
        if (endpoint != null) {
            endpoint.close(); // a unix endpoint deletes its socket
        }
        if (process != null) {
            process.kill();
        }
        try {
            Files.deleteIfExists(socketDirectory()); // only an environment without a network has one
        } catch (IOException e) {
            // not empty (its socket is still being deleted): the run directory is emptied at the next start
        }
        if (output != null) {
            collectOutput(true);
            output.close();
        }
        log.flush();
        pools.onStopped(this);
    }

    /** Why an environment could not initialise. Either a message to wrap, or the body the runtime posted. */
    record InitFailure(String errorType, String message, byte[] postedBody) {}
}
