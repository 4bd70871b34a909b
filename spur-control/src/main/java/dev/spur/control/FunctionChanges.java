package dev.spur.control;

import dev.spur.common.Arns;
import dev.spur.common.FunctionAttachments;
import dev.spur.common.FunctionKey;
import dev.spur.control.FunctionRegistry.Entry;
import dev.spur.pools.Pools;
import dev.spur.store.FunctionStore.StoredFunction;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Brings this node's copy of a function up to what the store holds, and tells the pools what that means:
 * the step that makes a change committed on another node take effect here (the node that made it did the
 * same work as it made it). Called for every change the feed names, for a read that found this node's
 * copy stale, and for an invoke of a function this node does not know yet.
 *
 * <p>What the pools are told, comparing the copy before with the stored function: a new {@code $LATEST}
 * revision retires {@code $LATEST}'s environments; a version gone retires its environments; a reservation
 * changed is applied; provisioned configurations removed are unprovisioned, and those present are
 * provisioned again when they, the aliases or the versions changed (an idempotent call). Nothing changes
 * when the copy already equals the store, which is what a node finds when its own change comes back
 * through the feed.
 *
 * <p>Concurrency: {@link #refresh} runs under the function's lock (see {@link ControlPlane#changed}), so it
 * never interleaves with a change this node is making to the same function.
 */
final class FunctionChanges {
    /** After a lookup found nothing, the same miss is not looked up again for this long. */
    private static final long MISS_QUIET_NANOS = 250_000_000L;

    private static final int MAX_MISSES = 10_000;

    private final ControlPlane control;
    private final ConcurrentMap<String, Long> recentMisses = new ConcurrentHashMap<>();

    FunctionChanges(ControlPlane control) {
        this.control = control;
    }

    /**
     * Reads the function from the store and makes the registry and the pools agree with it; call under
     * the function's lock.
     *
     * @return the function now in the registry, empty if it does not exist
     */
    Optional<Entry> refresh(FunctionKey key) {
        Optional<StoredFunction> stored = control.store().storedFunction(key);
        FunctionRegistry registry = control.registry();
        Entry previous = registry.find(key).orElse(null);
        if (stored.isEmpty()) {
            if (previous != null) {
                registry.remove(key);
                removed(previous);
            }
            return Optional.empty();
        }
        Entry next = registry.entryOf(stored.get());
        if (!next.equals(previous)) {
            registry.put(next);
            changed(previous, next);
        }
        return Optional.of(next);
    }

    /**
     * An invoke named a function or qualifier this node does not know: looks it up in the store (it may
     * have been created or published elsewhere a moment ago), unless the same miss was looked up within
     * the last 250 ms (so a stream of invokes of something absent costs the store little).
     *
     * @return whether it was looked up (the caller resolves again)
     */
    boolean refreshMiss(FunctionKey key, Optional<String> qualifier) {
        String miss = key.qualifiedArn(qualifier.orElse(""));
        long now = System.nanoTime();
        Long last = recentMisses.get(miss);
        if (last != null && now - last < MISS_QUIET_NANOS) {
            return false;
        }
        if (recentMisses.size() >= MAX_MISSES) {
            recentMisses.clear();
        }
        recentMisses.put(miss, now);
        control.changed(key);
        return true;
    }

    private void removed(Entry previous) {
        FunctionKey key = previous.key();
        Pools pools = control.pools();
        previous.attachments().provisioned().keySet().forEach(q -> pools.unprovision(key, q));
        pools.retire(key);
        pools.reserveConcurrency(key, OptionalInt.empty());
    }

    private void changed(Entry previous, Entry next) {
        FunctionKey key = next.key();
        Pools pools = control.pools();
        FunctionAttachments before = previous == null ? FunctionAttachments.NONE : previous.attachments();
        FunctionAttachments after = next.attachments();
        if (previous != null) {
            if (!previous.config().revisionId().equals(next.config().revisionId())) {
                pools.retire(key, Arns.LATEST);
            }
            for (String version : previous.versions().keySet()) {
                if (!next.versions().containsKey(version)) {
                    pools.unprovision(key, version);
                    pools.retire(key, version);
                }
            }
        }
        if (!before.reservation().equals(after.reservation())) {
            pools.reserveConcurrency(
                    key, after.reservation().map(OptionalInt::of).orElse(OptionalInt.empty()));
        }
        for (String qualifier : before.provisioned().keySet()) {
            if (!after.provisioned().containsKey(qualifier)) {
                pools.unprovision(key, qualifier);
            }
        }
        boolean versionsChanged = previous == null
                || !previous.versions().keySet().equals(next.versions().keySet());
        if (versionsChanged
                || !before.provisioned().equals(after.provisioned())
                || !before.aliases().equals(after.aliases())) {
            for (String qualifier : after.provisioned().keySet()) {
                control.concurrencyControl().reprovision(next, qualifier);
            }
        }
    }
}
