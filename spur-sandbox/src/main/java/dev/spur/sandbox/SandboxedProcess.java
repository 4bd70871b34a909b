package dev.spur.sandbox;

import java.util.concurrent.CompletableFuture;

/** A running environment process and everything it started. */
public interface SandboxedProcess {

    long pid();

    /** Completes when the main process has exited. */
    CompletableFuture<ExitStatus> onExit();

    boolean isAlive();

    /** Peak resident memory of the process tree so far, in bytes (0 if it cannot be read). */
    long peakMemoryBytes();

    /** Kills the process and all its descendants. Idempotent; does not wait. */
    void kill();

    /** How a process ended: an exit code, or the signal that killed it. */
    record ExitStatus(int code, int signal) {
        /** Lambda's wording, as in {@code Runtime exited with error: exit status 1} / {@code signal: killed}. */
        public String describe() {
            if (signal != 0) {
                return "signal: " + switch (signal) {
                    case 9 -> "killed";
                    case 15 -> "terminated";
                    case 11 -> "segmentation fault";
                    case 6 -> "aborted";
                    case 2 -> "interrupt";
                    default -> "signal " + signal;
                };
            }
            return "exit status " + code;
        }
    }
}
