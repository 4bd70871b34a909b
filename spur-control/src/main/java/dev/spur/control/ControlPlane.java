package dev.spur.control;

import dev.spur.common.Arns;
import dev.spur.common.Arns.FunctionRef;
import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.EventInvokeConfig;
import dev.spur.common.FunctionAttachments;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionConfig.LastUpdateStatus;
import dev.spur.common.FunctionConfig.State;
import dev.spur.common.FunctionKey;
import dev.spur.common.FunctionOptions;
import dev.spur.common.FunctionTargets;
import dev.spur.common.LambdaException;
import dev.spur.common.LoggingConfig;
import dev.spur.control.FunctionCommand.CreateFunction;
import dev.spur.control.FunctionCommand.DeleteFunction;
import dev.spur.control.FunctionCommand.GetFunction;
import dev.spur.control.FunctionCommand.GetFunctionConfiguration;
import dev.spur.control.FunctionCommand.ListFunctions;
import dev.spur.control.FunctionCommand.UpdateFunctionCode;
import dev.spur.control.FunctionCommand.UpdateFunctionConfiguration;
import dev.spur.control.FunctionRegistry.Entry;
import dev.spur.pools.Deployment;
import dev.spur.pools.Pools;
import dev.spur.runtimes.Runtimes;
import dev.spur.store.CodeStore;
import dev.spur.store.MetadataStore;
import java.time.InstantSource;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Executes {@link FunctionCommand}s: validates, stores code and metadata, and tells the pools
 * when environments must be replaced.
 *
 * <p>Changes to one function are serialised by a per-function lock, so a read-modify-write of its
 * configuration never loses a concurrent change; different functions change in parallel. A change is
 * complete when the call returns (code unpacked, metadata stored), so functions are {@code Active}
 * and updates {@code Successful} at once, which is what the CLI's waiters poll for.
 *
 * <p>Failure semantics: a command that throws changed nothing visible. (A code package stored for a
 * create that then lost a name race stays in the code store until the next start's clean-up.)
 */
public final class ControlPlane {
    /** How many times a change is tried on a fresh copy when other nodes keep changing the function. */
    static final int MAX_ATTEMPTS = 32;

    private final MetadataStore store;
    private final CodeStore code;
    private final Runtimes runtimes;
    private final Pools pools;
    private final InstantSource clock;
    private final FunctionRegistry registry;
    private final ConcurrentMap<FunctionKey, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Publishing publishing;
    private final Concurrency concurrency;
    private final Resources resources;
    private final AsyncSettings asyncSettings;
    private final FunctionChanges changes;
    private final Layers layers;
    private final Permissions permissions;

    public ControlPlane(MetadataStore store, CodeStore code, Runtimes runtimes, Pools pools, InstantSource clock) {
        this.store = store;
        this.code = code;
        this.runtimes = runtimes;
        this.pools = pools;
        this.clock = clock;
        this.registry = new FunctionRegistry(store, code, runtimes);
        this.publishing = new Publishing(this);
        this.concurrency = new Concurrency(this);
        this.resources = new Resources(this);
        this.asyncSettings = new AsyncSettings(this);
        this.changes = new FunctionChanges(this);
        this.layers = new Layers(store, code, clock);
        this.permissions = new Permissions(this);
        concurrency.restore();
    }

    FunctionRegistry registry() {
        return registry;
    }

    /** The layer operations ({@code /2018-10-31/layers…}). */
    public Layers layers() {
        return layers;
    }

    MetadataStore store() {
        return store;
    }

    Pools pools() {
        return pools;
    }

    InstantSource clock() {
        return clock;
    }

    /**
     * Stores a function's new attachments if the stored ones are still {@code entry}'s (compare-and-set,
     * across nodes too) and makes them visible; call under the function's lock, inside {@link #locked},
     * which runs the change again on a fresh copy when another node changed the function meanwhile.
     */
    Entry saveAttachments(Entry entry, FunctionAttachments attachments) {
        if (!store.saveAttachments(entry.key(), entry.attachments(), attachments)) {
            throw StaleEntry.refused();
        }
        Entry saved = entry.withAttachments(attachments);
        registry.put(saved);
        return saved;
    }

    Concurrency concurrencyControl() {
        return concurrency;
    }

    /** Operations on a function as a whole refuse a name that carries a qualifier. */
    static void requireUnqualified(FunctionRef ref) {
        ref.qualifier().ifPresent(q -> {
            throw LambdaException.invalid("Qualifier %s is not allowed here; name the function without it.", q);
        });
    }

    /**
     * The deployment an invoke of {@code key} runs: {@code $LATEST} without a qualifier, else the
     * version, or the alias's version (picked by its routing weights). No store access, no lock.
     */
    public Deployment resolveForInvoke(FunctionKey key, Optional<String> qualifier) {
        try {
            return withCode(registry.resolveForInvoke(key, qualifier));
        } catch (LambdaException e) {
            if (e.code() != ErrorCode.RESOURCE_NOT_FOUND || !changes.refreshMiss(key, qualifier)) {
                throw e;
            }
            return withCode(registry.resolveForInvoke(key, qualifier)); // created or published elsewhere just now
        }
    }

    /**
     * Reads a function again from the store and makes this node's registry and pools agree with it: what
     * following the change feed calls for every change another node (or this one) committed. Waits for
     * the function's lock, so it never undoes a change this node is making.
     */
    public void changed(FunctionKey key) {
        ReentrantLock lock = lockFor(key);
        lock.lock();
        try {
            changes.refresh(key);
        } finally {
            lock.unlock();
        }
    }

    /** Reads every function again (the change feed lost track); as {@link #changed} for each. */
    public void reloadAll() {
        Set<FunctionKey> keys = new HashSet<>();
        registry.all().forEach(e -> keys.add(e.key()));
        store.allFunctions().forEach(f -> keys.add(f.latest().key()));
        keys.forEach(this::changed);
    }

    /**
     * The deployment, its code present on this node: a shared code store fetches and unpacks it on first
     * use (500 if it cannot); the local one only computes the path.
     */
    Deployment withCode(Deployment deployment) {
        code.local(deployment.config().code().sha256Hex());
        if (!deployment.config().layers().isEmpty()) {
            code.localLayers(layerHashes(deployment.config()));
        }
        return deployment;
    }

    /** The asynchronous-invocation settings of a function's qualifier, or empty if the function is gone. */
    public Optional<EventInvokeConfig> eventInvokeConfig(FunctionKey key, String qualifier) {
        return registry.find(key).map(e -> e.attachments().eventInvokeConfig(qualifier));
    }

    /** Checks the targets of triggers and routes against this control plane's functions. */
    public FunctionTargets targets() {
        return (caller, function, qualifier) -> {
            FunctionRef ref = Arns.parseFunctionRef(function, caller.account(), caller.region());
            visible(caller, ref.key());
            LambdaException.requireValid(
                    ref.key().region().equals(caller.region()),
                    "A schedule invokes functions " + "of its own region; %s is in %s.",
                    function,
                    ref.key().region());
            String q = ref.qualifier().orElse(qualifier);
            Entry entry = current(ref.key());
            if (!q.isEmpty()) {
                entry.resolveStatic(q);
            }
            return new FunctionTargets.Target(ref.key().name(), q);
        };
    }

    /** The URL a function URL id points at, for the edge's URL routes. */
    public Optional<UrlTarget> functionUrl(String urlId) {
        return registry.url(urlId);
    }

    public ControlResult handle(FunctionCommand command) {
        return switch (command) {
            case CreateFunction c -> new ControlResult.Configuration(create(c));
            case GetFunction c -> getWithCode(c);
            case GetFunctionConfiguration c ->
                new ControlResult.Configuration(get(c.caller(), c.functionName(), c.qualifier()));
            case ListFunctions c -> list(c);
            case UpdateFunctionCode c -> new ControlResult.Configuration(updateCode(c));
            case UpdateFunctionConfiguration c -> new ControlResult.Configuration(updateConfiguration(c));
            case DeleteFunction c -> delete(c);
            case FunctionCommand.PublishVersion c -> publishing.publish(c);
            case FunctionCommand.ListVersions c -> publishing.listVersions(c);
            case FunctionCommand.CreateAlias c -> publishing.createAlias(c);
            case FunctionCommand.GetAlias c -> publishing.getAlias(c);
            case FunctionCommand.UpdateAlias c -> publishing.updateAlias(c);
            case FunctionCommand.DeleteAlias c -> publishing.deleteAlias(c);
            case FunctionCommand.ListAliases c -> publishing.listAliases(c);
            case FunctionCommand.PutFunctionConcurrency c -> concurrency.put(c);
            case FunctionCommand.GetFunctionConcurrency c -> concurrency.get(c);
            case FunctionCommand.DeleteFunctionConcurrency c -> concurrency.delete(c);
            case FunctionCommand.GetAccountSettings c -> concurrency.accountSettings(c);
            case FunctionCommand.PutProvisionedConcurrency c -> concurrency.putProvisioned(c);
            case FunctionCommand.GetProvisionedConcurrency c -> concurrency.getProvisioned(c);
            case FunctionCommand.DeleteProvisionedConcurrency c -> concurrency.deleteProvisioned(c);
            case FunctionCommand.ListProvisionedConcurrency c -> concurrency.listProvisioned(c);
            case FunctionCommand.PutFunctionUrl c -> resources.putUrl(c);
            case FunctionCommand.GetFunctionUrl c -> resources.getUrl(c);
            case FunctionCommand.DeleteFunctionUrl c -> resources.deleteUrl(c);
            case FunctionCommand.ListFunctionUrls c -> resources.listUrls(c);
            case FunctionCommand.PutEventInvokeConfig c -> asyncSettings.put(c);
            case FunctionCommand.GetEventInvokeConfig c -> asyncSettings.get(c);
            case FunctionCommand.DeleteEventInvokeConfig c -> asyncSettings.delete(c);
            case FunctionCommand.ListEventInvokeConfigs c -> asyncSettings.list(c);
            case FunctionCommand.AddPermission c -> permissions.add(c);
            case FunctionCommand.RemovePermission c -> permissions.remove(c);
            case FunctionCommand.GetPolicy c -> permissions.get(c);
            case FunctionCommand.GetCodeSigningConfig c -> permissions.codeSigning(c);
            case FunctionCommand.RecursionConfig c -> permissions.recursion(c);
            case FunctionCommand.RuntimeManagementConfig c -> permissions.runtimeManagement(c);
            case FunctionCommand.TagResource c -> resources.tag(c);
            case FunctionCommand.UntagResource c -> resources.untag(c);
            case FunctionCommand.ListTags c -> resources.listTags(c);
        };
    }

    private FunctionConfig create(CreateFunction c) {
        Validation.supported(c.unsupported());
        LambdaException.requireValid(
                Arns.isValidName(c.functionName()),
                "1 validation error detected: Value '%s' at "
                        + "'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                        + "[a-zA-Z0-9-_]+ and have length between 1 and 64",
                c.functionName());
        String runtime = c.runtime()
                .orElseThrow(() -> LambdaException.invalid("Runtime is required for .zip file archive functions."));
        Validation.runtime(runtime, runtimes);
        String handler = c.handler().orElse("");
        if (!handler.isEmpty()) {
            Validation.handler(handler);
        }
        Validation.handlerRequired(runtime, handler);
        String role = c.role()
                .orElseThrow(
                        () -> LambdaException.invalid(
                                "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null"));
        Validation.role(role);
        c.description().ifPresent(Validation::description);
        int memory = c.memorySize().orElse(FunctionConfig.DEFAULT_MEMORY_MB);
        Validation.memorySize(memory);
        int timeout = c.timeout().orElse(FunctionConfig.DEFAULT_TIMEOUT_SECONDS);
        Validation.timeout(timeout);
        Map<String, String> environment = c.environment().orElse(Map.of());
        Validation.environment(environment);
        List<String> architectures = c.architectures().orElse(List.of("x86_64"));
        Validation.architectures(architectures);
        int ephemeral = c.ephemeralStorage().orElse(FunctionConfig.DEFAULT_EPHEMERAL_STORAGE_MB);
        LoggingConfig logging = Validation.logging(LoggingConfig.DEFAULT, c.logging());
        FunctionOptions options = Validation.options(FunctionOptions.DEFAULT, c.options());
        Validation.ephemeralStorage(ephemeral);
        byte[] zip = c.zipFile()
                .orElseThrow(() -> LambdaException.invalid(
                        "Code.ZipFile is required: this Spur server takes code packages uploaded directly."));
        Resources.validateTags(c.tags());
        List<FunctionConfig.Layer> resolvedLayers =
                c.layers().map(l -> layers.resolve(c.caller(), l)).orElse(List.of());

        FunctionKey key = new FunctionKey(c.caller().account(), c.caller().region(), c.functionName());
        ReentrantLock lock = lockFor(key);
        lock.lock();
        try {
            if (registry.find(key).isPresent() && changes.refresh(key).isPresent()) {
                throw LambdaException.conflict("Function already exist: %s", c.functionName());
            }
            CodeStore.StoredCode stored = code.store(zip);
            layers.checkTotalSize(stored.code(), resolvedLayers);
            FunctionConfig config = new FunctionConfig(
                    key,
                    Arns.LATEST,
                    runtime,
                    handler,
                    role,
                    c.description().orElse(""),
                    memory,
                    timeout,
                    environment,
                    stored.code(),
                    ephemeral,
                    architectures,
                    clock.instant(),
                    newRevision(),
                    State.Active,
                    LastUpdateStatus.Successful,
                    c.network().orElse(FunctionConfig.Network.DEFAULT),
                    logging,
                    resolvedLayers,
                    options);
            FunctionAttachments attachments = FunctionAttachments.NONE.withTags(c.tags());
            Optional<FunctionConfig> published = Optional.empty();
            if (c.publish()) {
                published = Optional.of(
                        Publishing.versionOf(config, "1", config.description(), newRevision(), clock.instant()));
                attachments = attachments.withNextVersion(2);
            }
            try {
                store.createFunction(config, attachments, published);
            } catch (LambdaException e) {
                if (e.code() == ErrorCode.RESOURCE_CONFLICT) {
                    changes.refresh(key); // created on another node: learn it now rather than from the feed
                }
                throw e;
            }
            Entry entry = new Entry(registry.deployment(config), Collections.emptySortedMap(), attachments);
            if (published.isPresent()) {
                entry = entry.withVersion(registry.deployment(published.get()), attachments);
            }
            registry.put(entry);
            return published.orElse(config);
        } finally {
            lock.unlock();
        }
    }

    private ControlResult getWithCode(GetFunction c) {
        FunctionRef ref = Arns.parseFunctionRef(
                c.functionName(), c.caller().account(), c.caller().region());
        Entry entry = current(visible(c.caller(), ref.key()));
        FunctionConfig config = qualifier(ref, c.qualifier())
                .map(entry::resolveStatic)
                .orElse(entry.latest())
                .config();
        return new ControlResult.FunctionWithCode(
                config, entry.attachments().tags(), entry.attachments().reservation());
    }

    private FunctionConfig get(Caller caller, String name, Optional<String> qualifier) {
        FunctionRef ref = Arns.parseFunctionRef(name, caller.account(), caller.region());
        Entry entry = current(visible(caller, ref.key()));
        return qualifier(ref, qualifier)
                .map(entry::resolveStatic)
                .orElse(entry.latest())
                .config();
    }

    private ControlResult list(ListFunctions c) {
        int maxItems = c.maxItems().orElse(50);
        LambdaException.requireValid(
                maxItems >= 1 && maxItems <= 10_000,
                "1 validation error detected: Value '%d' at "
                        + "'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000",
                maxItems);
        c.functionVersion()
                .ifPresent(v -> LambdaException.requireValid(
                        v.equals("ALL"),
                        "1 validation error "
                                + "detected: Value '%s' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum "
                                + "value set: [ALL]",
                        v));
        MetadataStore.Page page = store.listFunctions(
                c.caller().account(),
                c.caller().region(),
                c.marker(),
                maxItems,
                c.functionVersion().isPresent());
        return new ControlResult.FunctionList(page.functions(), page.nextMarker());
    }

    private FunctionConfig updateCode(UpdateFunctionCode c) {
        Validation.supported(c.unsupported());
        byte[] zip = c.zipFile()
                .orElseThrow(() -> LambdaException.invalid(
                        "Code.ZipFile is required: this Spur server takes code packages uploaded directly."));
        c.architectures().ifPresent(Validation::architectures);
        FunctionConfig updated = update(c.caller(), c.functionName(), c.revisionId(), c.dryRun(), current -> {
            CodeStore.StoredCode stored = code.store(zip);
            layers.checkTotalSize(stored.code(), current.layers());
            return new FunctionConfig(
                    current.key(),
                    current.version(),
                    current.runtime(),
                    current.handler(),
                    current.role(),
                    current.description(),
                    current.memorySize(),
                    current.timeout(),
                    current.environment(),
                    stored.code(),
                    current.ephemeralStorage(),
                    current.architectures(),
                    current.lastModified(),
                    current.revisionId(),
                    current.state(),
                    current.lastUpdateStatus(),
                    current.network(),
                    current.logging(),
                    current.layers(),
                    current.options());
        });
        if (c.publish() && !c.dryRun()) {
            return publishing.publishLatest(
                    c.caller(), updated.key(), Optional.empty(), Optional.empty(), Optional.empty());
        }
        return updated;
    }

    private FunctionConfig updateConfiguration(UpdateFunctionConfiguration c) {
        Validation.supported(c.unsupported());
        c.runtime().ifPresent(r -> Validation.runtime(r, runtimes));
        c.handler().ifPresent(Validation::handler);
        c.role().ifPresent(Validation::role);
        c.description().ifPresent(Validation::description);
        c.memorySize().ifPresent(Validation::memorySize);
        c.timeout().ifPresent(Validation::timeout);
        c.environment().ifPresent(Validation::environment);
        c.ephemeralStorage().ifPresent(Validation::ephemeralStorage);
        Optional<List<FunctionConfig.Layer>> newLayers = c.layers().map(l -> layers.resolve(c.caller(), l));
        Validation.options(FunctionOptions.DEFAULT, c.options()); // refuse bad values before taking the lock
        return update(c.caller(), c.functionName(), c.revisionId(), false, current -> {
            String runtime = c.runtime().orElse(current.runtime());
            String handler = c.handler().orElse(current.handler());
            Validation.handlerRequired(runtime, handler);
            newLayers.ifPresent(l -> layers.checkTotalSize(current.code(), l));
            return new FunctionConfig(
                    current.key(),
                    current.version(),
                    runtime,
                    handler,
                    c.role().orElse(current.role()),
                    c.description().orElse(current.description()),
                    c.memorySize().orElse(current.memorySize()),
                    c.timeout().orElse(current.timeout()),
                    c.environment().orElse(current.environment()),
                    current.code(),
                    c.ephemeralStorage().orElse(current.ephemeralStorage()),
                    current.architectures(),
                    current.lastModified(),
                    current.revisionId(),
                    current.state(),
                    current.lastUpdateStatus(),
                    c.network().orElse(current.network()),
                    Validation.logging(current.logging(), c.logging()),
                    newLayers.orElse(current.layers()),
                    Validation.options(current.options(), c.options()));
        });
    }

    /** Read-modify-write of {@code $LATEST} under the function's lock, honouring a supplied RevisionId. */
    private FunctionConfig update(
            Caller caller,
            String name,
            Optional<String> revisionId,
            boolean dryRun,
            UnaryOperator<FunctionConfig> change) {
        FunctionRef ref = Arns.parseFunctionRef(name, caller.account(), caller.region());
        LambdaException.requireValid(
                ref.qualifier().isEmpty() || ref.qualifier().get().equals(Arns.LATEST),
                "Updates apply to $LATEST; remove the qualifier from %s.",
                name);
        FunctionKey key = visible(caller, ref.key());
        return locked(key, entry -> {
            FunctionConfig current = entry.config();
            revisionId.ifPresent(r -> {
                if (!r.equals(current.revisionId())) {
                    throw StaleEntry.unlessCurrent(revisionMismatch());
                }
            });
            FunctionConfig changed = change.apply(current);
            if (dryRun) {
                return changed;
            }
            FunctionConfig updated = changed.withRevision(newRevision(), clock.instant());
            try {
                store.replaceFunction(updated, current.revisionId());
            } catch (LambdaException e) {
                if (e.code() == ErrorCode.PRECONDITION_FAILED) {
                    throw StaleEntry.refused(); // another node updated it: apply the change to theirs
                }
                throw e;
            }
            registry.put(entry.withLatest(registry.deployment(updated)));
            pools.retire(key, Arns.LATEST);
            return updated;
        });
    }

    static LambdaException revisionMismatch() {
        return LambdaException.of(
                ErrorCode.PRECONDITION_FAILED,
                "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API "
                        + "to retrieve the latest Revision Id");
    }

    private ControlResult delete(DeleteFunction c) {
        FunctionRef ref = Arns.parseFunctionRef(
                c.functionName(), c.caller().account(), c.caller().region());
        Optional<String> qualifier = qualifier(ref, c.qualifier());
        LambdaException.requireValid(
                qualifier.isEmpty() || !qualifier.get().equals(Arns.LATEST),
                "$LATEST version cannot be deleted without deleting the function.");
        FunctionKey key = visible(c.caller(), ref.key());
        if (qualifier.isPresent()) {
            return publishing.deleteVersion(key, qualifier.get());
        }
        return locked(key, entry -> {
            store.deleteFunction(key);
            registry.remove(key);
            entry.attachments().provisioned().keySet().forEach(q -> pools.unprovision(key, q));
            pools.retire(key);
            pools.reserveConcurrency(key, OptionalInt.empty());
            return new ControlResult.Deleted();
        });
    }

    /**
     * Runs {@code work} on a function's current entry under its lock: the building block of every
     * read-modify-write of a function. The function is named as the caller named it (name or ARN,
     * which may carry a qualifier the work can read from {@link FunctionRef}).
     */
    <T> T locked(Caller caller, String functionName, BiFunction<FunctionRef, Entry, T> work) {
        FunctionRef ref = Arns.parseFunctionRef(functionName, caller.account(), caller.region());
        FunctionKey key = visible(caller, ref.key());
        return locked(key, entry -> work.apply(ref, entry));
    }

    /**
     * A consistent read of a function as the caller named it, without the lock. A function this node does
     * not know yet is looked up in the store (it may have been created on another node a moment ago).
     */
    <T> T read(Caller caller, String functionName, BiFunction<FunctionRef, Entry, T> work) {
        FunctionRef ref = Arns.parseFunctionRef(functionName, caller.account(), caller.region());
        return work.apply(ref, current(visible(caller, ref.key())));
    }

    /**
     * This node's copy of a function, without the lock; one it does not know yet is looked up in the
     * store first (it may have been created on another node a moment ago). 404 if there is none.
     */
    private Entry current(FunctionKey key) {
        Optional<Entry> entry = registry.find(key);
        if (entry.isPresent()) {
            return entry.get();
        }
        changed(key);
        return registry.require(key);
    }

    /**
     * Runs {@code work} on a function's current entry under its lock, when the caller already resolved
     * its key. When the work finds its copy stale ({@link StaleEntry}: another node changed the function),
     * the function is read again from the store and the work runs again after a short random pause, up to {@value #MAX_ATTEMPTS}
     * times; so changes made on two nodes at once are both kept, one after the other.
     */
    <T> T locked(FunctionKey key, Function<Entry, T> work) {
        ReentrantLock lock = lockFor(key);
        lock.lock();
        try {
            Entry entry = registry.find(key).or(() -> changes.refresh(key)).orElseGet(() -> registry.require(key));
            for (int attempt = 1; ; attempt++) {
                try {
                    return work.apply(entry);
                } catch (StaleEntry stale) {
                    Optional<Entry> fresh = changes.refresh(key);
                    if (fresh.isPresent()
                            && fresh.get().equals(entry)
                            && stale.ifCurrent().isPresent()) {
                        throw stale.ifCurrent().get(); // the check failed on current data
                    }
                    if (attempt == MAX_ATTEMPTS) {
                        throw LambdaException.conflict(
                                "The function %s kept changing on other nodes; try again.", key.name());
                    }
                    entry = fresh.orElseGet(() -> registry.require(key)); // 404 if it was deleted elsewhere
                    // A short random pause, growing with the attempts, so two nodes that keep colliding
                    // on one function stop retrying in step (the other node's writer then gets through).
                    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(Math.min(attempt, 10) * 1_000_000L));
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** A caller sees only its own account's functions; another account's ARN answers 404 as if absent. */
    public static FunctionKey visible(Caller caller, FunctionKey key) {
        if (!key.account().equals(caller.account())) {
            throw LambdaException.notFound("Function not found: %s", key.arn());
        }
        return key;
    }

    /**
     * As {@link #visible}, for an invoke: another account may invoke a function when the function's
     * resource-based policy for exactly that qualifier allows it (AddPermission); otherwise 404 as if
     * absent. No store access, no lock: the policy is in this node's copy of the function.
     */
    public FunctionKey invokable(Caller caller, FunctionKey key, Optional<String> qualifier) {
        if (key.account().equals(caller.account())) {
            return key;
        }
        Optional<Entry> entry = registry.find(key);
        if (entry.isPresent()
                && entry.get().attachments().settings().allowsInvoke(qualifier.orElse(""), caller.account())) {
            return key;
        }
        throw LambdaException.notFound("Function not found: %s", key.arn());
    }

    /** The qualifier from the ARN or the Qualifier parameter; both given and different is an error. */
    public static Optional<String> qualifier(FunctionRef ref, Optional<String> parameter) {
        if (ref.qualifier().isPresent()
                && parameter.isPresent()
                && !ref.qualifier().equals(parameter)) {
            throw LambdaException.invalid(
                    "The derived qualifier from the function name does not match the " + "specified qualifier.");
        }
        return ref.qualifier().isPresent() ? ref.qualifier() : parameter;
    }

    private ReentrantLock lockFor(FunctionKey key) {
        return locks.computeIfAbsent(key, k -> new ReentrantLock());
    }

    /** A function's layers' packages, in merge order. */
    static List<String> layerHashes(FunctionConfig config) {
        return config.layers().stream().map(FunctionConfig.Layer::sha256Hex).toList();
    }

    static String newRevision() {
        return UUID.randomUUID().toString();
    }
}
