package dev.spur.control;

import static dev.spur.control.TemporaryControlPlane.ARN;
import static dev.spur.control.TemporaryControlPlane.CALLER;
import static dev.spur.control.TemporaryControlPlane.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.ErrorCode;
import dev.spur.common.LambdaException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the control plane refuses, in AWS's wording, and that a refused command leaves nothing behind:
 * nothing stored, no code package kept.
 */
class ControlPlaneValidationTest {
    @RegisterExtension
    static final TemporaryControlPlane control = TemporaryControlPlane.perClass(1000);

    @Test
    void aDescriptionOfAtMost256CharactersIsAcceptedAndALongerOneIsRefused() {
        control.handle(create("desc-ok").description("d".repeat(256)).command());

        assertThat(control.configuration("desc-ok").description()).hasSize(256);
        assertInvalid(
                create("desc-long").description("d".repeat(257)).command(),
                "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have"
                        + " length less than or equal to 256");
    }

    @Test
    void memoryTimeoutNameAndRoleAreCheckedAgainstLambdasLimits() {
        assertInvalid(
                create("mem").memory(127).command(),
                "1 validation error detected: Value '127' at 'memorySize' failed to satisfy constraint: Member must"
                        + " have value between 128 and 10240");
        assertInvalid(
                create("mem").memory(10_241).command(),
                "1 validation error detected: Value '10241' at 'memorySize' failed to satisfy constraint: Member must"
                        + " have value between 128 and 10240");
        assertInvalid(
                create("time").timeout(901).command(),
                "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have"
                        + " value between 1 and 900");
        assertInvalid(
                create("x".repeat(65)).command(),
                "1 validation error detected: Value '" + "x".repeat(65) + "' at 'functionName' failed to satisfy"
                        + " constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have length"
                        + " between 1 and 64");
        assertInvalid(
                create("role").role("admin").command(),
                "1 validation error detected: Value 'admin' at 'role' failed to satisfy constraint: Member must"
                        + " satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+");
        assertThatThrownBy(() -> control.handle(create("rt").runtime("cobol1").command()))
                .hasMessageStartingWith("Value cobol1 at 'runtime' is not a runtime this Spur server can run."
                        + " Supported runtimes: ")
                .hasMessageContaining("provided.al2023");
    }

    @Test
    void environmentVariablesAreNamedWellNotReservedAndAtMostFourKilobytes() {
        assertInvalid(
                create("env").environment(Map.of("1X", "v")).command(),
                "Environment variable name 1X is invalid: names must start with a letter and contain only letters,"
                        + " numbers and underscores.");
        assertInvalid(
                create("env")
                        .environment(Map.of("AWS_REGION", "x", "LAMBDA_TASK_ROOT", "y"))
                        .command(),
                "Lambda was unable to configure your environment variables because the environment variables you have"
                        + " provided contains reserved keys that are currently not supported for modification. Reserved"
                        + " keys used in this request: AWS_REGION, LAMBDA_TASK_ROOT");
        assertInvalid(
                create("env").environment(Map.of("BIG", "v".repeat(4096))).command(),
                "Lambda was unable to configure your environment variables because the environment variables you have"
                        + " provided exceeded the 4KB limit. String measured: 4106 bytes");
    }

    @Test
    void tagsAreAtMostFiftyWithKeysOfOneTo128CharactersNotAwsAndValuesOfAtMost256() {
        Map<String, String> fifty = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            fifty.put("k" + i, "v".repeat(256));
        }
        fifty.put("k".repeat(128), "v");
        fifty.remove("k0");
        control.handle(create("tags-ok").tags(fifty).command());
        Map<String, String> fiftyOne = new HashMap<>(fifty);
        fiftyOne.put("one-more", "v");

        assertInvalid(create("tags-51").tags(fiftyOne).command(), "The number of tags on a function cannot exceed 50.");
        assertInvalid(
                create("tags-key").tags(Map.of("k".repeat(129), "v")).command(),
                "Tag keys must be 1 to 128 characters long: '" + "k".repeat(129) + "'");
        assertInvalid(
                create("tags-key").tags(Map.of("", "v")).command(), "Tag keys must be 1 to 128 characters long: ''");
        assertInvalid(
                create("tags-aws").tags(Map.of("AWS:owner", "v")).command(),
                "Tag keys starting with 'aws:' are reserved: 'AWS:owner'");
        assertInvalid(
                create("tags-value").tags(Map.of("k", "v".repeat(257))).command(),
                "Tag values must be at most 256 characters long: key 'k'");
        assertInvalid(
                new FunctionCommand.TagResource(CALLER, ARN + "tags-ok", Map.of("fifty-first", "v")),
                "The number of tags on a function cannot exceed 50.");
        assertThat(((ControlResult.Tags) control.handle(new FunctionCommand.ListTags(CALLER, ARN + "tags-ok"))).tags())
                .hasSize(50);
    }

    @Test
    void parametersThisServerDoesNotImplementAreNamedNotIgnored() {
        assertInvalid(
                create("unsupported").unsupported("Layers", "VpcConfig").command(),
                "This Spur server does not support Layers, VpcConfig yet.");
    }

    @Test
    void aRefusedCreateLeavesNothingBehind() {
        long packages = control.storedPackages();

        assertInvalid(create("refused").memory(1).command(), null);
        assertInvalid(create("refused").tags(Map.of("aws:x", "v")).command(), null);

        assertThat(control.storedPackages()).isEqualTo(packages);
        ControlResult.FunctionList list = (ControlResult.FunctionList) control.handle(
                new FunctionCommand.ListFunctions(CALLER, Optional.empty(), Optional.of(10_000), Optional.empty()));
        assertThat(list.functions()).noneMatch(f -> f.key().name().equals("refused"));
        assertThatThrownBy(() -> control.configuration("refused"))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));
    }

    @Test
    void aSecondCreateOfOneNameIsAConflict() {
        control.handle(create("twice").command());

        assertThatThrownBy(() -> control.handle(create("twice").command()))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_CONFLICT))
                .hasMessage("Function already exist: twice");
    }

    @Test
    void listingChecksItsLimitsAndVersionFilter() {
        assertInvalid(
                new FunctionCommand.ListFunctions(CALLER, Optional.empty(), Optional.of(0), Optional.empty()),
                "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have"
                        + " value between 1 and 10000");
        assertInvalid(
                new FunctionCommand.ListFunctions(CALLER, Optional.empty(), Optional.empty(), Optional.of("SOME")),
                "1 validation error detected: Value 'SOME' at 'functionVersion' failed to satisfy constraint: Member"
                        + " must satisfy enum value set: [ALL]");
    }

    /** The command is refused with 400 InvalidParameterValueException and, if given, this message. */
    static void assertInvalid(FunctionCommand command, String message) {
        assertThatThrownBy(() -> control.handle(command)).isInstanceOfSatisfying(LambdaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
            if (message != null) {
                assertThat(e.getMessage()).isEqualTo(message);
            }
        });
    }
}
