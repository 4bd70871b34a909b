package dev.spur.control;

import static dev.spur.control.TemporaryControlPlane.ARN;
import static dev.spur.control.TemporaryControlPlane.CALLER;
import static dev.spur.control.TemporaryControlPlane.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import dev.spur.control.FunctionCommand.CreateAlias;
import dev.spur.control.FunctionCommand.PublishVersion;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Versions, aliases, URLs, reserved and provisioned concurrency through {@link ControlPlane#handle}, on a
 * real store: what each command answers, what it refuses, and what a new control plane on the same
 * files (a restart) still has.
 */
class ControlPlaneCommandsTest {
    @RegisterExtension
    static final TemporaryControlPlane control = TemporaryControlPlane.perClass(1000);

    @Test
    void versionsAreNumberedInOrderAndPublishingAnUnchangedLatestReturnsTheNewest() {
        control.handle(create("pub").command());

        FunctionConfig first = publish("pub", Optional.empty(), Optional.empty());
        FunctionConfig again = publish("pub", Optional.empty(), Optional.empty());
        control.handle(ControlPlaneLockingTest.describe("pub", "described", Optional.empty()));
        FunctionConfig describedOnly = publish("pub", Optional.empty(), Optional.empty());
        control.handle(timeout("pub", 7));
        FunctionConfig second = publish("pub", Optional.empty(), Optional.empty());

        assertThat(first.version()).isEqualTo("1");
        assertThat(again.version()).isEqualTo("1");
        assertThat(describedOnly.version())
                .as("a description is not a deployable change")
                .isEqualTo("1");
        assertThat(second.version()).isEqualTo("2");
        assertThat(second.timeout()).isEqualTo(7);
        assertThat(control.configuration("pub:1").timeout()).isEqualTo(3);
        assertThat(versions("pub")).isEqualTo(3); // $LATEST, 1, 2
    }

    @Test
    void publishingWithAStaleRevisionOrCodeShaIs412AndPublishesNothing() {
        control.handle(create("pub-cas").command());
        FunctionConfig latest = control.configuration("pub-cas");

        assertPreconditionFailed(
                () -> publish("pub-cas", Optional.empty(), Optional.of("not-the-revision")),
                "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to"
                        + " retrieve the latest Revision Id");
        assertPreconditionFailed(
                () -> publish("pub-cas", Optional.of("0".repeat(64)), Optional.empty()),
                "CodeSHA256 (" + "0".repeat(64) + ") is different from current CodeSHA256 in $LATEST ("
                        + latest.code().sha256Base64() + "). Please try again with the current CodeSHA256.");
        assertThat(versions("pub-cas")).isEqualTo(1); // $LATEST only

        FunctionConfig published =
                publish("pub-cas", Optional.of(latest.code().sha256Base64()), Optional.of(latest.revisionId()));
        assertThat(published.version()).isEqualTo("1");
    }

    @Test
    void aVersionAnAliasRoutesToCannotBeDeletedUntilTheAliasMoves() {
        control.handle(create("alias-fn").publish().command());
        publishChanged("alias-fn", 9);
        control.handle(new CreateAlias(
                CALLER, "alias-fn", "live", Optional.of("1"), Optional.empty(), Optional.of(Map.of("2", 0.25))));

        assertThatThrownBy(
                        () -> control.handle(new FunctionCommand.DeleteFunction(CALLER, "alias-fn", Optional.of("2"))))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_CONFLICT))
                .hasMessage("Unable to delete version because the following aliases reference it: [live]");
        ControlResult.AliasResult moved = (ControlResult.AliasResult) control.handle(new FunctionCommand.UpdateAlias(
                CALLER,
                "alias-fn",
                "live",
                Optional.of("1"),
                Optional.empty(),
                Optional.of(Map.of()),
                Optional.empty()));
        assertThat(moved.alias().additionalVersionWeights()).isEmpty();
        assertThat(control.handle(new FunctionCommand.DeleteFunction(CALLER, "alias-fn", Optional.of("2"))))
                .isInstanceOf(ControlResult.Deleted.class);
    }

    @Test
    void aliasesCheckTheirNamesVersionsRoutingAndRevision() {
        control.handle(create("alias-rules").publish().command());

        assertInvalid(
                new CreateAlias(CALLER, "alias-rules", "123", Optional.of("1"), Optional.empty(), Optional.empty()),
                "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: Member must satisfy"
                        + " regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)");
        assertInvalid(
                new CreateAlias(
                        CALLER,
                        "alias-rules",
                        "two",
                        Optional.of("1"),
                        Optional.empty(),
                        Optional.of(Map.of("2", 0.1, "3", 0.1))),
                "Number of items in AdditionalVersionWeights cannot be greater than 1");
        control.handle(
                new CreateAlias(CALLER, "alias-rules", "prod", Optional.of("1"), Optional.empty(), Optional.empty()));
        assertThatThrownBy(() -> control.handle(new CreateAlias(
                        CALLER, "alias-rules", "prod", Optional.of("1"), Optional.empty(), Optional.empty())))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_CONFLICT))
                .hasMessage("Alias already exists: " + ARN + "alias-rules:prod");
        assertPreconditionFailed(
                () -> control.handle(new FunctionCommand.UpdateAlias(
                        CALLER,
                        "alias-rules",
                        "prod",
                        Optional.empty(),
                        Optional.of("new"),
                        Optional.empty(),
                        Optional.of("stale"))),
                "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to"
                        + " retrieve the latest Revision Id");
        assertThat(control.control
                        .resolveForInvoke(
                                new FunctionKey("000000000000", "us-east-1", "alias-rules"), Optional.of("prod"))
                        .config()
                        .version())
                .isEqualTo("1");
    }

    @Test
    void aFunctionUrlIsCreatedOncePerQualifierAndFoundByItsId() {
        control.handle(create("url-fn").command());

        ControlResult.Url created = (ControlResult.Url) control.handle(putUrl("url-fn", true));
        String id = created.config().urlId();

        assertThat(created.created()).isTrue();
        assertThat(id).matches("[a-z0-9]{32}");
        assertThat(created.config().authType()).isEqualTo("NONE");
        assertThat(control.control.functionUrl(id))
                .hasValueSatisfying(t -> assertThat(t.function().name()).isEqualTo("url-fn"));
        assertThatThrownBy(() -> control.handle(putUrl("url-fn", true)))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_CONFLICT));
        control.handle(new FunctionCommand.DeleteFunctionUrl(CALLER, "url-fn", Optional.empty()));
        assertThat(control.control.functionUrl(id)).isEmpty();
    }

    @Test
    void reservationsMayNotLeaveLessThanTheMinimumUnreservedConcurrency() {
        control.handle(create("reserve-a").command());
        control.handle(create("reserve-b").command());

        control.handle(reserve("reserve-a", 850));
        assertInvalid(
                reserve("reserve-b", 51),
                "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution"
                        + " below its minimum value of [100].");
        control.handle(reserve("reserve-b", 50));
        control.handle(reserve("reserve-a", 850)); // its own reservation counts once, not twice
        ControlResult.AccountSettings settings =
                (ControlResult.AccountSettings) control.handle(new FunctionCommand.GetAccountSettings(CALLER));

        assertThat(settings.concurrentExecutions()).isEqualTo(1000);
        assertThat(settings.unreservedConcurrentExecutions()).isEqualTo(100);
        control.handle(new FunctionCommand.DeleteFunctionConcurrency(CALLER, "reserve-a"));
        control.handle(new FunctionCommand.DeleteFunctionConcurrency(CALLER, "reserve-b"));
        assertThat(((ControlResult.Concurrency)
                                control.handle(new FunctionCommand.GetFunctionConcurrency(CALLER, "reserve-a")))
                        .reserved())
                .isEmpty();
    }

    @Test
    void provisionedConcurrencyIsRefusedOnLatestAndAboveTheReservation() {
        control.handle(create("prov").publish().command());

        assertThatThrownBy(() -> control.handle(new FunctionCommand.PutProvisionedConcurrency(
                        CALLER, "prov", Optional.of("$LATEST"), Optional.of(1))))
                .isInstanceOf(LambdaException.class)
                .hasMessage("Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
        control.handle(reserve("prov", 1));
        assertThatThrownBy(() -> control.handle(new FunctionCommand.PutProvisionedConcurrency(
                        CALLER, "prov", Optional.of("1"), Optional.of(2))))
                .isInstanceOf(LambdaException.class);
        control.handle(new FunctionCommand.DeleteFunctionConcurrency(CALLER, "prov"));
    }

    @Test
    void versionsAliasesTagsAndReservationsSurviveANewControlPlaneOnTheSameStore() {
        control.handle(create("durable").publish().tags(Map.of("team", "a")).command());
        control.handle(
                new CreateAlias(CALLER, "durable", "live", Optional.of("1"), Optional.empty(), Optional.empty()));
        control.handle(reserve("durable", 5));
        String urlId = ((ControlResult.Url) control.handle(putUrl("durable", true)))
                .config()
                .urlId();

        control.restart();

        assertThat(control.configuration("durable:1").version()).isEqualTo("1");
        assertThat(((ControlResult.AliasResult) control.handle(new FunctionCommand.GetAlias(CALLER, "durable", "live")))
                        .alias()
                        .functionVersion())
                .isEqualTo("1");
        assertThat(((ControlResult.Tags) control.handle(new FunctionCommand.ListTags(CALLER, ARN + "durable"))).tags())
                .containsExactly(Map.entry("team", "a"));
        assertThat(((ControlResult.Concurrency)
                                control.handle(new FunctionCommand.GetFunctionConcurrency(CALLER, "durable")))
                        .reserved())
                .contains(5);
        assertThat(control.pools().accountConcurrency("000000000000").reservedTotal())
                .as("the reservation is handed to the new pools")
                .isEqualTo(5);
        assertThat(control.control.functionUrl(urlId)).isPresent();
        control.handle(new FunctionCommand.DeleteFunction(CALLER, "durable", Optional.empty()));
    }

    static FunctionConfig publish(String name, Optional<String> codeSha256, Optional<String> revisionId) {
        return ((ControlResult.Configuration)
                        control.handle(new PublishVersion(CALLER, name, codeSha256, Optional.empty(), revisionId)))
                .config();
    }

    /** Changes the timeout of {@code $LATEST} and publishes it. */
    static void publishChanged(String name, int timeout) {
        control.handle(timeout(name, timeout));
        publish(name, Optional.empty(), Optional.empty());
    }

    static FunctionCommand timeout(String name, int seconds) {
        return new FunctionCommand.UpdateFunctionConfiguration(
                CALLER,
                name,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(seconds),
                Optional.empty(),
                Optional.empty(),
                FunctionCommand.Unsupported.NONE,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                FunctionCommand.OptionsChange.NONE);
    }

    static int versions(String name) {
        return ((ControlResult.VersionList) control.handle(
                        new FunctionCommand.ListVersions(CALLER, name, Optional.empty(), Optional.empty())))
                .versions()
                .size();
    }

    static FunctionCommand putUrl(String name, boolean create) {
        return new FunctionCommand.PutFunctionUrl(
                CALLER, name, Optional.empty(), create, Optional.of("NONE"), Optional.empty(), Optional.empty());
    }

    static FunctionCommand reserve(String name, int reserved) {
        return new FunctionCommand.PutFunctionConcurrency(CALLER, name, Optional.of(reserved));
    }

    static void assertInvalid(FunctionCommand command, String message) {
        assertThatThrownBy(() -> control.handle(command))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE))
                .hasMessage(message);
    }

    static void assertPreconditionFailed(Runnable call, String message) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PRECONDITION_FAILED))
                .hasMessage(message);
    }
}
