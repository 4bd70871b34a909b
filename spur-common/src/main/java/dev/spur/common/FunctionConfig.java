package dev.spur.common;

import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One version of a function's configuration, as stored and as served. Immutable: an update makes a
 * new instance with a new {@link #revisionId()}.
 *
 * @param version      {@code $LATEST} or a published version number
 * @param handler      empty for custom runtimes that do not use one
 * @param environment  the function's own variables (never Lambda's reserved ones)
 * @param layers       its layers in merge order (later ones overwrite earlier ones' files)
 * @param options      members stored and echoed as sent (tracing, KMS key, VPC, SnapStart)
 */
public record FunctionConfig(
        FunctionKey key,
        String version,
        String runtime,
        String handler,
        String role,
        String description,
        int memorySize,
        int timeout,
        Map<String, String> environment,
        Code code,
        int ephemeralStorage,
        List<String> architectures,
        Instant lastModified,
        String revisionId,
        State state,
        LastUpdateStatus lastUpdateStatus,
        Network network,
        LoggingConfig logging,
        List<Layer> layers,
        FunctionOptions options) {

    public static final int DEFAULT_MEMORY_MB = 128;
    public static final int DEFAULT_TIMEOUT_SECONDS = 3;
    public static final int DEFAULT_EPHEMERAL_STORAGE_MB = 512;

    public FunctionConfig {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(runtime, "runtime");
        handler = handler == null ? "" : handler;
        description = description == null ? "" : description;
        environment = Map.copyOf(environment);
        architectures = List.copyOf(architectures);
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(lastModified, "lastModified");
        Objects.requireNonNull(revisionId, "revisionId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(lastUpdateStatus, "lastUpdateStatus");
        network = network == null ? Network.DEFAULT : network; // stored before the field existed
        logging = logging == null ? LoggingConfig.DEFAULT : logging; // likewise
        layers = layers == null ? List.of() : List.copyOf(layers); // likewise
        options = options == null ? FunctionOptions.DEFAULT : options; // likewise
    }

    /** A copy with other options. */
    public FunctionConfig withOptions(FunctionOptions newOptions) {
        return new FunctionConfig(
                key,
                version,
                runtime,
                handler,
                role,
                description,
                memorySize,
                timeout,
                environment,
                code,
                ephemeralStorage,
                architectures,
                lastModified,
                revisionId,
                state,
                lastUpdateStatus,
                network,
                logging,
                layers,
                newOptions);
    }

    /** A copy with other layers. */
    public FunctionConfig withLayers(List<Layer> newLayers) {
        return new FunctionConfig(
                key,
                version,
                runtime,
                handler,
                role,
                description,
                memorySize,
                timeout,
                environment,
                code,
                ephemeralStorage,
                architectures,
                lastModified,
                revisionId,
                state,
                lastUpdateStatus,
                network,
                logging,
                newLayers,
                options);
    }

    /** A copy with another logging configuration. */
    public FunctionConfig withLogging(LoggingConfig newLogging) {
        return new FunctionConfig(
                key,
                version,
                runtime,
                handler,
                role,
                description,
                memorySize,
                timeout,
                environment,
                code,
                ephemeralStorage,
                architectures,
                lastModified,
                revisionId,
                state,
                lastUpdateStatus,
                network,
                newLogging,
                layers,
                options);
    }

    public String arn() {
        return key.arn();
    }

    /** A copy with a new revision, as every change to a function makes. */
    public FunctionConfig withRevision(String newRevisionId, Instant modified) {
        return new FunctionConfig(
                key,
                version,
                runtime,
                handler,
                role,
                description,
                memorySize,
                timeout,
                environment,
                code,
                ephemeralStorage,
                architectures,
                modified,
                newRevisionId,
                state,
                lastUpdateStatus,
                network,
                logging,
                layers,
                options);
    }

    /**
     * A code package by content.
     *
     * @param sha256Hex the SHA-256 of the zip, lower-case hex (the code store's key)
     * @param size      the zip's size in bytes
     */
    public record Code(String sha256Hex, long size) {
        public Code {
            Objects.requireNonNull(sha256Hex, "sha256Hex");
        }

        /** {@code CodeSha256} as Lambda reports it: the base64 of the digest. */
        public String sha256Base64() {
            return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256Hex));
        }
    }

    /**
     * A layer version a function uses, resolved when it was configured: what the environment needs
     * (the content) travels with the function, so a function keeps working after the layer version is
     * deleted, as on Lambda.
     *
     * @param arn          the layer version's ARN
     * @param codeSize     its zip's size ({@code Layers[].CodeSize})
     * @param sha256Hex    its zip's SHA-256 in the code store
     * @param unpackedSize its files' size unpacked
     */
    public record Layer(String arn, long codeSize, String sha256Hex, long unpackedSize) {
        public Layer {
            Objects.requireNonNull(arn, "arn");
            Objects.requireNonNull(sha256Hex, "sha256Hex");
        }
    }

    /** {@code State} as the {@code function-active-v2} waiter reads it. */
    public enum State {
        Pending,
        Active,
        Inactive,
        Failed
    }

    /**
     * Spur's own setting ({@code SpurNetwork} on the wire; Lambda has none): {@code DEFAULT} reaches
     * the network as a Lambda function does, {@code NONE} has a network namespace of its own with
     * only the Runtime API bridged in (the linux sandbox enforces it).
     */
    public enum Network {
        DEFAULT,
        NONE;

        /** The wire value: {@code default} or {@code none}. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @return empty for anything but {@code default} and {@code none} */
        public static Optional<Network> fromWire(String value) {
            return switch (value) {
                case "default" -> Optional.of(DEFAULT);
                case "none" -> Optional.of(NONE);
                default -> Optional.empty();
            };
        }
    }

    /** {@code LastUpdateStatus} as the {@code function-updated-v2} waiter reads it. */
    public enum LastUpdateStatus {
        InProgress,
        Successful,
        Failed
    }
}
