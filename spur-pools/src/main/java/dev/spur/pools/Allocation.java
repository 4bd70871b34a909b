package dev.spur.pools;

import dev.spur.common.LambdaException;

/**
 * Part of a provisioned-concurrency request: keep {@code count} environments of one function
 * version initialised. An alias with a routing configuration is provisioned as several allocations.
 */
public record Allocation(Deployment deployment, int count) {
    public Allocation {
        LambdaException.requireValid(count >= 0, "a provisioned allocation cannot be negative: %d", count);
    }
}
