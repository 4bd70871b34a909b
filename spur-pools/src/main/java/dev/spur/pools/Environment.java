package dev.spur.pools;

import dev.spur.common.FunctionConfig;
import dev.spur.logs.InvocationLog;
import dev.spur.logs.PlatformLog;
import dev.spur.pools.InvocationOutcome.Kind;
import dev.spur.runtimeapi.RuntimeApiHandler;
import dev.spur.runtimeapi.StreamedBody;
import dev.spur.sandbox.EnvironmentSpec;
import dev.spur.sandbox.Sandbox;
import dev.spur.sandbox.SandboxedEnvironment;
import dev.spur.sandbox.SandboxedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One execution environment's lifecycle: init, dispatch, await, freeze/thaw, stop. It is the
 * {@link RuntimeApiHandler} of its runtime; what runs the runtime and how the runtime reaches it is
 * the sandbox's ({@link Sandbox#launch}: a loopback port, a unix socket bridged into a network-none
 * sandbox, and what holds only after init, such as the linux sandbox's CPU quota).
 *
 * <pre>
 *   STARTING ──first next──▶ IDLE ◀──release── BUSY
 *      │                      │ └──claim──────▶ │
 *      └──init error/exit──▶ STOPPED ◀──stop/exit/timeout──┘
 * </pre>
 *
 * <p><b>Init.</b> {@link #start} writes INIT_START, has the sandbox launch the runtime, and waits for
 * the first of: the runtime's first {@code next} (ready), its {@code init/error}, its exit, the init
 * timeout. Then it tells the sandbox init has ended. A failure is kept ({@link InitFailure}) and
 * answered by the invocation that waited for the environment; the environment is stopped.
 *
 * <p><b>An invocation.</b> The pools claim it (IDLE→BUSY, by CAS) and thaw it; {@link #dispatch}
 * queues the {@link Invocation} for the runtime's {@code next}, which marks it dispatched (the
 * deadline starts); {@link #response}, {@link #error}, {@link #responseTooLarge} or the runtime's
 * exit completes it; the pools then freeze it and mark it IDLE, or stop it.
 *
 * <p><b>Threads.</b> Only the thread that claimed it dispatches to it: at most one invocation is in
 * flight. The runtime's calls arrive on the endpoint's virtual threads, its exit on the JDK's process
 * reaper. One {@code next} waits at a time: a newer one supersedes an older wait. {@link #stop} may
 * come from anywhere (reaper, eviction, timeout, process exit) and is idempotent: the first caller
 * tears down, later ones wait until it has. No locks: the state moves by CAS, events pass through a
 * blocking deque, the rest is volatile.
 */
final class Environment implements RuntimeApiHandler {
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
    private final EventHandover events = new EventHandover();

    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile Invocation current;
    private volatile InitFailure initFailure;
    private volatile InvocationLog log;
    /** Where output printed between invocations goes (flushed by the sweep); one per environment. */
    private final InvocationLog idleLog;

    private volatile long lastUsedNanos;
    /** What node memory this environment is charged, in MB ({@link NodeMemory}); -1 once given back. */
    private final AtomicLong charge = new AtomicLong();

    private SandboxedEnvironment sandboxed;
    private SandboxedProcess process;
    private OutputFile output;
    private long startedNanos;
    /** How long {@code Sandbox.launch} took (endpoint + process started), for metrics and traces. */
    private long launchNanos;

    private long readyNanos;

    /**
     * How long an environment's first invocation may run at the node's speed before the sandbox's share (the
     * linux sandbox's CPU quota) applies: init runs without the quota, and a runtime that defers work to its
     * first event (class loading, a JIT's first compilations) gets it at the same speed, for at most this long.
     */
    static final long START_UP_BOOST_NANOS = 1_000_000_000L;

    /** Set once the start-up has ended and the sandbox's share applies ({@link #endStartUp}). */
    private final AtomicBoolean startedUp = new AtomicBoolean();

    Environment(Pools pools, Pool pool, String id, String logStream, Provisioner.Target target, long chargedMb) {
        this.pools = pools;
        this.charge.set(chargedMb);
        this.target = target;
        this.pool = pool;
        this.id = id;
        this.logStream = logStream;
        this.memoryMb = pool.config().memorySize();
        this.log = new InvocationLog(
                pool.functionLog(), logStream, pool.deployment().config().logging());
        this.idleLog = new InvocationLog(
                pool.functionLog(), logStream, pool.deployment().config().logging());
    }

    /**
     * Starts the runtime and waits until it asks for its first event (init done), it fails, or the
     * init timeout passes. Never throws: a failure is kept and reported by the first invocation.
     */
    void start() {
        startedNanos = pools.ticker().nanos();
        PlatformLog.initStart(log, pool.deployment().runtime().id());
        Sandbox sandbox = pools.sandbox();
        boolean offline = pool.config().network() == FunctionConfig.Network.NONE;
        if (offline && !sandbox.supportsNetworkNone()) {
            fail(InitFailure.networkNoneUnsupported(sandbox.name()));
            return;
        }
        try {
            output = new OutputFile(pools.runDirectory().resolve(id + ".out"));
            Sandbox.LaunchSpec runtime = Launch.spec(
                    pool.deployment(),
                    sandbox.isolatesFiles(),
                    logStream,
                    output.path(),
                    target == null ? "on-demand" : "provisioned-concurrency",
                    pools.platformVariables());
            long launching = pools.ticker().nanos();
            sandboxed = sandbox.launch(
                    new EnvironmentSpec(
                            id, runtime, offline, pools.runDirectory().resolve(id)),
                    this);
            launchNanos = pools.ticker().nanos() - launching;
        } catch (IOException e) {
            fail(InitFailure.cannotStart(e, offline));
            return;
        }
        process = sandboxed.process();
        SandboxedProcess started = process;
        process.onExit().thenAccept(status -> onExit(status.describe(), started.oomKilled()));
        awaitInit();
        endInit();
        collectOutput(true);
        log.flush();
    }

    private void awaitInit() {
        try {
            ready.get(pools.settings().initTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            fail(InitFailure.timedOut(pools.settings().initTimeout()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(InitFailure.interrupted());
        } catch (ExecutionException e) {
            // initFailure was recorded by whoever failed the future
        }
    }

    /**
     * Init has ended. A failed one ends the start-up too (the environment is stopped); a good one runs on at
     * the node's speed into its first invocation, until {@link #endStartUp}.
     */
    private void endInit() {
        if (!isReady()) {
            startedUp.set(true);
        }
    }

    /** Whether the sandbox's share still waits for the end of the start-up (init and the first invocation). */
    boolean startingUp() {
        return !startedUp.get();
    }

    /**
     * The start-up has ended (the first invocation ended, or ran past {@link #START_UP_BOOST_NANOS}): what the
     * sandbox held back applies from now on, on linux the CPU quota ({@link SandboxedEnvironment#startUpEnded}).
     * Once; later calls do nothing. An environment whose share cannot be applied is stopped, since it could
     * not be held to it.
     */
    void endStartUp() {
        if (!startedUp.compareAndSet(false, true) || state.get() == State.STOPPED) {
            return;
        }
        SandboxedEnvironment s = sandboxed;
        try {
            if (s != null) {
                s.startUpEnded();
            }
        } catch (UncheckedIOException e) {
            warn("cannot apply the CPU share of environment " + id + "; stopping it", e);
            stop();
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

    long launchNanos() {
        return launchNanos;
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
                warn("cannot freeze environment " + id + "; it stays running while idle", e);
                endStartUp(); // not frozen: idle, it must not run at the node's speed
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
                warn("cannot thaw environment " + id, e);
            }
        }
    }

    private static void warn(String message, Exception e) {
        System.getLogger(Environment.class.getName()).log(System.Logger.Level.WARNING, message, e);
    }

    /** Claims an idle environment for stopping (reaper, eviction). */
    boolean claimForStop() {
        return state.compareAndSet(State.IDLE, State.STOPPED);
    }

    State state() {
        return state.get();
    }

    long chargedMb() {
        return Math.max(0, charge.get());
    }

    /** Raises the charge from {@code had} to {@code want}; false if it changed meanwhile (given back at a stop). */
    boolean recharge(long had, long want) {
        return charge.compareAndSet(had, want);
    }

    /** Gives the charge back, once: what it was, then 0. */
    long releaseCharge() {
        return Math.max(0, charge.getAndSet(-1));
    }

    long lastUsedNanos() {
        return lastUsedNanos;
    }

    /** Hands an invocation to the runtime's next {@code next} call. Caller holds the claim. */
    void dispatch(Invocation invocation) {
        current = invocation;
        log = invocation.log;
        events.offer(invocation);
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
            out.collect(target::output, flushPartial);
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
     * <p>The first call ends init. One waits at a time: a newer call supersedes an older wait
     * ({@link EventHandover}).
     */
    @Override
    public NextEvent awaitNext() throws InterruptedException {
        if (!ready.isDone()) {
            readyNanos = pools.ticker().nanos();
            ready.complete(null);
        }
        Invocation inv = events.take();
        if (inv == null) {
            return null; // stopped
        }
        long now = pools.ticker().nanos();
        inv.markDispatched(now);
        long deadline = pools.clock().millis() + inv.timeoutNanos / 1_000_000L;
        return new NextEvent(
                inv.requestId, deadline, inv.invokedArn, inv.traceId, inv.clientContext, null, inv.payload);
    }

    @Override
    public Answer response(String requestId, byte[] body) {
        return finish(requestId, Kind.SUCCESS, body, null);
    }

    /**
     * {@inheritDoc}
     *
     * <p>To a caller that streams, the body is relayed as it arrives ({@link ResponseRelay}); to one
     * that takes the answer buffered, it is read whole within the 6 MB limit, as Lambda does.
     */
    @Override
    public Answer streamResponse(String requestId, StreamedBody body) throws IOException {
        Invocation inv = current;
        if (inv == null || !inv.requestId.equals(requestId)) {
            return Answer.INVALID_REQUEST_ID;
        }
        if (inv.relay == null) {
            return RuntimeApiHandler.super.streamResponse(requestId, body);
        }
        return inv.relay.pump(inv, body, pools.ticker());
    }

    @Override
    public Answer error(String requestId, String errorType, byte[] body) {
        String type = ErrorJson.runtimeErrorType(errorType);
        return finish(requestId, Kind.FUNCTION_ERROR, body.length == 0 ? ErrorJson.withoutDetails(type) : body, type);
    }

    @Override
    public Answer initError(String errorType, byte[] body) {
        if (ready.isDone()) {
            return Answer.INVALID_STATE_TRANSITION;
        }
        fail(InitFailure.posted(errorType, body));
        return Answer.ACCEPTED;
    }

    @Override
    public void responseTooLarge(String requestId, long declaredBytes) {
        Invocation inv = current;
        if (inv != null && inv.requestId.equals(requestId)) {
            inv.complete(
                    Kind.RESPONSE_TOO_LARGE,
                    ErrorJson.responseTooLarge(declaredBytes),
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
            fail(InitFailure.exited(how, oomKilled));
            return;
        }
        Invocation inv = current;
        stop(); // before completing, so the invoker never returns a dead environment to its pool
        if (inv != null && !inv.isDone()) {
            String type = oomKilled ? "Runtime.OutOfMemory" : "Runtime.ExitError";
            inv.complete(
                    Kind.EXIT_ERROR,
                    ErrorJson.exited(inv.requestId, type, how),
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
        events.close();
        if (sandboxed != null) {
            sandboxed.close(); // its endpoint, its processes, its directory
        }
        if (output != null) {
            collectOutput(true);
            output.close();
        }
        log.flush();
        pools.onStopped(this);
    }
}
