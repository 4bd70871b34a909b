package dev.spur.common;

import java.util.Map;
import java.util.Objects;

/**
 * A named pointer to a function version, optionally splitting traffic with one more version.
 *
 * @param functionVersion         the primary version: a published number or {@code $LATEST}
 * @param additionalVersionWeights at most one entry: version number → share of invocations (0.0–1.0)
 *                                 routed to it instead of the primary
 */
public record Alias(
        String name,
        String functionVersion,
        String description,
        Map<String, Double> additionalVersionWeights,
        String revisionId) {

    public Alias {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(functionVersion, "functionVersion");
        description = description == null ? "" : description;
        additionalVersionWeights = additionalVersionWeights == null ? Map.of() : Map.copyOf(additionalVersionWeights);
        Objects.requireNonNull(revisionId, "revisionId");
    }

    public String arn(FunctionKey function) {
        return function.qualifiedArn(name);
    }

    /** Whether this alias routes any traffic to {@code version}. */
    public boolean references(String version) {
        return functionVersion.equals(version) || additionalVersionWeights.containsKey(version);
    }
}
