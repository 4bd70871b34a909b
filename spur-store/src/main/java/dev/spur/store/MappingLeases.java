package dev.spur.store;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;

/**
 * Which event-source mappings this node runs. A node alone runs all of them ({@link #all}). Nodes sharing a
 * database ({@link #postgres}) hold a lease per mapping in {@code mapping_leases} on the database's clock, as
 * the event queue's claims do: exactly one live node holds a mapping at a time, renews it while it runs its
 * pollers, and another takes it over once the lease has expired. Nothing is elected.
 *
 * <p>Failure semantics: a {@link #hold} that fails (the database away) throws and changes nothing; the caller
 * must stop running its mappings before its leases can have expired (it cannot renew them), since another node
 * may then take them. A node that was only paused past its lease may, until its next {@code hold}, poll a
 * mapping another node has taken: both receive from the queue then, which stays correct (each message is
 * leased to one receiver, FIFO groups are locked in the database), only wasteful for a moment.
 */
public interface MappingLeases {

    /**
     * Renews this node's leases of the {@code wanted} mappings (the enabled ones it knows), claims those no
     * node holds or whose lease has expired, and gives up those it holds that are no longer wanted.
     *
     * @return the wanted mappings this node holds now
     * @throws IllegalStateException if the database cannot be reached
     */
    Set<String> hold(Collection<String> wanted);

    /** Gives up every lease this node holds (a clean stop): other nodes take the mappings at once. */
    void release();

    /** A node alone: every mapping is its own. */
    static MappingLeases all() {
        return new MappingLeases() {
            @Override
            public Set<String> hold(Collection<String> wanted) {
                return Set.copyOf(wanted);
            }

            @Override
            public void release() {}
        };
    }

    /** Leases in {@code database} held as {@code owner} (the node's name) for {@code lease} at a time. */
    static MappingLeases postgres(Database database, String owner, Duration lease) {
        return new PostgresMappingLeases(database, owner, lease);
    }
}
