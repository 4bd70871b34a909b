package dev.spur.pools;

import dev.spur.common.FunctionKey;
import java.util.List;

/**
 * Which part of each provisioned-concurrency configuration this node holds. A node alone holds all of it
 * ({@link #WHOLE}); in a fleet every node knows every configuration (the change feed brings them) but keeps
 * only its own part, so that the fleet holds exactly the configured count, and reports what it holds so that
 * any node can answer GetProvisionedConcurrencyConfig for the whole fleet. When the live nodes change, the
 * fleet gives the pools a new placement ({@link Pools#placeProvisioned}) and every configuration is applied
 * again with the new parts: environments a node keeps stay, the ones it no longer holds stop, the ones it now
 * holds start.
 */
public interface ProvisionedPlacement {

    /** How many of the {@code count} environments of {@code function}'s {@code version} this node keeps. */
    int here(FunctionKey function, String version, int count);

    /**
     * The parts the other live nodes reported holding of (function, qualifier) at their last beats: their
     * own environments only ({@link ProvisionedStatus#requested} is their part).
     */
    List<ProvisionedStatus> elsewhere(FunctionKey function, String qualifier);

    /** A node alone: it holds every environment. */
    ProvisionedPlacement WHOLE = new ProvisionedPlacement() {
        @Override
        public int here(FunctionKey function, String version, int count) {
            return count;
        }

        @Override
        public List<ProvisionedStatus> elsewhere(FunctionKey function, String qualifier) {
            return List.of();
        }
    };

    /** A fleet node before it has read the live nodes: it holds nothing yet (it does not know its part). */
    ProvisionedPlacement NOTHING_YET = new ProvisionedPlacement() {
        @Override
        public int here(FunctionKey function, String version, int count) {
            return 0;
        }

        @Override
        public List<ProvisionedStatus> elsewhere(FunctionKey function, String qualifier) {
            return List.of();
        }
    };
}
