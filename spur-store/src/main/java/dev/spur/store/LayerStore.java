package dev.spur.store;

import dev.spur.common.LayerVersion;
import java.util.List;
import java.util.Optional;

/**
 * Layer versions as stored, one document each, keyed by account, region, name and number. Nothing
 * caches them (every layer call and every function configuration reads them here), so they write no
 * {@link ChangeFeed} entry. Failure semantics as {@link FunctionStore}: one transaction per call.
 */
public interface LayerStore {

    /**
     * Stores {@code draft} as the next version of its layer: one past the highest number ever given to
     * that name in its account and region (numbers are never reused, also across nodes).
     *
     * @return the version as stored, numbered
     */
    LayerVersion publishLayerVersion(LayerVersion draft);

    Optional<LayerVersion> findLayerVersion(String account, String region, String name, long version);

    /** An account's versions in a region, by name and then newest first; one layer's only when {@code name} is given. */
    List<LayerVersion> layerVersions(String account, String region, Optional<String> name);

    /** Deletes a version (its number is not given again); false if it did not exist. */
    boolean deleteLayerVersion(String account, String region, String name, long version);

    /**
     * Replaces a version's policy if its stored policy revision is still {@code expectedPolicyRevision}
     * (compare-and-set, also across nodes).
     *
     * @return false, writing nothing, if the version is gone or its policy changed meanwhile
     */
    boolean replaceLayerPolicy(LayerVersion updated, String expectedPolicyRevision);

    /** Every stored version of every account, for keeping their code at start. */
    List<LayerVersion> allLayerVersions();
}
