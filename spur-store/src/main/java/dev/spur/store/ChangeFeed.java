package dev.spur.store;

import java.util.List;
import java.util.Objects;

/**
 * What changed in the control plane, in commit order: every mutating call of a {@link FunctionStore},
 * {@link ApiStore}, {@link ScheduleStore} or {@link KeyStore} appends one {@link Change} in the same
 * transaction as the change itself, so a change is in the feed exactly when it is committed. Nodes that
 * keep registries in memory follow the feed ({@link ChangeFollower}) and re-read what it names.
 *
 * <p>Sequence numbers grow with commit order (writers of the feed are serialised at commit), so a reader
 * that has seen {@code seq} never later finds a smaller one appear. They may skip values (a rolled-back
 * transaction burns one). Old entries are pruned (kept at least an hour): a reader whose position is older
 * than what is kept gets a {@link Changes#gap()} and must reload everything.
 *
 * <p>Wake-ups are hints, never the truth: PostgreSQL's {@code NOTIFY} (one per committed control-plane
 * write, never per invoke or event) is not replayed to a listener that was disconnected, so followers
 * poll as well.
 */
public interface ChangeFeed {

    /** The newest sequence number committed, 0 if none. */
    long latestChange();

    /**
     * Up to {@code max} changes committed after {@code afterSeq}, oldest first.
     *
     * @throws dev.spur.common.LambdaException 500 if the store cannot be read
     */
    Changes changesSince(long afterSeq, int max);

    /**
     * Registers {@code wakeUp}, called on some thread when a change may have been committed (by this
     * instance, or by another one where the store can tell). It must be quick and must not throw.
     *
     * @return closing it unregisters
     */
    AutoCloseable onWakeUp(Runnable wakeUp);

    /** Which kind of thing a change touched. */
    enum Aggregate {
        /** key: {@code account/region/name}; versions and attachments included */
        FUNCTION,
        /** key: the API id */
        HTTP_API,
        /** key: {@code account/region/name} */
        SCHEDULE,
        /** key: the access key id */
        ACCESS_KEY,
        /** key: {@code account/region/uuid} */
        EVENT_SOURCE_MAPPING
    }

    /** One committed change: what to re-read. */
    record Change(long seq, Aggregate aggregate, String key) {
        public Change {
            Objects.requireNonNull(aggregate, "aggregate");
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Changes after a position.
     *
     * @param gap true when changes after the position asked for were pruned: reload everything, then
     *            follow from {@link #latestChange()} read before the reload
     */
    record Changes(List<Change> changes, boolean gap) {
        public Changes {
            changes = List.copyOf(changes);
        }
    }

    static String key(String account, String region, String name) {
        return account + "/" + region + "/" + name;
    }
}
