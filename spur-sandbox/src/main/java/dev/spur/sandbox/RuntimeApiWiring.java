package dev.spur.sandbox;

import dev.spur.runtimeapi.RuntimeApiEndpoint;
import dev.spur.runtimeapi.RuntimeApiHandler;
import dev.spur.sandbox.Sandbox.LaunchSpec;
import dev.spur.sandbox.Sandbox.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * How an environment's runtime reaches its Runtime API endpoint: the sandbox's choice, made in
 * {@link Sandbox#launch}. Either way the endpoint is the environment's own, and once the runtime
 * has started it serves only the environment's uid ({@link RuntimeApiEndpoint#admit(int)}).
 *
 * <ul>
 *   <li>{@link #LOOPBACK}: a loopback port of its own; the runtime, in the host's network
 *       namespace, is told {@code 127.0.0.1:<port>}.
 *   <li>{@link #BRIDGED_SOCKET} (linux, network none): a unix socket in the environment's own
 *       directory, which the linux sandbox binds into the environment's network namespace and
 *       bridges to {@link LinuxSandbox#BRIDGED_RUNTIME_API} there ({@link RuntimeApiBridge}).
 * </ul>
 *
 * <p>A microVM sandbox would add a vsock wiring here.
 */
sealed interface RuntimeApiWiring {
    /** Where a runtime finds the Runtime API, as Lambda tells it. */
    String RUNTIME_API_VARIABLE = "AWS_LAMBDA_RUNTIME_API";

    RuntimeApiWiring LOOPBACK = new Loopback();
    RuntimeApiWiring BRIDGED_SOCKET = new BridgedSocket();

    /**
     * Opens the endpoint, serving {@code api}.
     *
     * @throws IOException if it cannot; then nothing it created is left
     */
    RuntimeApiEndpoint open(EnvironmentSpec spec, RuntimeApiHandler api) throws IOException;

    /** The runtime's launch spec, told where the endpoint is ({@code AWS_LAMBDA_RUNTIME_API}) and in the network it reaches it by. */
    LaunchSpec runtime(EnvironmentSpec spec, RuntimeApiEndpoint endpoint);

    /** Removes what {@link #open} created beside the endpoint, once the endpoint is closed. Idempotent. */
    void cleanUp(EnvironmentSpec spec);

    /** See {@link #LOOPBACK}. */
    record Loopback() implements RuntimeApiWiring {
        @Override
        public RuntimeApiEndpoint open(EnvironmentSpec spec, RuntimeApiHandler api) throws IOException {
            return RuntimeApiEndpoint.open(api, spec.name());
        }

        @Override
        public LaunchSpec runtime(EnvironmentSpec spec, RuntimeApiEndpoint endpoint) {
            return spec.runtime().withVariable(RUNTIME_API_VARIABLE, endpoint.hostPort());
        }

        @Override
        public void cleanUp(EnvironmentSpec spec) {
            // nothing beside the port, which the endpoint closes
        }
    }

    /**
     * See {@link #BRIDGED_SOCKET}. The socket's directory lets others through (the sandbox's uid
     * binds the socket) but not list it; the socket itself is writable by all, and the endpoint
     * serves only the environment's uid ({@code SO_PEERCRED}).
     */
    record BridgedSocket() implements RuntimeApiWiring {
        static final String SOCKET = "runtime-api.sock";

        @Override
        public RuntimeApiEndpoint open(EnvironmentSpec spec, RuntimeApiHandler api) throws IOException {
            Path dir = Files.createDirectory(spec.directory());
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
                return RuntimeApiEndpoint.openUnix(api, spec.name(), dir.resolve(SOCKET));
            } catch (IOException | RuntimeException e) {
                cleanUp(spec);
                throw e;
            }
        }

        @Override
        public LaunchSpec runtime(EnvironmentSpec spec, RuntimeApiEndpoint endpoint) {
            return spec.runtime()
                    .withVariable(RUNTIME_API_VARIABLE, LinuxSandbox.BRIDGED_RUNTIME_API)
                    .withNetwork(Network.none(spec.directory().resolve(SOCKET)));
        }

        @Override
        public void cleanUp(EnvironmentSpec spec) {
            try {
                Files.deleteIfExists(spec.directory());
            } catch (IOException e) {
                // not empty (its socket is still being deleted): the run directory is emptied at the next start
            }
        }
    }
}
