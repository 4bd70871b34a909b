package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.lambda.model.GetFunctionCodeSigningConfigResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.RecursiveLoop;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.UpdateRuntimeOn;

/**
 * Resource-based policies and the per-function settings IaC tools send and read back, through the AWS
 * CLI (AddPermission with {@code --function-url-auth-type NONE}, the step SAM, CloudFormation and
 * Terraform take for a public function URL) and the SDK.
 */
@SpurTest
class PermissionsTest {
    static Spur spur;

    @TempDir
    Path dir;

    @Test
    void addPermissionForAPublicFunctionUrlThenGetPolicyReturnsTheStatement() throws Exception {
        AwsCli aws = new AwsCli(spur.endpoint(), dir, Map.of());
        String name = Spur.uniqueName("policy");
        aws.createFunction(name).json();

        JsonNode added = aws.aws(
                        "lambda",
                        "add-permission",
                        "--function-name",
                        name,
                        "--statement-id",
                        "FunctionURLAllowPublicAccess",
                        "--action",
                        "lambda:InvokeFunctionUrl",
                        "--principal",
                        "*",
                        "--function-url-auth-type",
                        "NONE")
                .json();

        JsonNode statement = Json.MAPPER.readTree(added.get("Statement").asText());
        assertThat(statement.get("Sid").asText()).isEqualTo("FunctionURLAllowPublicAccess");
        assertThat(statement.get("Effect").asText()).isEqualTo("Allow");
        assertThat(statement.get("Principal").asText()).isEqualTo("*");
        assertThat(statement.get("Action").asText()).isEqualTo("lambda:InvokeFunctionUrl");
        assertThat(statement.get("Resource").asText())
                .isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:" + name);
        assertThat(statement
                        .at("/Condition/StringEquals/lambda:FunctionUrlAuthType")
                        .asText())
                .isEqualTo("NONE");

        JsonNode policy =
                aws.aws("lambda", "get-policy", "--function-name", name).json();
        JsonNode document = Json.MAPPER.readTree(policy.get("Policy").asText());
        assertThat(document.get("Statement")).hasSize(1);
        assertThat(document.get("Statement").get(0)).isEqualTo(statement);
        assertThat(policy.get("RevisionId").asText()).isNotBlank();

        JsonNode second = Json.MAPPER.readTree(aws.aws(
                        "lambda",
                        "add-permission",
                        "--function-name",
                        name,
                        "--statement-id",
                        "s3",
                        "--action",
                        "lambda:InvokeFunction",
                        "--principal",
                        "s3.amazonaws.com",
                        "--source-arn",
                        "arn:aws:s3:::bucket",
                        "--source-account",
                        "000000000000")
                .json()
                .get("Statement")
                .asText());
        assertThat(second.at("/Principal/Service").asText()).isEqualTo("s3.amazonaws.com");
        assertThat(second.at("/Condition/ArnLike/AWS:SourceArn").asText()).isEqualTo("arn:aws:s3:::bucket");
        assertThat(second.at("/Condition/StringEquals/AWS:SourceAccount").asText())
                .isEqualTo("000000000000");

        assertThat(aws.aws(
                                "lambda",
                                "add-permission",
                                "--function-name",
                                name,
                                "--statement-id",
                                "s3",
                                "--action",
                                "lambda:InvokeFunction",
                                "--principal",
                                "*")
                        .err())
                .contains("ResourceConflictException");
        assertThat(aws.aws("lambda", "remove-permission", "--function-name", name, "--statement-id", "s3")
                        .exit())
                .isZero();
        assertThat(aws.aws("lambda", "remove-permission", "--function-name", name, "--statement-id", "s3")
                        .err())
                .contains("ResourceNotFoundException");
        aws.aws(
                "lambda",
                "remove-permission",
                "--function-name",
                name,
                "--statement-id",
                "FunctionURLAllowPublicAccess");
        assertThat(aws.aws("lambda", "get-policy", "--function-name", name).err())
                .contains("ResourceNotFoundException");
    }

    @Test
    void codeSigningRecursionAndRuntimeManagementAreStoredAndReadBack() {
        String name = spur.deploy("settings", FunctionPackage.testRuntime());

        GetFunctionCodeSigningConfigResponse signing =
                spur.lambda().getFunctionCodeSigningConfig(b -> b.functionName(name));
        assertThat(signing.functionName()).isEqualTo(name);
        assertThat(signing.codeSigningConfigArn()).isEmpty();
        assertThatThrownBy(() ->
                        spur.lambda().getFunctionCodeSigningConfig(b -> b.functionName(Spur.uniqueName("absent"))))
                .isInstanceOf(ResourceNotFoundException.class);

        assertThat(spur.lambda()
                        .getFunctionRecursionConfig(b -> b.functionName(name))
                        .recursiveLoop())
                .isEqualTo(RecursiveLoop.TERMINATE);
        spur.lambda().putFunctionRecursionConfig(b -> b.functionName(name).recursiveLoop(RecursiveLoop.ALLOW));
        assertThat(spur.lambda()
                        .getFunctionRecursionConfig(b -> b.functionName(name))
                        .recursiveLoop())
                .isEqualTo(RecursiveLoop.ALLOW);

        assertThat(spur.lambda()
                        .getRuntimeManagementConfig(b -> b.functionName(name))
                        .updateRuntimeOn())
                .isEqualTo(UpdateRuntimeOn.AUTO);
        assertThat(spur.lambda()
                        .putRuntimeManagementConfig(
                                b -> b.functionName(name).updateRuntimeOn(UpdateRuntimeOn.FUNCTION_UPDATE))
                        .functionArn())
                .isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:" + name);
        assertThat(spur.lambda()
                        .getRuntimeManagementConfig(b -> b.functionName(name))
                        .updateRuntimeOn())
                .isEqualTo(UpdateRuntimeOn.FUNCTION_UPDATE);
        assertThatThrownBy(() -> spur.lambda()
                        .putRuntimeManagementConfig(b -> b.functionName(name).updateRuntimeOn(UpdateRuntimeOn.MANUAL)))
                .isInstanceOf(InvalidParameterValueException.class);
    }
}
