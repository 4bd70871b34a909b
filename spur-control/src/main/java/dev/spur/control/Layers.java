package dev.spur.control;

import static dev.spur.common.LambdaException.requireValid;

import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionConfig;
import dev.spur.common.LambdaException;
import dev.spur.common.LayerVersion;
import dev.spur.store.CodeStore;
import dev.spur.store.LayerStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Layers: publishing immutable, content-addressed versions (the zip goes to the same {@link CodeStore}
 * as function code, so it is validated and unpacked once), reading and listing them, their
 * permissions policies, and resolving the {@code Layers} of a function's configuration.
 *
 * <p>A function keeps what it needs of each layer version (its hash and sizes, {@link
 * FunctionConfig.Layer}) in its own configuration, so a version deleted later keeps working for the
 * functions that use it, as on Lambda; the code store keeps its package while a function refers to it.
 *
 * <p>Who may use a version: its account, and accounts its policy names (or {@code *}). Layers are read
 * from the store on every call (no cache), so no node serves a stale policy.
 */
public final class Layers {
    /** Lambda's limit of layers per function. */
    static final int MAX_LAYERS = 5;
    /** Lambda's limit on a function's code and layers together, unpacked. */
    static final long MAX_TOTAL_UNPACKED = CodeStore.MAX_UNPACKED_BYTES;

    static final int MAX_LIST_ITEMS = 50;
    private static final int MAX_POLICY_ATTEMPTS = 32;
    private static final String GET_LAYER_VERSION = "lambda:GetLayerVersion";
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9-_]{1,140}");
    private static final Pattern STATEMENT_ID = Pattern.compile("[a-zA-Z0-9-_]{1,100}");
    private static final Pattern PRINCIPAL = Pattern.compile("\\d{12}|\\*|arn:aws[a-zA-Z-]*:iam::(\\d{12}):root");
    private static final Pattern ORGANIZATION = Pattern.compile("o-[a-z0-9]{10,32}");
    private static final Pattern RUNTIME = Pattern.compile(
            "nodejs(\\d+\\.x)?|python\\d\\.\\d+|java\\d+(\\.al2)?|provided(\\.al2|\\.al2023)?|dotnet\\d+"
                    + "|dotnetcore\\d\\.\\d|ruby\\d\\.\\d+|go1\\.x");
    private static final List<String> ARCHITECTURES = List.of("x86_64", "arm64");

    private final LayerStore store;
    private final CodeStore code;
    private final InstantSource clock;

    Layers(LayerStore store, CodeStore code, InstantSource clock) {
        this.store = store;
        this.code = code;
        this.clock = clock;
    }

    public LayerResult handle(LayerCommand command) {
        return switch (command) {
            case LayerCommand.Publish c -> new LayerResult.Version(publish(c));
            case LayerCommand.Get c ->
                new LayerResult.Version(readable(c.caller(), ref(c.caller(), c.layerName(), c.version())));
            case LayerCommand.GetByArn c -> new LayerResult.Version(readable(c.caller(), versionArn(c.arn(), "arn")));
            case LayerCommand.ListLayers c -> listLayers(c);
            case LayerCommand.ListVersions c -> listVersions(c);
            case LayerCommand.Delete c -> {
                LayerVersion.Ref ref = owned(c.caller(), c.layerName(), c.version());
                store.deleteLayerVersion(ref.account(), ref.region(), ref.name(), ref.version());
                yield new LayerResult.Deleted(); // 204 also when it was not there, as Lambda
            }
            case LayerCommand.AddPermission c -> addPermission(c);
            case LayerCommand.GetPolicy c -> {
                LayerVersion version = existing(owned(c.caller(), c.layerName(), c.version()));
                if (version.statements().isEmpty()) {
                    throw LambdaException.notFound("No policy is associated with the given resource.");
                }
                yield new LayerResult.Policy(version);
            }
            case LayerCommand.RemovePermission c -> removePermission(c);
        };
    }

    private LayerVersion publish(LayerCommand.Publish c) {
        requireValid(
                c.unsupported().isEmpty(),
                "This Spur server does not support %s yet.",
                String.join(", ", c.unsupported()));
        LayerVersion.Ref target = owned(c.caller(), c.layerName(), 0);
        byte[] zip = c.zipFile()
                .orElseThrow(() -> LambdaException.invalid(
                        "Content.ZipFile is required: this Spur server takes layer packages uploaded directly."));
        c.description().ifPresent(Validation::description);
        c.licenseInfo()
                .ifPresent(l -> requireValid(
                        l.length() <= 512,
                        "1 validation error detected: Value at 'licenseInfo' failed to satisfy constraint: Member must "
                                + "have length less than or equal to 512"));
        List<String> runtimes = c.compatibleRuntimes().orElse(List.of());
        requireValid(
                runtimes.size() <= 15,
                "1 validation error detected: Value '%s' at 'compatibleRuntimes' failed to satisfy constraint: Member "
                        + "must have length less than or equal to 15",
                runtimes);
        for (String runtime : runtimes) {
            requireValid(
                    RUNTIME.matcher(runtime).matches(),
                    "1 validation error detected: Value '[%s]' at 'compatibleRuntimes' failed to satisfy constraint: "
                            + "Member must satisfy constraint: [Member must satisfy enum value set of Lambda's runtimes]",
                    runtime);
        }
        List<String> architectures = c.compatibleArchitectures().orElse(List.of());
        requireValid(
                architectures.size() <= 2 && ARCHITECTURES.containsAll(architectures),
                "1 validation error detected: Value '%s' at 'compatibleArchitectures' failed to satisfy constraint: "
                        + "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]] and "
                        + "have length less than or equal to 2",
                architectures);
        CodeStore.StoredCode stored = code.store(zip);
        LayerVersion draft = new LayerVersion(
                target.account(),
                target.region(),
                target.name(),
                0,
                c.description().orElse(""),
                c.licenseInfo().orElse(""),
                runtimes,
                architectures,
                stored.code(),
                unpackedSize(stored.directory()),
                clock.instant(),
                List.of(),
                "");
        return store.publishLayerVersion(draft);
    }

    private LayerResult listLayers(LayerCommand.ListLayers c) {
        int max = maxItems(c.maxItems());
        Map<String, LayerVersion> latest = new LinkedHashMap<>();
        for (LayerVersion v :
                store.layerVersions(c.caller().account(), c.caller().region(), Optional.empty())) {
            if (matches(v, c.compatibleRuntime(), c.compatibleArchitecture())) {
                latest.putIfAbsent(v.name(), v); // newest first within a name
            }
        }
        Paging.Page<LayerVersion> page =
                Paging.page(List.copyOf(latest.values()), LayerVersion::name, c.marker(), Optional.of(max));
        return new LayerResult.Latest(page.items(), page.nextMarker());
    }

    private LayerResult listVersions(LayerCommand.ListVersions c) {
        int max = maxItems(c.maxItems());
        LayerVersion.Ref ref = ref(c.caller(), c.layerName(), 0);
        List<LayerVersion> versions = new ArrayList<>();
        for (LayerVersion v : store.layerVersions(ref.account(), ref.region(), Optional.of(ref.name()))) {
            if (v.usableBy(c.caller().account()) && matches(v, c.compatibleRuntime(), c.compatibleArchitecture())) {
                versions.add(v);
            }
        }
        Paging.Page<LayerVersion> page =
                Paging.page(versions, v -> Long.toString(v.version()), c.marker(), Optional.of(max));
        return new LayerResult.Versions(page.items(), page.nextMarker());
    }

    private LayerResult addPermission(LayerCommand.AddPermission c) {
        LayerVersion.Ref ref = owned(c.caller(), c.layerName(), c.version());
        requireValid(
                STATEMENT_ID.matcher(c.statementId()).matches(),
                "1 validation error detected: Value '%s' at 'statementId' failed to satisfy constraint: Member must "
                        + "satisfy regular expression pattern: ([a-zA-Z0-9-_]+)",
                c.statementId());
        requireValid(
                c.action().equals(GET_LAYER_VERSION),
                "1 validation error detected: Value '%s' at 'action' failed to satisfy constraint: Member must satisfy "
                        + "regular expression pattern: lambda:GetLayerVersion",
                c.action());
        var principal = PRINCIPAL.matcher(c.principal());
        requireValid(
                principal.matches(),
                "1 validation error detected: Value '%s' at 'principal' failed to satisfy constraint: Member must "
                        + "satisfy regular expression pattern: \\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root",
                c.principal());
        String account = principal.group(1) != null ? principal.group(1) : c.principal();
        c.organizationId()
                .ifPresent(o -> requireValid(
                        ORGANIZATION.matcher(o).matches(),
                        "1 validation error detected: Value '%s' at 'organizationId' failed to satisfy constraint: "
                                + "Member must satisfy regular expression pattern: o-[a-z0-9]{10,32}",
                        o));
        LayerVersion.Statement statement = new LayerVersion.Statement(
                c.statementId(), account, GET_LAYER_VERSION, c.organizationId().orElse(""));
        LayerVersion changed = changePolicy(ref, c.revisionId(), current -> {
            if (current.statements().stream().anyMatch(s -> s.sid().equals(c.statementId()))) {
                throw LambdaException.conflict(
                        "The statement id (%s) provided already exists. Please provide a new statement id, or remove "
                                + "the existing statement.",
                        c.statementId());
            }
            List<LayerVersion.Statement> statements = new ArrayList<>(current.statements());
            statements.add(statement);
            return statements;
        });
        return new LayerResult.Added(changed, statement);
    }

    private LayerResult removePermission(LayerCommand.RemovePermission c) {
        LayerVersion.Ref ref = owned(c.caller(), c.layerName(), c.version());
        changePolicy(ref, c.revisionId(), current -> {
            List<LayerVersion.Statement> statements = new ArrayList<>(current.statements());
            if (!statements.removeIf(s -> s.sid().equals(c.statementId()))) {
                throw LambdaException.notFound("Statement %s is not found in resource policy.", c.statementId());
            }
            return statements;
        });
        return new LayerResult.Deleted();
    }

    /** Read-modify-write of a version's policy, compare-and-set on its revision (also across nodes). */
    private LayerVersion changePolicy(
            LayerVersion.Ref ref,
            Optional<String> revisionId,
            Function<LayerVersion, List<LayerVersion.Statement>> change) {
        for (int attempt = 0; attempt < MAX_POLICY_ATTEMPTS; attempt++) {
            LayerVersion current = existing(ref);
            if (revisionId.isPresent() && !revisionId.get().equals(current.policyRevisionId())) {
                throw LambdaException.of(
                        ErrorCode.PRECONDITION_FAILED,
                        "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to "
                                + "retrieve the latest Revision Id");
            }
            LayerVersion updated = current.withPolicy(change.apply(current), ControlPlane.newRevision());
            if (store.replaceLayerPolicy(updated, current.policyRevisionId())) {
                return updated;
            }
        }
        throw LambdaException.conflict("The policy of %s kept changing; try again.", ref.versionArn());
    }

    /**
     * The layers of a function's configuration, resolved: at most {@value #MAX_LAYERS}, each an existing
     * version in the function's region that the caller's account may use, no layer twice, order kept.
     */
    List<FunctionConfig.Layer> resolve(Caller caller, List<String> arns) {
        requireValid(arns.size() <= MAX_LAYERS, "Cannot reference more than %d layers.", MAX_LAYERS);
        Map<String, String> layerOfVersion = new HashMap<>();
        List<FunctionConfig.Layer> out = new ArrayList<>();
        for (String arn : arns) {
            LayerVersion.Ref ref = versionArn(arn, "layers");
            requireValid(
                    ref.region().equals(caller.region()),
                    "Layer version %s is in region %s; a function uses layers of its own region (%s).",
                    arn,
                    ref.region(),
                    caller.region());
            String layer = LayerVersion.layerArn(ref.account(), ref.region(), ref.name());
            String earlier = layerOfVersion.put(layer, arn);
            requireValid(
                    earlier == null,
                    "Two different versions of the same layer are not allowed to be referenced in the same function. "
                            + "%s and %s are versions of the same layer.",
                    earlier,
                    arn);
            LayerVersion version = store.findLayerVersion(ref.account(), ref.region(), ref.name(), ref.version())
                    .orElseThrow(() -> LambdaException.invalid("Layer version %s does not exist.", arn));
            if (!version.usableBy(caller.account())) {
                throw denied(caller, arn);
            }
            out.add(new FunctionConfig.Layer(
                    version.versionArn(), version.code().size(), version.code().sha256Hex(), version.unpackedSize()));
        }
        return out;
    }

    /** Lambda's 250 MB on a function's code and layers together, unpacked. */
    void checkTotalSize(FunctionConfig.Code functionCode, List<FunctionConfig.Layer> layers) {
        if (layers.isEmpty()) {
            return;
        }
        long total = unpackedSize(code.local(functionCode.sha256Hex()));
        for (FunctionConfig.Layer layer : layers) {
            total += layer.unpackedSize();
        }
        requireValid(
                total <= MAX_TOTAL_UNPACKED,
                "Function code combined with layers exceeds the maximum allowed size of %d bytes. The actual size is "
                        + "%d bytes.",
                MAX_TOTAL_UNPACKED,
                total);
    }

    private static boolean matches(LayerVersion v, Optional<String> runtime, Optional<String> architecture) {
        return runtime.map(v.compatibleRuntimes()::contains).orElse(true)
                && architecture.map(v.compatibleArchitectures()::contains).orElse(true);
    }

    private static int maxItems(Optional<Integer> maxItems) {
        int max = maxItems.orElse(MAX_LIST_ITEMS);
        requireValid(
                max >= 1 && max <= MAX_LIST_ITEMS,
                "1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have "
                        + "value between 1 and 50",
                max);
        return max;
    }

    /** A version the caller may read: 404 if there is none, 403 if another account's policy does not name it. */
    private LayerVersion readable(Caller caller, LayerVersion.Ref ref) {
        LayerVersion version = existing(ref);
        if (!version.usableBy(caller.account())) {
            throw denied(caller, ref.versionArn());
        }
        return version;
    }

    private LayerVersion existing(LayerVersion.Ref ref) {
        return store.findLayerVersion(ref.account(), ref.region(), ref.name(), ref.version())
                .orElseThrow(() -> LambdaException.notFound("The resource you requested does not exist."));
    }

    /** A layer of the caller's own account (changes are the owner's only). */
    private static LayerVersion.Ref owned(Caller caller, String layerName, long version) {
        LayerVersion.Ref ref = ref(caller, layerName, version);
        if (!ref.account().equals(caller.account())) {
            throw denied(caller, ref.versionArn());
        }
        return ref;
    }

    /** A {@code LayerName} path parameter (a name, or a layer ARN) with a version number. */
    private static LayerVersion.Ref ref(Caller caller, String layerName, long version) {
        if (NAME.matcher(layerName).matches()) {
            return new LayerVersion.Ref(caller.account(), caller.region(), layerName, version);
        }
        LayerVersion.Ref arn = LayerVersion.parseLayerArn(layerName)
                .orElseThrow(() -> LambdaException.invalid(
                        "1 validation error detected: Value '%s' at 'layerName' failed to satisfy constraint: Member "
                                + "must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:"
                                + "\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+",
                        layerName));
        return new LayerVersion.Ref(arn.account(), arn.region(), arn.name(), version);
    }

    private static LayerVersion.Ref versionArn(String arn, String member) {
        return LayerVersion.parseVersionArn(arn)
                .orElseThrow(() -> LambdaException.invalid(
                        "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must "
                                + "satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:"
                                + "layer:[a-zA-Z0-9-_]+:[0-9]+",
                        arn, member));
    }

    private static LambdaException denied(Caller caller, String arn) {
        return LambdaException.of(
                ErrorCode.ACCESS_DENIED,
                "User: arn:aws:iam::%s:root is not authorized to perform: lambda:GetLayerVersion on resource: %s "
                        + "because no resource-based policy allows the lambda:GetLayerVersion action",
                caller.account(),
                arn);
    }

    /** The bytes a tree's regular files take. */
    static long unpackedSize(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            long total = 0;
            for (Path file : (Iterable<Path>) files::iterator) {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                if (attributes.isRegularFile()) {
                    total += attributes.size();
                }
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot measure " + directory, e);
        }
    }
}
