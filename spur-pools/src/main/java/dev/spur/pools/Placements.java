package dev.spur.pools;

import dev.spur.common.FunctionKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The provisioned-concurrency configurations as asked (fleet-wide counts), and the part of each this node
 * holds under the current {@link ProvisionedPlacement}. The {@link Provisioner} only ever sees this node's
 * part; a status is this node's part combined with what the other nodes report.
 *
 * <p>Concurrency: one lock serialises configuration changes and placement changes (the control plane and the
 * fleet's heartbeat thread), so a configuration is never applied with a stale part; it is taken before the
 * provisioner's, never after. Statuses and counts read the (concurrent) map without it.
 */
final class Placements {
    private final Provisioner provisioner;
    private final Map<Key, List<Allocation>> asked = new ConcurrentHashMap<>();
    private ProvisionedPlacement placement = ProvisionedPlacement.WHOLE;

    Placements(Provisioner provisioner) {
        this.provisioner = provisioner;
    }

    synchronized void provision(FunctionKey function, String qualifier, List<Allocation> allocations) {
        asked.put(new Key(function, qualifier), allocations);
        provisioner.provision(function, qualifier, part(function, allocations));
    }

    synchronized void unprovision(FunctionKey function, String qualifier) {
        asked.remove(new Key(function, qualifier));
        provisioner.unprovision(function, qualifier);
    }

    /** The function was deleted (no version), or one of its versions: forget the configurations using it. */
    synchronized void drop(FunctionKey function, Optional<String> version) {
        asked.entrySet()
                .removeIf(e -> e.getKey().function().equals(function)
                        && (version.isEmpty()
                                || e.getValue().stream()
                                        .anyMatch(a -> a.deployment()
                                                .config()
                                                .version()
                                                .equals(version.get()))));
        provisioner.drop(function, version);
    }

    /** Applies every configuration again under {@code next}. */
    synchronized void place(ProvisionedPlacement next) {
        placement = next;
        for (Map.Entry<Key, List<Allocation>> e : asked.entrySet()) {
            provisioner.provision(
                    e.getKey().function(),
                    e.getKey().qualifier(),
                    part(e.getKey().function(), e.getValue()));
        }
    }

    /**
     * The environments asked fleet-wide for {@code version} of {@code function}, over all its configurations
     * (read on the invoke path of a fleet: no lock).
     */
    int asked(FunctionKey function, String version) {
        int n = 0;
        for (Map.Entry<Key, List<Allocation>> e : asked.entrySet()) {
            if (e.getKey().function().equals(function)) {
                for (Allocation a : e.getValue()) {
                    if (a.deployment().config().version().equals(version)) {
                        n += a.count();
                    }
                }
            }
        }
        return n;
    }

    /**
     * Fleet-wide: requested as asked, allocated = this node's live environments plus what the other live nodes
     * reported (at most the requested count), FAILED if any node's part failed, READY once the fleet holds them.
     */
    Optional<ProvisionedStatus> status(FunctionKey function, String qualifier) {
        List<Allocation> allocations;
        ProvisionedPlacement current;
        synchronized (this) {
            allocations = asked.get(new Key(function, qualifier));
            current = placement;
        }
        if (allocations == null) {
            return Optional.empty();
        }
        int requested = allocations.stream().mapToInt(Allocation::count).sum();
        List<ProvisionedStatus> parts = new ArrayList<>(current.elsewhere(function, qualifier));
        provisioner.status(function, qualifier).ifPresent(parts::add);
        int allocated = 0;
        Optional<String> failure = Optional.empty();
        for (ProvisionedStatus part : parts) {
            allocated += part.allocated();
            if (failure.isEmpty() && part.status().equals(ProvisionedStatus.FAILED)) {
                failure = Optional.of(part.reason().orElse("FAILED on another node"));
            }
        }
        allocated = Math.min(allocated, requested);
        String status = failure.isPresent()
                ? ProvisionedStatus.FAILED
                : allocated >= requested ? ProvisionedStatus.READY : ProvisionedStatus.IN_PROGRESS;
        return Optional.of(new ProvisionedStatus(requested, allocated, allocated, status, failure));
    }

    private List<Allocation> part(FunctionKey function, List<Allocation> allocations) {
        List<Allocation> mine = new ArrayList<>(allocations.size());
        for (Allocation a : allocations) {
            int n = placement.here(function, a.deployment().config().version(), a.count());
            mine.add(new Allocation(a.deployment(), Math.max(0, Math.min(n, a.count()))));
        }
        return mine;
    }

    private record Key(FunctionKey function, String qualifier) {}
}
