package dev.spur.sandbox;

import dev.spur.runtimeapi.RuntimeApiEndpoint;
import dev.spur.runtimeapi.RuntimeApiHandler;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A launched environment: the endpoint first (so the runtime's first connection finds it listening),
 * then the process told where it is, then the endpoint admits the process's uid. Closing undoes it
 * in the other order.
 */
final class Launched implements SandboxedEnvironment {
    private final SandboxedProcess process;
    private final RuntimeApiEndpoint endpoint;
    private final RuntimeApiWiring wiring;
    private final EnvironmentSpec spec;

    private Launched(
            SandboxedProcess process, RuntimeApiEndpoint endpoint, RuntimeApiWiring wiring, EnvironmentSpec spec) {
        this.process = process;
        this.endpoint = endpoint;
        this.wiring = wiring;
        this.spec = spec;
    }

    /**
     * Launches {@code spec} in {@code sandbox}, its Runtime API wired by {@code wiring}.
     *
     * @throws IOException if the endpoint or the process could not be started; then nothing is left
     *                     (no endpoint, no directory, no process)
     */
    static SandboxedEnvironment launch(
            Sandbox sandbox, RuntimeApiWiring wiring, EnvironmentSpec spec, RuntimeApiHandler api) throws IOException {
        RuntimeApiEndpoint endpoint = wiring.open(spec, api);
        SandboxedProcess process;
        try {
            process = sandbox.start(wiring.runtime(spec, endpoint));
        } catch (IOException | RuntimeException e) {
            endpoint.close();
            wiring.cleanUp(spec);
            throw e;
        }
        endpoint.admit(process.hostUid()); // from now on, only the environment's own sockets are served
        return new Launched(process, endpoint, wiring, spec);
    }

    @Override
    public SandboxedProcess process() {
        return process;
    }

    /** Where a quota is enforced, it starts now. */
    @Override
    public void startUpEnded() {
        try {
            process.limitCpu();
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException("cannot limit the environment's CPU: " + e.getMessage(), e.getCause());
        }
    }

    @Override
    public void close() {
        endpoint.close(); // a unix endpoint deletes its socket
        process.kill();
        wiring.cleanUp(spec);
    }
}
