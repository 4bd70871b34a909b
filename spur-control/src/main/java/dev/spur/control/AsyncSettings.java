package dev.spur.control;

import dev.spur.common.Arns;
import dev.spur.common.EventInvokeConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import dev.spur.control.FunctionRegistry.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Put/Update/Get/Delete/ListFunctionEventInvokeConfig: per qualifier, how many times a failed
 * asynchronous invocation is retried, how old its event may get, and where records of the outcome
 * go. Stored with the function; read by the asynchronous dispatcher on every attempt.
 */
final class AsyncSettings {
    static final int MAX_RETRIES = 2;
    static final int MIN_AGE = 60;
    static final int MAX_AGE = 21_600;

    private final ControlPlane control;

    AsyncSettings(ControlPlane control) {
        this.control = control;
    }

    ControlResult put(FunctionCommand.PutEventInvokeConfig c) {
        c.maximumRetryAttempts()
                .ifPresent(r -> LambdaException.requireValid(
                        r >= 0 && r <= MAX_RETRIES,
                        "1 validation error detected: Value '%d' at 'maximumRetryAttempts' failed to satisfy constraint: "
                                + "Member must have value less than or equal to 2",
                        r));
        c.maximumEventAgeSeconds()
                .ifPresent(a -> LambdaException.requireValid(
                        a >= MIN_AGE && a <= MAX_AGE,
                        "1 validation error detected: Value '%d' at 'maximumEventAgeInSeconds' failed to satisfy "
                                + "constraint: Member must have value %s",
                        a,
                        a < MIN_AGE ? "greater than or equal to 60" : "less than or equal to 21600"));
        return control.locked(c.caller(), c.functionName(), (ref, entry) -> {
            String qualifier = qualifier(entry, ControlPlane.qualifier(ref, c.qualifier()));
            c.onSuccess().flatMap(d -> d).ifPresent(d -> validateDestination(entry.key(), d));
            c.onFailure().flatMap(d -> d).ifPresent(d -> validateDestination(entry.key(), d));
            EventInvokeConfig current = entry.attachments().eventInvokeConfigs().get(qualifier);
            if (c.merge() && current == null) {
                throw LambdaException.notFound(
                        "The function %s doesn't have an EventInvokeConfig", arn(entry.key(), qualifier));
            }
            EventInvokeConfig base = c.merge() ? current : EventInvokeConfig.DEFAULTS;
            EventInvokeConfig config = new EventInvokeConfig(
                    c.maximumRetryAttempts().orElse(base.maximumRetryAttempts()),
                    c.maximumEventAgeSeconds().orElse(base.maximumEventAgeSeconds()),
                    c.onSuccess().isPresent() ? c.onSuccess().get().orElse(null) : base.onSuccess(),
                    c.onFailure().isPresent() ? c.onFailure().get().orElse(null) : base.onFailure(),
                    control.clock().instant());
            control.saveAttachments(entry, entry.attachments().withEventInvokeConfigs(m -> {
                m.put(qualifier, config);
                return m;
            }));
            return new ControlResult.EventInvokeConfigResult(arn(entry.key(), qualifier), config);
        });
    }

    ControlResult get(FunctionCommand.GetEventInvokeConfig c) {
        return control.read(c.caller(), c.functionName(), (ref, entry) -> {
            String qualifier = qualifier(entry, ControlPlane.qualifier(ref, c.qualifier()));
            EventInvokeConfig config = entry.attachments().eventInvokeConfigs().get(qualifier);
            if (config == null) {
                throw LambdaException.notFound(
                        "The function %s doesn't have an EventInvokeConfig", arn(entry.key(), qualifier));
            }
            return new ControlResult.EventInvokeConfigResult(arn(entry.key(), qualifier), config);
        });
    }

    ControlResult delete(FunctionCommand.DeleteEventInvokeConfig c) {
        return control.locked(c.caller(), c.functionName(), (ref, entry) -> {
            String qualifier = qualifier(entry, ControlPlane.qualifier(ref, c.qualifier()));
            if (!entry.attachments().eventInvokeConfigs().containsKey(qualifier)) {
                throw LambdaException.notFound(
                        "The function %s doesn't have an EventInvokeConfig", arn(entry.key(), qualifier));
            }
            control.saveAttachments(entry, entry.attachments().withEventInvokeConfigs(m -> {
                m.remove(qualifier);
                return m;
            }));
            return new ControlResult.Deleted();
        });
    }

    ControlResult list(FunctionCommand.ListEventInvokeConfigs c) {
        return control.read(c.caller(), c.functionName(), (ref, entry) -> {
            List<ControlResult.EventInvokeConfigResult> all = new ArrayList<>();
            entry.attachments()
                    .eventInvokeConfigs()
                    .forEach((q, config) ->
                            all.add(new ControlResult.EventInvokeConfigResult(arn(entry.key(), q), config)));
            Paging.Page<ControlResult.EventInvokeConfigResult> page =
                    Paging.page(all, ControlResult.EventInvokeConfigResult::functionArn, c.marker(), c.maxItems());
            return new ControlResult.EventInvokeConfigList(page.items(), page.nextMarker());
        });
    }

    /** {@code $LATEST}, a published version or an alias of this function. */
    private static String qualifier(Entry entry, Optional<String> qualifier) {
        String q = qualifier.orElse(Arns.LATEST);
        entry.resolveStatic(q); // 404 if there is no such version or alias
        return q;
    }

    private static String arn(FunctionKey key, String qualifier) {
        return key.qualifiedArn(qualifier);
    }

    /**
     * Destinations Spur can deliver to: a Lambda function of the same account (invoked
     * asynchronously with the invocation record). Queues, topics and buses do not exist here.
     */
    static void validateDestination(FunctionKey owner, String arn) {
        LambdaException.requireValid(
                arn.startsWith("arn:aws") && arn.contains(":lambda:") && arn.contains(":function:"),
                "The destination %s is not supported by this Spur server: destinations must be Lambda functions "
                        + "(SQS, SNS, EventBridge and S3 destinations do not exist here).",
                arn);
        Arns.FunctionRef ref = Arns.parseFunctionRef(arn, owner.account(), owner.region());
        LambdaException.requireValid(
                ref.key().account().equals(owner.account()),
                "The destination %s belongs to " + "another account.",
                arn);
    }
}
