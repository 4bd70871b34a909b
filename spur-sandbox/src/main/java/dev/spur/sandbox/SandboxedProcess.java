package dev.spur.sandbox;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/** A running environment process and everything it started. */
public interface SandboxedProcess {

    long pid();

    /**
     * The host uid the environment's processes run as, which owns every socket they open; -1 when
     * they run as Spur's own user and so cannot be told apart from Spur or each other ({@code process}).
     */
    default int hostUid() {
        return -1;
    }

    /** Completes when the main process has exited. */
    CompletableFuture<ExitStatus> onExit();

    boolean isAlive();

    /** Peak resident memory of the process tree so far, in bytes (0 if it cannot be read). */
    long peakMemoryBytes();

    /** Kills the process and all its descendants. Idempotent; does not wait. */
    void kill();

    /**
     * Whether the kernel's OOM killer killed a process of this environment for exceeding its memory
     * limit. Final once {@link #onExit()} has completed. Always false where no limit is enforced.
     */
    default boolean oomKilled() {
        return false;
    }

    /**
     * Stops every process of the environment from being scheduled (they use no CPU until
     * {@link #thaw()}). Returns at once, without waiting for the kernel to have stopped them all
     * (moments later), so it costs an invocation's response nothing. A no-op where the sandbox
     * cannot freeze.
     */
    default void freeze() {}

    /** Returns once a {@link #freeze()} has stopped every process (tests, benchmarks). */
    default void awaitFrozen() throws IOException {}

    /**
     * Puts the environment under its CPU quota; until then it may use the node's cores (its set-up
     * and start-up). A launched environment calls it when its start-up ends
     * ({@link SandboxedEnvironment#startUpEnded()}). A no-op where no quota is enforced.
     */
    default void limitCpu() {}

    /**
     * What its CPU quota has held the environment back so far ({@link CpuThrottling#NONE} where no
     * quota is enforced, or once it has ended).
     */
    default CpuThrottling cpuThrottling() {
        return CpuThrottling.NONE;
    }

    /** Lets a frozen environment run again. Idempotent. */
    default void thaw() {}

    /** How a process ended: an exit code, or the signal that killed it. */
    record ExitStatus(int code, int signal) {
        /** Lambda's wording, as in {@code Runtime exited with error: exit status 1} / {@code signal: killed}. */
        public String describe() {
            if (signal != 0) {
                return "signal: "
                        + switch (signal) {
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
