package dev.spur.sandbox;

import java.io.UncheckedIOException;

/**
 * An execution environment a sandbox launched ({@link Sandbox#launch}): its runtime's process and
 * the Runtime API endpoint that serves it, wired the way the sandbox chose. Its owner drives the
 * environment's lifecycle; the sandbox decides what each step means for the process.
 */
public interface SandboxedEnvironment extends AutoCloseable {

    /** The runtime's process: its exit, memory, freezer. */
    SandboxedProcess process();

    /**
     * The environment's start-up has ended: its init and its first invocation (or as much of that as the
     * pools let run at the node's speed), or its init failed. Whatever the sandbox held back during set-up
     * and start-up applies from now on. The linux sandbox puts the environment under its CPU quota here, so
     * that init, and the class loading and compiling a runtime defers to its first event, run at the node's
     * speed; elsewhere nothing changes.
     *
     * @throws UncheckedIOException if that could not be applied while the process still runs; its
     *                              message says what
     */
    void startUpEnded();

    /**
     * Closes the Runtime API endpoint (a {@code next} parked on it is the handler's to release),
     * kills the process and everything it started, and removes what the launch created (the
     * environment's directory). Idempotent; does not wait for the processes to die.
     */
    @Override
    void close();
}
