package dev.spur.pools;

import dev.spur.common.FunctionKey;

/**
 * This node's part of concurrency limits that hold across a fleet (OpenWhisk's approach): counting every
 * invocation of the fleet in one place would cost a round trip per invoke, so each node admits up to its
 * share of a limit, and the shares of the live nodes add up to the limit. {@link #WHOLE} is a node alone.
 * Shares are recomputed when the fleet's membership changes; until every node has seen a change, the sum
 * of the shares in force may differ from the limit (see SPECIFICATION.md, "Fleet").
 */
public interface ConcurrencyShare {

    /** This node's part of an account's unreserved concurrency, {@code unreserved} fleet-wide. */
    int ofAccount(String account, int unreserved);

    /** This node's part of a function's reserved concurrency, {@code reserved} fleet-wide. */
    int ofReservation(FunctionKey function, int reserved);

    /** A node alone: the whole of every limit. */
    ConcurrencyShare WHOLE = new ConcurrencyShare() {
        @Override
        public int ofAccount(String account, int unreserved) {
            return unreserved;
        }

        @Override
        public int ofReservation(FunctionKey function, int reserved) {
            return reserved;
        }
    };

    /**
     * The part of {@code limit} a node ranked {@code rank} (0 first) of {@code nodes} gets: {@code limit / nodes},
     * one more for the first {@code limit % nodes} ranks, so the parts add up to exactly {@code limit}.
     */
    static int part(int limit, int nodes, int rank) {
        if (nodes <= 1) {
            return limit;
        }
        return limit / nodes + (rank < limit % nodes ? 1 : 0);
    }
}
