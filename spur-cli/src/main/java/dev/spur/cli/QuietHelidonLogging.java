package dev.spur.cli;

import io.helidon.logging.common.spi.LoggingProvider;

/**
 * Helidon's logging provider for {@code spur server}: leaves java.util.logging as the JDK set it up.
 * Without any provider on the class path, Helidon prints "There is no Helidon logging implementation
 * on classpath" to stderr at every start; {@link ServerCommand} sets the levels itself.
 */
public final class QuietHelidonLogging implements LoggingProvider {
    @Override
    public void initialization() {
    }

    @Override
    public void runTime() {
    }
}
