package dev.spur.pools;

import java.util.Optional;

/**
 * Where a provisioned-concurrency configuration stands (GetProvisionedConcurrencyConfig).
 *
 * @param requested environments asked for, over all allocations
 * @param allocated environments started, initialised and alive, idle or busy
 * @param available the same environments: each serves one invocation at a time, idle or busy
 * @param status    {@code IN_PROGRESS} while {@code allocated < requested} (also while a crashed
 *                  environment is being replaced), {@code READY} when equal, {@code FAILED} once an
 *                  environment failed its init or the node's memory could not hold another one
 * @param reason    why it is FAILED, e.g. {@code FUNCTION_ERROR_INIT_FAILURE: Runtime.ExitError: …}
 */
public record ProvisionedStatus(int requested, int allocated, int available, String status, Optional<String> reason) {
    public static final String IN_PROGRESS = "IN_PROGRESS";
    public static final String READY = "READY";
    public static final String FAILED = "FAILED";
}
