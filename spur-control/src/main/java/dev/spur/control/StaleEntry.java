package dev.spur.control;

import dev.spur.common.LambdaException;
import java.util.Optional;

/**
 * Thrown inside a read-modify-write of a function when what it read may be older than the store: a
 * compare-and-set in the store was refused (another node changed the function), or a check against
 * what the caller named failed on what may be an old copy. {@link ControlPlane#locked} then reads the
 * function again from the store and runs the change again; if the store had nothing newer, the caller
 * gets {@link #ifCurrent} (the check's own error), so a refusal is only ever made on current data.
 */
final class StaleEntry extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient LambdaException ifCurrent;

    private StaleEntry(LambdaException ifCurrent) {
        super(null, null, false, false);
        this.ifCurrent = ifCurrent;
    }

    /** The store refused a compare-and-set: it holds something newer. */
    static StaleEntry refused() {
        return new StaleEntry(null);
    }

    /** A check failed with {@code error}: read again, and fail with it only if nothing was newer. */
    static StaleEntry unlessCurrent(LambdaException error) {
        return new StaleEntry(error);
    }

    Optional<LambdaException> ifCurrent() {
        return Optional.ofNullable(ifCurrent);
    }
}
