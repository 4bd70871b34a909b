package dev.spur.control;

import dev.spur.common.Alias;
import dev.spur.common.Arns;
import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionAttachments;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import dev.spur.control.FunctionRegistry.Entry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Versions and aliases: PublishVersion, ListVersionsByFunction, deleting a version, and the alias
 * operations. A published version is an immutable copy of {@code $LATEST} with its own number
 * (numbers are never reused); an alias names a version and may send a share of its invocations to
 * one other version.
 */
final class Publishing {
    private static final Pattern ALIAS_NAME = Pattern.compile("(?!^[0-9]+$)([a-zA-Z0-9-_]+)");
    private static final Pattern VERSION = Pattern.compile("[0-9]+|\\$LATEST");

    private final ControlPlane control;

    Publishing(ControlPlane control) {
        this.control = control;
    }

    ControlResult publish(FunctionCommand.PublishVersion c) {
        c.description().ifPresent(Validation::description);
        FunctionKey key = key(c.caller(), c.functionName());
        return new ControlResult.Configuration(
                publishLatest(c.caller(), key, c.codeSha256(), c.description(), c.revisionId()));
    }

    /**
     * Publishes {@code $LATEST} as a new version, or returns the newest version if {@code $LATEST} has
     * not changed since it was published (as Lambda does).
     */
    FunctionConfig publishLatest(
            Caller caller,
            FunctionKey key,
            Optional<String> codeSha256,
            Optional<String> description,
            Optional<String> revisionId) {
        return control.locked(key, entry -> {
            FunctionConfig latest = entry.config();
            codeSha256.ifPresent(sha -> {
                if (!sha.equals(latest.code().sha256Base64())) {
                    throw StaleEntry.unlessCurrent(LambdaException.of(
                            ErrorCode.PRECONDITION_FAILED,
                            "CodeSHA256 (%s) is different from "
                                    + "current CodeSHA256 in $LATEST (%s). Please try again with the current CodeSHA256.",
                            sha,
                            latest.code().sha256Base64()));
                }
            });
            revisionId.ifPresent(r -> {
                if (!r.equals(latest.revisionId())) {
                    throw StaleEntry.unlessCurrent(ControlPlane.revisionMismatch());
                }
            });
            Optional<FunctionConfig> last = entry.lastPublished();
            if (last.isPresent() && sameDeployable(last.get(), latest)) {
                return last.get();
            }
            FunctionAttachments attachments = entry.attachments();
            String number = Integer.toString(attachments.nextVersion());
            FunctionConfig version = versionOf(
                    latest,
                    number,
                    description.orElse(latest.description()),
                    ControlPlane.newRevision(),
                    control.clock().instant());
            FunctionAttachments advanced = attachments.withNextVersion(attachments.nextVersion() + 1);
            if (!control.store().publishVersion(version, attachments, advanced)) {
                throw StaleEntry.refused();
            }
            control.registry().put(entry.withVersion(control.registry().deployment(version), advanced));
            return version;
        });
    }

    ControlResult listVersions(FunctionCommand.ListVersions c) {
        Entry entry = control.read(c.caller(), c.functionName(), (ref, e) -> e);
        List<FunctionConfig> all = new ArrayList<>();
        all.add(entry.config());
        entry.versions().values().forEach(d -> all.add(d.config()));
        Paging.Page<FunctionConfig> page = Paging.page(all, FunctionConfig::version, c.marker(), c.maxItems());
        return new ControlResult.VersionList(page.items(), page.nextMarker());
    }

    /** DeleteFunction with a version qualifier: only that version goes, unless an alias still uses it. */
    ControlResult deleteVersion(FunctionKey key, String version) {
        LambdaException.requireValid(
                !version.equals(Arns.LATEST), "$LATEST version cannot be deleted without deleting the function.");
        return control.locked(key, entry -> {
            if (!entry.versions().containsKey(version)) {
                if (entry.attachments().aliases().containsKey(version)) {
                    throw LambdaException.invalid(
                            "Deletion of aliases is not supported by DeleteFunction; use " + "DeleteAlias.");
                }
                throw FunctionRegistry.notFound(key, version);
            }
            List<String> users = entry.attachments().aliases().values().stream()
                    .filter(a -> a.references(version))
                    .map(Alias::name)
                    .toList();
            if (!users.isEmpty()) {
                throw LambdaException.conflict(
                        "Unable to delete version because the following aliases reference " + "it: %s", users);
            }
            FunctionAttachments attachments = entry.attachments()
                    .withProvisioned(p -> {
                        p.remove(version);
                        return p;
                    })
                    .withEventInvokeConfigs(m -> {
                        m.remove(version);
                        return m;
                    });
            // Attachments first, by compare-and-set: a change made meanwhile on another node (an alias to this
            // version, say) makes this run again on it instead of being overwritten.
            if (!attachments.equals(entry.attachments())
                    && !control.store().saveAttachments(key, entry.attachments(), attachments)) {
                throw StaleEntry.refused();
            }
            control.store().deleteVersion(key, version);
            control.registry().put(entry.withoutVersion(version, attachments));
            control.pools().unprovision(key, version);
            control.pools().retire(key, version);
            return new ControlResult.Deleted();
        });
    }

    ControlResult createAlias(FunctionCommand.CreateAlias c) {
        validateName(c.name());
        c.description().ifPresent(Validation::description);
        String functionVersion = c.functionVersion()
                .orElseThrow(() -> LambdaException.invalid(
                        "1 validation error detected: Value null at 'functionVersion' failed to satisfy constraint: Member "
                                + "must not be null"));
        return control.locked(c.caller(), c.functionName(), (ref, entry) -> {
            ControlPlane.requireUnqualified(ref);
            if (entry.attachments().aliases().containsKey(c.name())) {
                throw StaleEntry.unlessCurrent(LambdaException.conflict(
                        "Alias already exists: %s", entry.key().qualifiedArn(c.name())));
            }
            Map<String, Double> weights = c.routing().orElse(Map.of());
            validateTarget(entry, functionVersion, weights);
            Alias alias = new Alias(
                    c.name(), functionVersion, c.description().orElse(""), weights, ControlPlane.newRevision());
            save(entry, alias);
            return new ControlResult.AliasResult(entry.key(), alias);
        });
    }

    ControlResult getAlias(FunctionCommand.GetAlias c) {
        return control.read(
                c.caller(),
                c.functionName(),
                (ref, entry) -> new ControlResult.AliasResult(entry.key(), requireAlias(entry, c.name())));
    }

    ControlResult updateAlias(FunctionCommand.UpdateAlias c) {
        c.description().ifPresent(Validation::description);
        return control.locked(c.caller(), c.functionName(), (ref, entry) -> {
            ControlPlane.requireUnqualified(ref);
            Alias current = requireAlias(entry, c.name());
            c.revisionId().ifPresent(r -> {
                if (!r.equals(current.revisionId())) {
                    throw StaleEntry.unlessCurrent(ControlPlane.revisionMismatch());
                }
            });
            String functionVersion = c.functionVersion().orElse(current.functionVersion());
            Map<String, Double> weights = c.routing().orElse(current.additionalVersionWeights());
            validateTarget(entry, functionVersion, weights);
            Alias alias = new Alias(
                    current.name(),
                    functionVersion,
                    c.description().orElse(current.description()),
                    weights,
                    ControlPlane.newRevision());
            Entry saved = save(entry, alias);
            if (saved.attachments().provisioned().containsKey(alias.name())) {
                control.concurrencyControl().reprovision(saved, alias.name());
            }
            return new ControlResult.AliasResult(entry.key(), alias);
        });
    }

    ControlResult deleteAlias(FunctionCommand.DeleteAlias c) {
        return control.locked(c.caller(), c.functionName(), (ref, entry) -> {
            ControlPlane.requireUnqualified(ref);
            if (!entry.attachments().aliases().containsKey(c.name())) {
                return new ControlResult.Deleted(); // Lambda answers 204 for an alias that is not there
            }
            FunctionAttachments attachments = entry.attachments()
                    .withAliases(a -> {
                        a.remove(c.name());
                        return a;
                    })
                    .withProvisioned(p -> {
                        p.remove(c.name());
                        return p;
                    })
                    .withUrls(u -> {
                        u.remove(c.name());
                        return u;
                    })
                    .withEventInvokeConfigs(m -> {
                        m.remove(c.name());
                        return m;
                    });
            control.saveAttachments(entry, attachments);
            control.pools().unprovision(entry.key(), c.name());
            return new ControlResult.Deleted();
        });
    }

    ControlResult listAliases(FunctionCommand.ListAliases c) {
        return control.read(c.caller(), c.functionName(), (ref, entry) -> {
            List<Alias> aliases = entry.attachments().aliases().values().stream()
                    .filter(a -> c.functionVersion().isEmpty()
                            || a.references(c.functionVersion().get()))
                    .toList();
            Paging.Page<Alias> page = Paging.page(aliases, Alias::name, c.marker(), c.maxItems());
            return new ControlResult.AliasList(entry.key(), page.items(), page.nextMarker());
        });
    }

    private Entry save(Entry entry, Alias alias) {
        return control.saveAttachments(entry, entry.attachments().withAliases(a -> {
            a.put(alias.name(), alias);
            return a;
        }));
    }

    static Alias requireAlias(Entry entry, String name) {
        Alias alias = entry.attachments().aliases().get(name);
        if (alias == null) {
            throw LambdaException.notFound("Alias not found: %s", entry.key().qualifiedArn(name));
        }
        return alias;
    }

    private static void validateName(String name) {
        LambdaException.requireValid(
                name != null && name.length() <= 128 && ALIAS_NAME.matcher(name).matches(),
                "1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy "
                        + "regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
                name);
    }

    private static void validateTarget(Entry entry, String functionVersion, Map<String, Double> weights) {
        LambdaException.requireValid(
                VERSION.matcher(functionVersion).matches(),
                "1 validation error detected: Value "
                        + "'%s' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression "
                        + "pattern: (\\$LATEST|[0-9]+)",
                functionVersion);
        if (entry.version(functionVersion).isEmpty()) {
            throw FunctionRegistry.notFound(entry.key(), functionVersion);
        }
        if (weights.isEmpty()) {
            return;
        }
        LambdaException.requireValid(
                weights.size() == 1, "Number of items in AdditionalVersionWeights cannot be " + "greater than 1");
        var extra = weights.entrySet().iterator().next();
        double weight = extra.getValue() == null ? -1 : extra.getValue();
        LambdaException.requireValid(
                weight >= 0.0 && weight <= 1.0,
                "1 validation error detected: Value '%s' at "
                        + "'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy "
                        + "constraint: [Member must have value less than or equal to 1.0, Member must have value greater "
                        + "than or equal to 0.0]",
                extra.getValue());
        LambdaException.requireValid(
                !functionVersion.equals(Arns.LATEST) && !extra.getKey().equals(Arns.LATEST),
                "$LATEST is not supported for an alias pointing to more than 1 version");
        LambdaException.requireValid(
                !extra.getKey().equals(functionVersion),
                "Invalid function version %s. " + "Function version %s is already included in routing configuration.",
                extra.getKey(),
                extra.getKey());
        if (entry.version(extra.getKey()).isEmpty()) {
            throw FunctionRegistry.notFound(entry.key(), extra.getKey());
        }
    }

    private static FunctionKey key(Caller caller, String functionName) {
        Arns.FunctionRef ref = Arns.parseFunctionRef(functionName, caller.account(), caller.region());
        ControlPlane.requireUnqualified(ref);
        return ControlPlane.visible(caller, ref.key());
    }

    /** An immutable published copy of {@code $LATEST}. */
    static FunctionConfig versionOf(
            FunctionConfig latest, String number, String description, String revisionId, Instant now) {
        return new FunctionConfig(
                latest.key(),
                number,
                latest.runtime(),
                latest.handler(),
                latest.role(),
                description,
                latest.memorySize(),
                latest.timeout(),
                latest.environment(),
                latest.code(),
                latest.ephemeralStorage(),
                latest.architectures(),
                now,
                revisionId,
                latest.state(),
                latest.lastUpdateStatus(),
                latest.network(),
                latest.logging(),
                latest.layers(),
                latest.options());
    }

    /** Whether publishing {@code latest} would add nothing over {@code version} (code and settings equal). */
    private static boolean sameDeployable(FunctionConfig version, FunctionConfig latest) {
        return version.code().equals(latest.code())
                && version.runtime().equals(latest.runtime())
                && version.handler().equals(latest.handler())
                && version.role().equals(latest.role())
                && version.memorySize() == latest.memorySize()
                && version.timeout() == latest.timeout()
                && version.environment().equals(latest.environment())
                && version.ephemeralStorage() == latest.ephemeralStorage()
                && version.architectures().equals(latest.architectures())
                && version.network() == latest.network()
                && version.logging().equals(latest.logging());
    }
}
