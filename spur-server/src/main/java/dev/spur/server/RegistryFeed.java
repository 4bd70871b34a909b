package dev.spur.server;

import dev.spur.common.FunctionKey;
import dev.spur.control.ControlPlane;
import dev.spur.gateway.Gateways;
import dev.spur.store.ChangeFeed.Change;
import dev.spur.store.ChangeFollower;
import dev.spur.triggers.EventSourceMappings;
import dev.spur.triggers.Schedules;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Hands the change feed to this node's in-memory registries: each change names one function, HTTP API,
 * schedule, access key or event-source mapping, which its registry reads again from the store. A batch naming one thing many
 * times reads it once. Runs on the follower's thread ({@code spur-changes}).
 *
 * <p>Failure semantics: a read that fails (the database away) throws, so the follower keeps its position
 * and hands the same changes over again at its next wake-up or poll; nothing is skipped. Reading again
 * something already current changes nothing (the node's own changes come back this way).
 */
final class RegistryFeed implements ChangeFollower.Listener {
    private final ControlPlane control;
    private final Gateways gateways;
    private final Schedules schedules;
    private final AccessKeyService keys;
    private final EventSourceMappings mappings;

    RegistryFeed(
            ControlPlane control,
            Gateways gateways,
            Schedules schedules,
            AccessKeyService keys,
            EventSourceMappings mappings) {
        this.control = control;
        this.gateways = gateways;
        this.schedules = schedules;
        this.keys = keys;
        this.mappings = mappings;
    }

    @Override
    public void changed(List<Change> changes) {
        Set<Change> distinct = new LinkedHashSet<>();
        for (Change change : changes) {
            distinct.add(new Change(0, change.aggregate(), change.key()));
        }
        for (Change change : distinct) {
            switch (change.aggregate()) {
                case FUNCTION -> {
                    String[] parts = parts(change.key());
                    control.changed(new FunctionKey(parts[0], parts[1], parts[2]));
                }
                case HTTP_API -> gateways.changed(change.key());
                case SCHEDULE -> {
                    String[] parts = parts(change.key());
                    schedules.changed(parts[0], parts[1], parts[2]);
                }
                case ACCESS_KEY -> keys.changed(change.key());
                case EVENT_SOURCE_MAPPING -> {
                    String[] parts = parts(change.key());
                    mappings.changed(parts[0], parts[1], parts[2]);
                }
            }
        }
    }

    @Override
    public void reload() {
        control.reloadAll();
        gateways.reloadAll();
        schedules.reloadAll();
        keys.reloadAll();
        mappings.reloadAll();
    }

    /** {@code account/region/name}: names cannot hold a slash, so the first two split it. */
    private static String[] parts(String key) {
        String[] parts = key.split("/", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not account/region/name: " + key);
        }
        return parts;
    }
}
