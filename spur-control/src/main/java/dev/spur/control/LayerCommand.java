package dev.spur.control;

import dev.spur.common.Caller;
import java.util.List;
import java.util.Optional;

/**
 * The closed set of operations on layers ({@code /2018-10-31/layers…}); {@link Layers#handle} executes
 * them. A {@code layerName} is a name or a layer ARN (another account's, for one shared with the caller).
 */
public sealed interface LayerCommand {

    Caller caller();

    /** {@code unsupported}: members Spur does not take (S3 content), named in the refusal. */
    record Publish(
            Caller caller,
            String layerName,
            Optional<byte[]> zipFile,
            List<String> unsupported,
            Optional<String> description,
            Optional<String> licenseInfo,
            Optional<List<String>> compatibleRuntimes,
            Optional<List<String>> compatibleArchitectures)
            implements LayerCommand {
        public Publish {
            unsupported = List.copyOf(unsupported);
        }
    }

    record Get(Caller caller, String layerName, long version) implements LayerCommand {}

    record GetByArn(Caller caller, String arn) implements LayerCommand {}

    record ListLayers(
            Caller caller,
            Optional<String> compatibleRuntime,
            Optional<String> compatibleArchitecture,
            Optional<String> marker,
            Optional<Integer> maxItems)
            implements LayerCommand {}

    record ListVersions(
            Caller caller,
            String layerName,
            Optional<String> compatibleRuntime,
            Optional<String> compatibleArchitecture,
            Optional<String> marker,
            Optional<Integer> maxItems)
            implements LayerCommand {}

    record Delete(Caller caller, String layerName, long version) implements LayerCommand {}

    record AddPermission(
            Caller caller,
            String layerName,
            long version,
            String statementId,
            String action,
            String principal,
            Optional<String> organizationId,
            Optional<String> revisionId)
            implements LayerCommand {}

    record GetPolicy(Caller caller, String layerName, long version) implements LayerCommand {}

    record RemovePermission(
            Caller caller, String layerName, long version, String statementId, Optional<String> revisionId)
            implements LayerCommand {}
}
