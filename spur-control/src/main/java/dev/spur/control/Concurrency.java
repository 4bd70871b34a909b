package dev.spur.control;

import dev.spur.common.Alias;
import dev.spur.common.Arns;
import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionAttachments;
import dev.spur.common.FunctionAttachments.ProvisionedConcurrency;
import dev.spur.common.LambdaException;
import dev.spur.control.FunctionRegistry.Entry;
import dev.spur.pools.AccountConcurrency;
import dev.spur.pools.Allocation;
import dev.spur.pools.Deployment;
import dev.spur.pools.Pools;
import dev.spur.pools.ProvisionedStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reserved concurrency, provisioned concurrency and the account's settings. The settings are
 * stored with the function; the pools enforce them ({@link Pools#reserveConcurrency},
 * {@link Pools#provision}) and reports live progress. At start every stored setting is handed to
 * the pools again, so provisioned environments come back after a restart.
 */
final class Concurrency {
    /** Lambda keeps at least this much of the account limit unreserved (scaled down for small limits). */
    static final int MIN_UNRESERVED = 100;
    /** Lambda's quotas reported by GetAccountSettings. */
    static final long TOTAL_CODE_SIZE = 80L * 1024 * 1024 * 1024;

    static final long CODE_SIZE_UNZIPPED = 262_144_000L;
    static final long CODE_SIZE_ZIPPED = 52_428_800L;

    private final ControlPlane control;

    Concurrency(ControlPlane control) {
        this.control = control;
    }

    /** Hands every stored reservation and provisioned configuration to the pools. */
    void restore() {
        for (Entry entry : control.registry().all()) {
            entry.attachments()
                    .reservation()
                    .ifPresent(r -> control.pools().reserveConcurrency(entry.key(), OptionalInt.of(r)));
            for (String qualifier : entry.attachments().provisioned().keySet()) {
                reprovision(entry, qualifier);
            }
        }
    }

    ControlResult put(FunctionCommand.PutFunctionConcurrency c) {
        int reserved = c.reserved()
                .orElseThrow(
                        () -> LambdaException.invalid(
                                "1 validation error detected: Value "
                                        + "null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null"));
        LambdaException.requireValid(
                reserved >= 0,
                "1 validation error detected: Value '%d' at "
                        + "'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than "
                        + "or equal to 0",
                reserved);
        return control.locked(c.caller(), c.functionName(), (ref, entry) -> {
            ControlPlane.requireUnqualified(ref);
            AccountConcurrency account =
                    control.pools().accountConcurrency(entry.key().account());
            int current = entry.attachments().reservation().orElse(0);
            int unreservedAfter = account.limit() - (account.reservedTotal() - current + reserved);
            int minimum = minimumUnreserved(account.limit());
            if (unreservedAfter < minimum) {
                throw LambdaException.invalid(
                        "Specified ReservedConcurrentExecutions for function decreases "
                                + "account's UnreservedConcurrentExecution below its minimum value of [%d].",
                        minimum);
            }
            int provisioned = provisionedTotal(entry.attachments());
            if (reserved < provisioned) {
                throw LambdaException.conflict(
                        "ReservedConcurrentExecutions %d is less than the function's "
                                + "provisioned concurrency (%d).",
                        reserved, provisioned);
            }
            control.saveAttachments(entry, entry.attachments().withReservedConcurrency(reserved));
            control.pools().reserveConcurrency(entry.key(), OptionalInt.of(reserved));
            return new ControlResult.Concurrency(Optional.of(reserved));
        });
    }

    ControlResult get(FunctionCommand.GetFunctionConcurrency c) {
        return control.read(
                c.caller(),
                c.functionName(),
                (ref, entry) ->
                        new ControlResult.Concurrency(entry.attachments().reservation()));
    }

    ControlResult delete(FunctionCommand.DeleteFunctionConcurrency c) {
        return control.locked(c.caller(), c.functionName(), (ref, entry) -> {
            ControlPlane.requireUnqualified(ref);
            control.saveAttachments(entry, entry.attachments().withReservedConcurrency(null));
            control.pools().reserveConcurrency(entry.key(), OptionalInt.empty());
            return new ControlResult.Deleted();
        });
    }

    ControlResult accountSettings(FunctionCommand.GetAccountSettings c) {
        String account = c.caller().account();
        AccountConcurrency budget = control.pools().accountConcurrency(account);
        long codeSize = 0;
        long functions = 0;
        for (Entry entry : control.registry().all()) {
            if (!entry.key().account().equals(account)) {
                continue;
            }
            if (entry.key().region().equals(c.caller().region())) {
                functions++;
            }
            codeSize += entry.config().code().size();
            for (Deployment version : entry.versions().values()) {
                codeSize += version.config().code().size();
            }
        }
        return new ControlResult.AccountSettings(
                TOTAL_CODE_SIZE,
                CODE_SIZE_UNZIPPED,
                CODE_SIZE_ZIPPED,
                budget.limit(),
                budget.unreserved(),
                codeSize,
                functions);
    }

    ControlResult putProvisioned(FunctionCommand.PutProvisionedConcurrency c) {
        int count = c.count()
                .orElseThrow(() -> LambdaException.invalid("1 validation error detected: Value null at "
                        + "'provisionedConcurrentExecutions' failed to satisfy constraint: Member must not be null"));
        LambdaException.requireValid(
                count >= 1,
                "1 validation error detected: Value '%d' at "
                        + "'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater "
                        + "than or equal to 1",
                count);
        return control.locked(c.caller(), c.functionName(), (ref, entry) -> {
            String qualifier = provisionableQualifier(entry, ControlPlane.qualifier(ref, c.qualifier()));
            for (String version : versionsOf(entry, qualifier)) {
                for (String other : entry.attachments().provisioned().keySet()) {
                    if (!other.equals(qualifier) && versionsOf(entry, other).contains(version)) {
                        throw LambdaException.conflict("Alias can't be used for Provisioned Concurrency "
                                + "configuration on an already Provisioned version");
                    }
                }
            }
            FunctionAttachments attachments = entry.attachments().withProvisioned(p -> {
                p.put(
                        qualifier,
                        new ProvisionedConcurrency(count, control.clock().instant()));
                return p;
            });
            Optional<Integer> reserved = attachments.reservation();
            if (reserved.isPresent() && provisionedTotal(attachments) > reserved.get()) {
                throw LambdaException.invalid("Requested Provisioned Concurrency should not be greater than the "
                        + "reservedConcurrentExecution for function");
            }
            Entry saved = control.saveAttachments(entry, attachments);
            reprovision(saved, qualifier);
            return new ControlResult.Provisioned(view(saved, qualifier));
        });
    }

    ControlResult getProvisioned(FunctionCommand.GetProvisionedConcurrency c) {
        return control.read(c.caller(), c.functionName(), (ref, entry) -> {
            String qualifier = requireQualifier(ControlPlane.qualifier(ref, c.qualifier()));
            if (!entry.attachments().provisioned().containsKey(qualifier)) {
                entry.resolveStatic(qualifier); // 404 for a version or alias that does not exist
                throw LambdaException.of(
                        ErrorCode.PROVISIONED_CONCURRENCY_CONFIG_NOT_FOUND,
                        "No Provisioned Concurrency Config found for this function");
            }
            return new ControlResult.Provisioned(view(entry, qualifier));
        });
    }

    ControlResult deleteProvisioned(FunctionCommand.DeleteProvisionedConcurrency c) {
        return control.locked(c.caller(), c.functionName(), (ref, entry) -> {
            String qualifier = requireQualifier(ControlPlane.qualifier(ref, c.qualifier()));
            entry.resolveStatic(qualifier);
            if (entry.attachments().provisioned().containsKey(qualifier)) {
                control.saveAttachments(entry, entry.attachments().withProvisioned(p -> {
                    p.remove(qualifier);
                    return p;
                }));
                control.pools().unprovision(entry.key(), qualifier);
            }
            return new ControlResult.Deleted();
        });
    }

    ControlResult listProvisioned(FunctionCommand.ListProvisionedConcurrency c) {
        return control.read(c.caller(), c.functionName(), (ref, entry) -> {
            List<ControlResult.ProvisionedView> views = new ArrayList<>();
            for (String qualifier : entry.attachments().provisioned().keySet()) {
                views.add(view(entry, qualifier));
            }
            Paging.Page<ControlResult.ProvisionedView> page =
                    Paging.page(views, ControlResult.ProvisionedView::functionArn, c.marker(), c.maxItems());
            return new ControlResult.ProvisionedList(page.items(), page.nextMarker());
        });
    }

    /** Tells the pools what a provisioned configuration wants now (after a put, an alias change, a start). */
    void reprovision(Entry entry, String qualifier) {
        ProvisionedConcurrency wanted = entry.attachments().provisioned().get(qualifier);
        if (wanted == null) {
            control.pools().unprovision(entry.key(), qualifier);
            return;
        }
        List<Allocation> allocations = new ArrayList<>(2);
        Alias alias = entry.attachments().aliases().get(qualifier);
        if (alias == null) {
            entry.version(qualifier).ifPresent(d -> allocations.add(new Allocation(d, wanted.requested())));
        } else {
            // An alias that splits traffic splits its provisioned environments the same way.
            int extra = 0;
            for (Map.Entry<String, Double> weight :
                    alias.additionalVersionWeights().entrySet()) {
                extra = (int) Math.round(wanted.requested() * weight.getValue());
                int n = extra;
                entry.version(weight.getKey()).filter(d -> n > 0).ifPresent(d -> allocations.add(new Allocation(d, n)));
            }
            int primary = wanted.requested() - extra;
            entry.version(alias.functionVersion())
                    .filter(d -> primary > 0)
                    .ifPresent(d -> allocations.add(new Allocation(d, primary)));
        }
        allocations.forEach(a -> control.withCode(a.deployment()));
        control.pools().provision(entry.key(), qualifier, allocations);
    }

    private ControlResult.ProvisionedView view(Entry entry, String qualifier) {
        ProvisionedConcurrency wanted = entry.attachments().provisioned().get(qualifier);
        Optional<ProvisionedStatus> live = control.pools().provisionedStatus(entry.key(), qualifier);
        int allocated = live.map(ProvisionedStatus::allocated).orElse(0);
        int available = live.map(ProvisionedStatus::available).orElse(0);
        String status = live.map(ProvisionedStatus::status).orElse("IN_PROGRESS");
        return new ControlResult.ProvisionedView(
                entry.key().qualifiedArn(qualifier),
                wanted.requested(),
                available,
                allocated,
                status,
                live.flatMap(ProvisionedStatus::reason),
                wanted.lastModified());
    }

    /** A published version or an alias of this function; never {@code $LATEST}, as on Lambda. */
    private static String provisionableQualifier(Entry entry, Optional<String> qualifier) {
        String q = requireQualifier(qualifier);
        if (q.equals(Arns.LATEST)) {
            throw LambdaException.invalid(
                    "Provisioned Concurrency Configs cannot be applied to unpublished function " + "versions.");
        }
        Alias alias = entry.attachments().aliases().get(q);
        if (alias != null && alias.functionVersion().equals(Arns.LATEST)) {
            throw LambdaException.invalid(
                    "Provisioned Concurrency Configs cannot be applied to an alias pointing to " + "$LATEST.");
        }
        entry.resolveStatic(q); // 404 if neither a version nor an alias
        return q;
    }

    private static String requireQualifier(Optional<String> qualifier) {
        return qualifier.orElseThrow(() -> LambdaException.invalid("1 validation error detected: Value null at "
                + "'qualifier' failed to satisfy constraint: Member must not be null"));
    }

    /** The versions a qualifier's provisioned environments run. */
    private static List<String> versionsOf(Entry entry, String qualifier) {
        Alias alias = entry.attachments().aliases().get(qualifier);
        if (alias == null) {
            return List.of(qualifier);
        }
        List<String> versions = new ArrayList<>(alias.additionalVersionWeights().keySet());
        versions.add(alias.functionVersion());
        return versions;
    }

    private static int provisionedTotal(FunctionAttachments attachments) {
        return attachments.provisioned().values().stream()
                .mapToInt(ProvisionedConcurrency::requested)
                .sum();
    }

    /** AWS keeps 100 unreserved; a server configured with a small limit keeps a tenth of it. */
    static int minimumUnreserved(int limit) {
        return Math.min(MIN_UNRESERVED, limit / 10);
    }
}
