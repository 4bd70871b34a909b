package dev.spur.common;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One published version of a layer, as stored and as served. Immutable except for its permissions
 * policy ({@link #statements()}, {@link #policyRevisionId()}), which a change replaces whole.
 *
 * @param version         1, 2, … per layer name; a number is never given twice, not even after a delete
 * @param code            the zip, by content, in the same store as function code
 * @param unpackedSize    the bytes its files take unpacked, counted against a function's 250 MB
 * @param statements      who else may use it ({@code AddLayerVersionPermission}), in the order added
 * @param policyRevisionId changes with every change to {@code statements}; empty while there are none
 */
public record LayerVersion(
        String account,
        String region,
        String name,
        long version,
        String description,
        String licenseInfo,
        List<String> compatibleRuntimes,
        List<String> compatibleArchitectures,
        FunctionConfig.Code code,
        long unpackedSize,
        Instant createdDate,
        List<Statement> statements,
        String policyRevisionId) {

    private static final Pattern VERSION_ARN = Pattern.compile(
            "^arn:aws[a-zA-Z-]*:lambda:(?<region>[a-z]{2}(?:-gov)?-[a-z]+-\\d):(?<account>\\d{12}):layer:"
                    + "(?<name>[a-zA-Z0-9-_]{1,140}):(?<version>[0-9]{1,18})$");
    private static final Pattern LAYER_ARN = Pattern.compile(
            "^arn:aws[a-zA-Z-]*:lambda:(?<region>[a-z]{2}(?:-gov)?-[a-z]+-\\d):(?<account>\\d{12}):layer:"
                    + "(?<name>[a-zA-Z0-9-_]{1,140})$");

    public LayerVersion {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
        licenseInfo = licenseInfo == null ? "" : licenseInfo;
        compatibleRuntimes = compatibleRuntimes == null ? List.of() : List.copyOf(compatibleRuntimes);
        compatibleArchitectures = compatibleArchitectures == null ? List.of() : List.copyOf(compatibleArchitectures);
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(createdDate, "createdDate");
        statements = statements == null ? List.of() : List.copyOf(statements);
        policyRevisionId = policyRevisionId == null ? "" : policyRevisionId;
    }

    /** {@code arn:aws:lambda:<region>:<account>:layer:<name>}. */
    public String layerArn() {
        return layerArn(account, region, name);
    }

    /** {@code arn:aws:lambda:<region>:<account>:layer:<name>:<version>}. */
    public String versionArn() {
        return layerArn() + ":" + version;
    }

    public static String layerArn(String account, String region, String name) {
        return "arn:aws:lambda:" + region + ":" + account + ":layer:" + name;
    }

    /** This version numbered {@code number} (the store numbers a new version). */
    public LayerVersion numbered(long number) {
        return new LayerVersion(
                account,
                region,
                name,
                number,
                description,
                licenseInfo,
                compatibleRuntimes,
                compatibleArchitectures,
                code,
                unpackedSize,
                createdDate,
                statements,
                policyRevisionId);
    }

    /** A copy with another permissions policy. */
    public LayerVersion withPolicy(List<Statement> newStatements, String newRevisionId) {
        return new LayerVersion(
                account,
                region,
                name,
                version,
                description,
                licenseInfo,
                compatibleRuntimes,
                compatibleArchitectures,
                code,
                unpackedSize,
                createdDate,
                newStatements,
                newRevisionId);
    }

    /** Whether {@code callerAccount} may use this version: its owner, or an account a statement names or {@code *}. */
    public boolean usableBy(String callerAccount) {
        return account.equals(callerAccount)
                || statements.stream()
                        .anyMatch(
                                s -> s.principal().equals("*") || s.principal().equals(callerAccount));
    }

    /** A version ARN's parts; empty if {@code text} is not one. */
    public static Optional<Ref> parseVersionArn(String text) {
        Matcher m = VERSION_ARN.matcher(text == null ? "" : text);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(
                new Ref(m.group("account"), m.group("region"), m.group("name"), Long.parseLong(m.group("version"))));
    }

    /** A layer ARN's parts (version 0); empty if {@code text} is not one. */
    public static Optional<Ref> parseLayerArn(String text) {
        Matcher m = LAYER_ARN.matcher(text == null ? "" : text);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new Ref(m.group("account"), m.group("region"), m.group("name"), 0));
    }

    /** Which layer version: its owner's account, region, name and number. */
    public record Ref(String account, String region, String name, long version) {
        public String versionArn() {
            return layerArn(account, region, name) + ":" + version;
        }
    }

    /**
     * One statement of a layer version's policy: {@code principal} is an account id or {@code *}
     * ({@code arn:aws:iam::<account>:root} is read as the account); {@code organizationId} is empty
     * or the organisation the principal must belong to (stored and shown; Spur has no organisations).
     */
    public record Statement(String sid, String principal, String action, String organizationId) {
        public Statement {
            Objects.requireNonNull(sid, "sid");
            Objects.requireNonNull(principal, "principal");
            Objects.requireNonNull(action, "action");
            organizationId = organizationId == null ? "" : organizationId;
        }
    }
}
