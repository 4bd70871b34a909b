package dev.spur.common;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Everything attached to a function besides its versions: the next version number to publish, its
 * reserved concurrency, tags, aliases, provisioned concurrency settings and function URLs. Immutable;
 * a change makes a copy (the control plane changes one function at a time under its lock). Maps are
 * sorted by key so listings come out in a stable order.
 *
 * @param nextVersion         the number the next PublishVersion takes; numbers are never reused
 * @param reservedConcurrency null when the function has no reservation
 * @param provisioned         qualifier → requested provisioned environments
 * @param urls                qualifier ("" for none) → URL
 * @param eventInvokeConfigs  qualifier ({@code $LATEST} when unqualified) → asynchronous invocation settings
 * @param settings            resource policies, recursion and runtime management settings
 */
public record FunctionAttachments(
        int nextVersion,
        Integer reservedConcurrency,
        Map<String, String> tags,
        Map<String, Alias> aliases,
        Map<String, ProvisionedConcurrency> provisioned,
        Map<String, FunctionUrlConfig> urls,
        Map<String, EventInvokeConfig> eventInvokeConfigs,
        FunctionSettings settings) {

    public static final FunctionAttachments NONE =
            new FunctionAttachments(1, null, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), FunctionSettings.NONE);

    public FunctionAttachments {
        tags = sorted(tags);
        aliases = sorted(aliases);
        provisioned = sorted(provisioned);
        urls = sorted(urls);
        eventInvokeConfigs = sorted(eventInvokeConfigs);
        settings = settings == null ? FunctionSettings.NONE : settings; // stored before the field existed
    }

    public FunctionAttachments withSettings(FunctionSettings newSettings) {
        return new FunctionAttachments(
                nextVersion, reservedConcurrency, tags, aliases, provisioned, urls, eventInvokeConfigs, newSettings);
    }

    /** The asynchronous invocation settings of a qualifier ({@code $LATEST} when unqualified). */
    public EventInvokeConfig eventInvokeConfig(String qualifier) {
        return eventInvokeConfigs.getOrDefault(qualifier, EventInvokeConfig.DEFAULTS);
    }

    public FunctionAttachments withEventInvokeConfigs(UnaryOperator<Map<String, EventInvokeConfig>> change) {
        return new FunctionAttachments(
                nextVersion,
                reservedConcurrency,
                tags,
                aliases,
                provisioned,
                urls,
                change.apply(new TreeMap<>(eventInvokeConfigs)),
                settings);
    }

    public Optional<Integer> reservation() {
        return Optional.ofNullable(reservedConcurrency);
    }

    public FunctionAttachments withNextVersion(int next) {
        return new FunctionAttachments(
                next, reservedConcurrency, tags, aliases, provisioned, urls, eventInvokeConfigs, settings);
    }

    public FunctionAttachments withReservedConcurrency(Integer reserved) {
        return new FunctionAttachments(
                nextVersion, reserved, tags, aliases, provisioned, urls, eventInvokeConfigs, settings);
    }

    public FunctionAttachments withTags(Map<String, String> newTags) {
        return new FunctionAttachments(
                nextVersion, reservedConcurrency, newTags, aliases, provisioned, urls, eventInvokeConfigs, settings);
    }

    public FunctionAttachments withAliases(UnaryOperator<Map<String, Alias>> change) {
        return new FunctionAttachments(
                nextVersion,
                reservedConcurrency,
                tags,
                change.apply(new TreeMap<>(aliases)),
                provisioned,
                urls,
                eventInvokeConfigs,
                settings);
    }

    public FunctionAttachments withProvisioned(UnaryOperator<Map<String, ProvisionedConcurrency>> change) {
        return new FunctionAttachments(
                nextVersion,
                reservedConcurrency,
                tags,
                aliases,
                change.apply(new TreeMap<>(provisioned)),
                urls,
                eventInvokeConfigs,
                settings);
    }

    public FunctionAttachments withUrls(UnaryOperator<Map<String, FunctionUrlConfig>> change) {
        return new FunctionAttachments(
                nextVersion,
                reservedConcurrency,
                tags,
                aliases,
                provisioned,
                change.apply(new TreeMap<>(urls)),
                eventInvokeConfigs,
                settings);
    }

    private static <V> Map<String, V> sorted(Map<String, V> map) {
        return map == null ? Map.of() : Collections.unmodifiableSortedMap(new TreeMap<>(map));
    }

    /** A provisioned concurrency setting on a version or alias, as requested (its progress is live state). */
    public record ProvisionedConcurrency(int requested, Instant lastModified) {
        public ProvisionedConcurrency {
            Objects.requireNonNull(lastModified, "lastModified");
        }
    }
}
