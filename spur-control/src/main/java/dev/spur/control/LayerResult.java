package dev.spur.control;

import dev.spur.common.LayerVersion;
import java.util.List;
import java.util.Optional;

/** What a {@link LayerCommand} answers; the edge renders it in Lambda's shapes. */
public sealed interface LayerResult {

    /** PublishLayerVersion, GetLayerVersion(ByArn). */
    record Version(LayerVersion version) implements LayerResult {}

    /** ListLayerVersions: newest first. */
    record Versions(List<LayerVersion> versions, Optional<String> nextMarker) implements LayerResult {
        public Versions {
            versions = List.copyOf(versions);
        }
    }

    /** ListLayers: each layer's latest version matching the filters, by name. */
    record Latest(List<LayerVersion> layers, Optional<String> nextMarker) implements LayerResult {
        public Latest {
            layers = List.copyOf(layers);
        }
    }

    /** GetLayerVersionPolicy. */
    record Policy(LayerVersion version) implements LayerResult {}

    /** AddLayerVersionPermission: the statement added, and the policy's new revision. */
    record Added(LayerVersion version, LayerVersion.Statement statement) implements LayerResult {}

    record Deleted() implements LayerResult {}
}
