package dev.spur.control;

import static dev.spur.common.LambdaException.requireValid;

import dev.spur.common.Arns;
import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionSettings;
import dev.spur.common.FunctionSettings.PolicyStatement;
import dev.spur.common.FunctionSettings.ResourcePolicy;
import dev.spur.common.LambdaException;
import dev.spur.control.FunctionRegistry.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A function's resource-based policies (AddPermission, RemovePermission, GetPolicy), kept per qualifier
 * in its attachments' {@link FunctionSettings}, and the other per-function settings IaC tools read
 * back: code signing (none), recursion and runtime management. Stored as sent; where Spur honours one
 * is said on it: policies admit another account's invoke in {@code --auth sigv4} mode
 * ({@link FunctionSettings#allowsInvoke}); a function URL's own {@code AuthType} decides its access.
 */
final class Permissions {
    private static final Pattern STATEMENT_ID = Pattern.compile("[a-zA-Z0-9-_]{1,100}");
    private static final Pattern ACTION = Pattern.compile("lambda:[*]|lambda:[a-zA-Z]+|[*]");
    private static final Pattern PRINCIPAL = Pattern.compile("[^\\s]+");
    private static final Pattern ACCOUNT_ROOT = Pattern.compile("arn:aws[a-zA-Z-]*:iam::(\\d{12}):root");
    private static final Pattern SOURCE_ACCOUNT = Pattern.compile("\\d{12}");
    private static final Pattern ORG_ID = Pattern.compile("o-[a-z0-9]{10,32}");
    private static final List<String> URL_AUTH_TYPES = List.of("NONE", "AWS_IAM");
    private static final List<String> RECURSION = List.of("Allow", "Terminate");
    private static final List<String> UPDATE_RUNTIME_ON = List.of("Auto", "Manual", "FunctionUpdate");

    private final ControlPlane control;

    Permissions(ControlPlane control) {
        this.control = control;
    }

    ControlResult add(FunctionCommand.AddPermission c) {
        requireValid(
                STATEMENT_ID.matcher(c.statementId()).matches(),
                "1 validation error detected: Value '%s' at 'statementId' failed to satisfy constraint: Member must "
                        + "satisfy regular expression pattern: ([a-zA-Z0-9-_]+)",
                c.statementId());
        requireValid(
                ACTION.matcher(c.action()).matches(),
                "1 validation error detected: Value '%s' at 'action' failed to satisfy constraint: Member must satisfy "
                        + "regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])",
                c.action());
        requireValid(
                PRINCIPAL.matcher(c.principal()).matches(),
                "1 validation error detected: Value '%s' at 'principal' failed to satisfy constraint: Member must "
                        + "satisfy regular expression pattern: [^\\s]+",
                c.principal());
        c.sourceAccount()
                .ifPresent(a -> requireValid(
                        SOURCE_ACCOUNT.matcher(a).matches(),
                        "1 validation error detected: Value '%s' at 'sourceAccount' failed to satisfy constraint: "
                                + "Member must satisfy regular expression pattern: \\d{12}",
                        a));
        c.principalOrgId()
                .ifPresent(o -> requireValid(
                        ORG_ID.matcher(o).matches(),
                        "1 validation error detected: Value '%s' at 'principalOrgID' failed to satisfy constraint: "
                                + "Member must satisfy regular expression pattern: ^o-[a-z0-9]{10,32}$",
                        o));
        c.functionUrlAuthType()
                .ifPresent(t -> requireValid(
                        URL_AUTH_TYPES.contains(t),
                        "1 validation error detected: Value '%s' at 'functionUrlAuthType' failed to satisfy "
                                + "constraint: Member must satisfy enum value set: [NONE, AWS_IAM]",
                        t));
        Matcher root = ACCOUNT_ROOT.matcher(c.principal());
        String principal = root.matches() ? root.group(1) : c.principal();
        PolicyStatement statement = new PolicyStatement(
                c.statementId(),
                principal,
                c.action(),
                c.sourceArn().orElse(""),
                c.sourceAccount().orElse(""),
                c.principalOrgId().orElse(""),
                c.functionUrlAuthType().orElse(""),
                c.eventSourceToken().orElse(""));
        return control.locked(c.caller(), c.functionName(), (ref, entry) -> {
            String qualifier = qualifier(entry, ControlPlane.qualifier(ref, c.qualifier()));
            ResourcePolicy current = policy(entry, qualifier);
            requireRevision(c.revisionId(), current);
            if (current.statements().stream().anyMatch(s -> s.sid().equals(c.statementId()))) {
                throw LambdaException.conflict(
                        "The statement id (%s) provided already exists. Please provide a new statement id, or remove "
                                + "the existing statement.",
                        c.statementId());
            }
            List<PolicyStatement> statements = new ArrayList<>(current.statements());
            statements.add(statement);
            save(entry, qualifier, statements);
            return new ControlResult.PermissionAdded(resource(entry, qualifier), statement);
        });
    }

    ControlResult remove(FunctionCommand.RemovePermission c) {
        return control.locked(c.caller(), c.functionName(), (ref, entry) -> {
            String qualifier = qualifier(entry, ControlPlane.qualifier(ref, c.qualifier()));
            ResourcePolicy current = policy(entry, qualifier);
            requireRevision(c.revisionId(), current);
            List<PolicyStatement> statements = new ArrayList<>(current.statements());
            if (!statements.removeIf(s -> s.sid().equals(c.statementId()))) {
                throw LambdaException.notFound("Statement %s is not found in resource policy.", c.statementId());
            }
            save(entry, qualifier, statements);
            return new ControlResult.Deleted();
        });
    }

    ControlResult get(FunctionCommand.GetPolicy c) {
        return control.read(c.caller(), c.functionName(), (ref, entry) -> {
            String qualifier = qualifier(entry, ControlPlane.qualifier(ref, c.qualifier()));
            ResourcePolicy policy = policy(entry, qualifier);
            if (policy.statements().isEmpty()) {
                throw LambdaException.notFound("The resource you requested does not exist.");
            }
            return new ControlResult.Policy(resource(entry, qualifier), policy);
        });
    }

    ControlResult codeSigning(FunctionCommand.GetCodeSigningConfig c) {
        return control.read(c.caller(), c.functionName(), (ref, entry) -> {
            ControlPlane.requireUnqualified(ref);
            return new ControlResult.CodeSigning(entry.key().name());
        });
    }

    ControlResult recursion(FunctionCommand.RecursionConfig c) {
        c.recursiveLoop()
                .ifPresent(v -> requireValid(
                        RECURSION.contains(v),
                        "1 validation error detected: Value '%s' at 'recursiveLoop' failed to satisfy constraint: "
                                + "Member must satisfy enum value set: [Allow, Terminate]",
                        v));
        if (c.recursiveLoop().isEmpty()) {
            return control.read(c.caller(), c.functionName(), (ref, entry) -> {
                ControlPlane.requireUnqualified(ref);
                return new ControlResult.Recursion(
                        entry.attachments().settings().recursiveLoop());
            });
        }
        return control.locked(c.caller(), c.functionName(), (ref, entry) -> {
            ControlPlane.requireUnqualified(ref);
            FunctionSettings settings = entry.attachments()
                    .settings()
                    .withRecursiveLoop(c.recursiveLoop().get());
            control.saveAttachments(entry, entry.attachments().withSettings(settings));
            return new ControlResult.Recursion(settings.recursiveLoop());
        });
    }

    ControlResult runtimeManagement(FunctionCommand.RuntimeManagementConfig c) {
        if (c.updateRuntimeOn().isEmpty()) {
            return control.read(c.caller(), c.functionName(), (ref, entry) -> {
                String named = qualifier(entry, ControlPlane.qualifier(ref, c.qualifier()));
                String qualifier = named.isEmpty() ? Arns.LATEST : named;
                return new ControlResult.RuntimeManagement(
                        resource(entry, named),
                        entry.attachments()
                                .settings()
                                .runtimeManagement()
                                .getOrDefault(qualifier, FunctionSettings.RuntimeManagement.AUTO));
            });
        }
        String mode = c.updateRuntimeOn().get();
        requireValid(
                UPDATE_RUNTIME_ON.contains(mode),
                "1 validation error detected: Value '%s' at 'updateRuntimeOn' failed to satisfy constraint: Member "
                        + "must satisfy enum value set: [Auto, Manual, FunctionUpdate]",
                mode);
        requireValid(
                mode.equals("Manual") == c.runtimeVersionArn().isPresent(),
                mode.equals("Manual")
                        ? "RuntimeVersionArn is required when UpdateRuntimeOn is Manual."
                        : "RuntimeVersionArn can only be set when UpdateRuntimeOn is Manual.");
        FunctionSettings.RuntimeManagement setting = new FunctionSettings.RuntimeManagement(
                mode, c.runtimeVersionArn().orElse(""));
        return control.locked(c.caller(), c.functionName(), (ref, entry) -> {
            String named = qualifier(entry, ControlPlane.qualifier(ref, c.qualifier()));
            FunctionSettings settings = entry.attachments()
                    .settings()
                    .withRuntimeManagement(named.isEmpty() ? Arns.LATEST : named, setting);
            control.saveAttachments(entry, entry.attachments().withSettings(settings));
            return new ControlResult.RuntimeManagement(resource(entry, named), setting);
        });
    }

    /** The policy key of a qualifier: {@code ""} without one; a version or alias must exist (404 as Lambda). */
    private static String qualifier(Entry entry, Optional<String> qualifier) {
        if (qualifier.isEmpty()) {
            return "";
        }
        entry.resolveStatic(qualifier.get());
        return qualifier.get();
    }

    private static ResourcePolicy policy(Entry entry, String qualifier) {
        return entry.attachments().settings().policies().getOrDefault(qualifier, new ResourcePolicy(List.of(), ""));
    }

    private static void requireRevision(Optional<String> revisionId, ResourcePolicy current) {
        if (revisionId.isPresent() && !revisionId.get().equals(current.revisionId())) {
            throw StaleEntry.unlessCurrent(LambdaException.of(
                    ErrorCode.PRECONDITION_FAILED,
                    "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to "
                            + "retrieve the latest Revision Id"));
        }
    }

    private void save(Entry entry, String qualifier, List<PolicyStatement> statements) {
        FunctionSettings settings = entry.attachments()
                .settings()
                .withPolicy(qualifier, new ResourcePolicy(statements, ControlPlane.newRevision()));
        control.saveAttachments(entry, entry.attachments().withSettings(settings));
    }

    private static String resource(Entry entry, String qualifier) {
        return qualifier.isEmpty() ? entry.key().arn() : entry.key().qualifiedArn(qualifier);
    }
}
