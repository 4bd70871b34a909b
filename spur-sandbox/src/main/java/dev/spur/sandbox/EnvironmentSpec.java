package dev.spur.sandbox;

import dev.spur.sandbox.Sandbox.LaunchSpec;
import dev.spur.sandbox.Sandbox.Network;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An execution environment for {@link Sandbox#launch}: what its runtime runs, and whether it has a
 * network. How the runtime reaches its Runtime API is not in here: the sandbox chooses.
 *
 * @param name      the environment's id; names the Runtime API endpoint's threads
 * @param runtime   the runtime's process, on the host's network and without
 *                  {@code AWS_LAMBDA_RUNTIME_API} (the launch sets it)
 * @param offline   no network but loopback ({@code SpurNetwork: none}); only a sandbox that
 *                  {@linkplain Sandbox#supportsNetworkNone() supports it} launches such an environment
 * @param directory a directory of the environment's own, not there yet, that the launch may create
 *                  for what its wiring needs (a socket; then it must be absolute) and that closing
 *                  removes
 */
public record EnvironmentSpec(String name, LaunchSpec runtime, boolean offline, Path directory) {
    public EnvironmentSpec {
        Objects.requireNonNull(name, "name");
        if (!(runtime.network() instanceof Network.Host)) {
            throw new IllegalArgumentException("an environment's network is chosen by offline, not by its launch spec");
        }
        Objects.requireNonNull(directory, "directory");
    }
}
