package dev.spur.control;

import dev.spur.common.Arns;
import dev.spur.common.Arns.FunctionRef;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionConfig.LastUpdateStatus;
import dev.spur.common.FunctionConfig.State;
import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import dev.spur.control.FunctionCommand.CreateFunction;
import dev.spur.control.FunctionCommand.DeleteFunction;
import dev.spur.control.FunctionCommand.GetFunction;
import dev.spur.control.FunctionCommand.GetFunctionConfiguration;
import dev.spur.control.FunctionCommand.ListFunctions;
import dev.spur.control.FunctionCommand.UpdateFunctionCode;
import dev.spur.control.FunctionCommand.UpdateFunctionConfiguration;
import dev.spur.runtimes.Runtimes;
import dev.spur.scheduler.Scheduler;
import dev.spur.store.CodeStore;
import dev.spur.store.MetadataStore;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Executes {@link FunctionCommand}s: validates, stores code and metadata, and tells the scheduler
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
    private final MetadataStore store;
    private final CodeStore code;
    private final Runtimes runtimes;
    private final Scheduler scheduler;
    private final InstantSource clock;
    private final FunctionRegistry registry;
    private final ConcurrentMap<FunctionKey, ReentrantLock> locks = new ConcurrentHashMap<>();

    public ControlPlane(MetadataStore store, CodeStore code, Runtimes runtimes, Scheduler scheduler,
                        InstantSource clock) {
        this.store = store;
        this.code = code;
        this.runtimes = runtimes;
        this.scheduler = scheduler;
        this.clock = clock;
        this.registry = new FunctionRegistry(store, code, runtimes);
    }

    FunctionRegistry registry() {
        return registry;
    }

    public ControlResult handle(FunctionCommand command) {
        return switch (command) {
            case CreateFunction c -> new ControlResult.Configuration(create(c));
            case GetFunction c -> new ControlResult.FunctionWithCode(get(c.caller(), c.functionName(), c.qualifier()));
            case GetFunctionConfiguration c -> new ControlResult.Configuration(
                    get(c.caller(), c.functionName(), c.qualifier()));
            case ListFunctions c -> list(c);
            case UpdateFunctionCode c -> new ControlResult.Configuration(updateCode(c));
            case UpdateFunctionConfiguration c -> new ControlResult.Configuration(updateConfiguration(c));
            case DeleteFunction c -> delete(c);
        };
    }

    private FunctionConfig create(CreateFunction c) {
        Validation.supported(c.unsupported());
        LambdaException.requireValid(Arns.isValidName(c.functionName()), "1 validation error detected: Value '%s' at "
                + "'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                + "[a-zA-Z0-9-_]+ and have length between 1 and 64", c.functionName());
        String runtime = c.runtime().orElseThrow(() -> LambdaException.invalid(
                "Runtime is required for .zip file archive functions."));
        Validation.runtime(runtime, runtimes);
        String handler = c.handler().orElse("");
        if (!handler.isEmpty()) {
            Validation.handler(handler);
        }
        Validation.handlerRequired(runtime, handler);
        String role = c.role().orElseThrow(() -> LambdaException.invalid(
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
        Validation.ephemeralStorage(ephemeral);
        byte[] zip = c.zipFile().orElseThrow(() -> LambdaException.invalid(
                "Code.ZipFile is required: this Spur server takes code packages uploaded directly."));

        FunctionKey key = new FunctionKey(c.caller().account(), c.caller().region(), c.functionName());
        ReentrantLock lock = lockFor(key);
        lock.lock();
        try {
            if (registry.find(key).isPresent()) {
                throw LambdaException.conflict("Function already exist: %s", c.functionName());
            }
            CodeStore.StoredCode stored = code.store(zip);
            FunctionConfig config = new FunctionConfig(key, Arns.LATEST, runtime, handler, role,
                    c.description().orElse(""), memory, timeout, environment, stored.code(), ephemeral, architectures,
                    clock.instant(), newRevision(), State.Active, LastUpdateStatus.Successful);
            store.createFunction(config);
            registry.created(config);
            return config;
        } finally {
            lock.unlock();
        }
    }

    private FunctionConfig get(Caller caller, String name, Optional<String> qualifier) {
        FunctionRef ref = Arns.parseFunctionRef(name, caller.account(), caller.region());
        return registry.require(visible(caller, ref.key()), qualifier(ref, qualifier)).config();
    }

    private ControlResult list(ListFunctions c) {
        int maxItems = c.maxItems().orElse(50);
        LambdaException.requireValid(maxItems >= 1 && maxItems <= 10_000, "1 validation error detected: Value '%d' at "
                + "'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000", maxItems);
        c.functionVersion().ifPresent(v -> LambdaException.requireValid(v.equals("ALL"), "1 validation error "
                + "detected: Value '%s' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum "
                + "value set: [ALL]", v));
        MetadataStore.Page page = store.listFunctions(c.caller().account(), c.caller().region(), c.marker(), maxItems);
        return new ControlResult.FunctionList(page.functions(), page.nextMarker());
    }

    private FunctionConfig updateCode(UpdateFunctionCode c) {
        Validation.supported(c.unsupported());
        byte[] zip = c.zipFile().orElseThrow(() -> LambdaException.invalid(
                "Code.ZipFile is required: this Spur server takes code packages uploaded directly."));
        c.architectures().ifPresent(Validation::architectures);
        return update(c.caller(), c.functionName(), c.revisionId(), c.dryRun(), current -> {
            CodeStore.StoredCode stored = code.store(zip);
            return new FunctionConfig(current.key(), current.version(), current.runtime(), current.handler(),
                    current.role(), current.description(), current.memorySize(), current.timeout(),
                    current.environment(), stored.code(), current.ephemeralStorage(), current.architectures(),
                    current.lastModified(), current.revisionId(), current.state(), current.lastUpdateStatus());
        });
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
        return update(c.caller(), c.functionName(), c.revisionId(), false, current -> {
            String runtime = c.runtime().orElse(current.runtime());
            String handler = c.handler().orElse(current.handler());
            Validation.handlerRequired(runtime, handler);
            return new FunctionConfig(current.key(), current.version(), runtime, handler,
                    c.role().orElse(current.role()), c.description().orElse(current.description()),
                    c.memorySize().orElse(current.memorySize()), c.timeout().orElse(current.timeout()),
                    c.environment().orElse(current.environment()), current.code(),
                    c.ephemeralStorage().orElse(current.ephemeralStorage()), current.architectures(),
                    current.lastModified(), current.revisionId(), current.state(), current.lastUpdateStatus());
        });
    }

    /** Read-modify-write of {@code $LATEST} under the function's lock, honouring a supplied RevisionId. */
    private FunctionConfig update(Caller caller, String name, Optional<String> revisionId, boolean dryRun,
                                  java.util.function.UnaryOperator<FunctionConfig> change) {
        FunctionRef ref = Arns.parseFunctionRef(name, caller.account(), caller.region());
        LambdaException.requireValid(ref.qualifier().isEmpty() || ref.qualifier().get().equals(Arns.LATEST),
                "Updates apply to $LATEST; remove the qualifier from %s.", name);
        FunctionKey key = visible(caller, ref.key());
        ReentrantLock lock = lockFor(key);
        lock.lock();
        try {
            FunctionConfig current = registry.require(key, Optional.empty()).config();
            revisionId.ifPresent(r -> {
                if (!r.equals(current.revisionId())) {
                    throw LambdaException.of(dev.spur.common.ErrorCode.PRECONDITION_FAILED, "The Revision Id "
                            + "provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to "
                            + "retrieve the latest Revision Id");
                }
            });
            FunctionConfig changed = change.apply(current);
            if (dryRun) {
                return changed;
            }
            FunctionConfig updated = changed.withRevision(newRevision(), clock.instant());
            store.replaceFunction(updated, current.revisionId());
            registry.updated(updated);
            scheduler.retire(key);
            return updated;
        } finally {
            lock.unlock();
        }
    }

    private ControlResult delete(DeleteFunction c) {
        FunctionRef ref = Arns.parseFunctionRef(c.functionName(), c.caller().account(), c.caller().region());
        Optional<String> qualifier = qualifier(ref, c.qualifier());
        LambdaException.requireValid(qualifier.isEmpty() || !qualifier.get().equals(Arns.LATEST),
                "$LATEST version cannot be deleted without deleting the function.");
        FunctionKey key = visible(c.caller(), ref.key());
        ReentrantLock lock = lockFor(key);
        lock.lock();
        try {
            registry.require(key, qualifier);
            store.deleteFunction(key);
            registry.deleted(key);
            scheduler.retire(key);
            return new ControlResult.Deleted();
        } finally {
            lock.unlock();
        }
    }

    /** A caller sees only its own account's functions; another account's ARN answers 404 as if absent. */
    static FunctionKey visible(Caller caller, FunctionKey key) {
        if (!key.account().equals(caller.account())) {
            throw LambdaException.notFound("Function not found: %s", key.arn());
        }
        return key;
    }

    /** The qualifier from the ARN or the Qualifier parameter; both given and different is an error. */
    static Optional<String> qualifier(FunctionRef ref, Optional<String> parameter) {
        if (ref.qualifier().isPresent() && parameter.isPresent() && !ref.qualifier().equals(parameter)) {
            throw LambdaException.invalid("The derived qualifier from the function name does not match the "
                    + "specified qualifier.");
        }
        return ref.qualifier().isPresent() ? ref.qualifier() : parameter;
    }

    private ReentrantLock lockFor(FunctionKey key) {
        return locks.computeIfAbsent(key, k -> new ReentrantLock());
    }

    private static String newRevision() {
        return UUID.randomUUID().toString();
    }
}
