package dev.spur.common;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A function's settings that are not part of a version's configuration: its resource-based policies
 * (AddPermission), its recursion setting and its runtime management settings. Part of the function's
 * attachments, stored and replaced with them.
 *
 * @param policies          qualifier ({@code ""} for the unqualified function) → its policy
 * @param recursiveLoop     {@code Terminate} (the default) or {@code Allow}: stored and returned; Spur
 *                          does not detect recursive loops yet
 * @param runtimeManagement qualifier ({@code $LATEST} when unqualified) → its runtime update mode
 */
public record FunctionSettings(
        Map<String, ResourcePolicy> policies, String recursiveLoop, Map<String, RuntimeManagement> runtimeManagement) {

    public static final FunctionSettings NONE = new FunctionSettings(Map.of(), "Terminate", Map.of());

    public FunctionSettings {
        policies = sorted(policies);
        recursiveLoop = recursiveLoop == null ? "Terminate" : recursiveLoop;
        runtimeManagement = sorted(runtimeManagement);
    }

    public FunctionSettings withPolicy(String qualifier, ResourcePolicy policy) {
        Map<String, ResourcePolicy> changed = new TreeMap<>(policies);
        if (policy.statements().isEmpty()) {
            changed.remove(qualifier);
        } else {
            changed.put(qualifier, policy);
        }
        return new FunctionSettings(changed, recursiveLoop, runtimeManagement);
    }

    public FunctionSettings withRecursiveLoop(String value) {
        return new FunctionSettings(policies, value, runtimeManagement);
    }

    public FunctionSettings withRuntimeManagement(String qualifier, RuntimeManagement value) {
        Map<String, RuntimeManagement> changed = new TreeMap<>(runtimeManagement);
        changed.put(qualifier, value);
        return new FunctionSettings(policies, recursiveLoop, changed);
    }

    /**
     * Whether {@code account} (not the owner) may invoke the function through {@code qualifier} (the
     * policy of exactly that qualifier, {@code ""} for none, as on Lambda): a statement allowing
     * {@code lambda:InvokeFunction} (or {@code lambda:*}, {@code *}) to that account or to {@code *},
     * not limited to function URLs, whose source conditions (if any) name the same account.
     */
    public boolean allowsInvoke(String qualifier, String account) {
        ResourcePolicy policy = policies.get(qualifier);
        if (policy == null) {
            return false;
        }
        return policy.statements().stream()
                .anyMatch(s -> (s.action().equals("lambda:InvokeFunction")
                                || s.action().equals("lambda:*")
                                || s.action().equals("*"))
                        && (s.principal().equals("*") || s.principal().equals(account))
                        && s.functionUrlAuthType().isEmpty()
                        && (s.sourceAccount().isEmpty() || s.sourceAccount().equals(account)));
    }

    private static <V> Map<String, V> sorted(Map<String, V> map) {
        return map == null ? Map.of() : Collections.unmodifiableSortedMap(new TreeMap<>(map));
    }

    /** A qualifier's policy: its statements in the order added, and a revision that changes with each change. */
    public record ResourcePolicy(List<PolicyStatement> statements, String revisionId) {
        public ResourcePolicy {
            statements = statements == null ? List.of() : List.copyOf(statements);
            Objects.requireNonNull(revisionId, "revisionId");
        }
    }

    /**
     * One AddPermission statement, as sent: {@code principal} an account id (an
     * {@code arn:aws:iam::<account>:root} is read as the account), a service ({@code s3.amazonaws.com})
     * or {@code *}; absent conditions are empty strings.
     */
    public record PolicyStatement(
            String sid,
            String principal,
            String action,
            String sourceArn,
            String sourceAccount,
            String principalOrgId,
            String functionUrlAuthType,
            String eventSourceToken) {
        public PolicyStatement {
            Objects.requireNonNull(sid, "sid");
            Objects.requireNonNull(principal, "principal");
            Objects.requireNonNull(action, "action");
            sourceArn = sourceArn == null ? "" : sourceArn;
            sourceAccount = sourceAccount == null ? "" : sourceAccount;
            principalOrgId = principalOrgId == null ? "" : principalOrgId;
            functionUrlAuthType = functionUrlAuthType == null ? "" : functionUrlAuthType;
            eventSourceToken = eventSourceToken == null ? "" : eventSourceToken;
        }
    }

    /** {@code UpdateRuntimeOn} (Auto, FunctionUpdate, Manual) and the version pinned by Manual (else empty). */
    public record RuntimeManagement(String updateRuntimeOn, String runtimeVersionArn) {
        public static final RuntimeManagement AUTO = new RuntimeManagement("Auto", "");

        public RuntimeManagement {
            Objects.requireNonNull(updateRuntimeOn, "updateRuntimeOn");
            runtimeVersionArn = runtimeVersionArn == null ? "" : runtimeVersionArn;
        }
    }
}
