package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.auth.Credential;
import dev.spur.server.SpurServer;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/** {@code --auth sigv4}: another account invokes a function only when the function's policy allows it. */
@SpurTest(auth = SpurServer.Auth.SIGV4)
class CrossAccountInvokeTest {
    static Spur spur;

    @AutoClose
    static LambdaClient owner;

    @AutoClose
    static LambdaClient other;

    @BeforeAll
    static void keys() {
        Credential ownerKey = spur.newKey("333333333333");
        Credential otherKey = spur.newKey("444444444444");
        owner = spur.client(ownerKey);
        other = spur.client(otherKey);
    }

    @Test
    void anotherAccountMayInvokeOnlyWhileAStatementAllowsIt() {
        String name = Spur.uniqueName("shared");
        String arn = "arn:aws:lambda:us-east-1:333333333333:function:" + name;
        owner.createFunction(b -> b.functionName(name)
                .runtime("provided.al2023")
                .handler("h")
                .role("arn:aws:iam::333333333333:role/r")
                .code(c -> c.zipFile(
                        SdkBytes.fromByteArray(FunctionPackage.testRuntime().zip()))));
        assertThatThrownBy(() -> other.invoke(b -> b.functionName(arn))).isInstanceOf(ResourceNotFoundException.class);

        // A statement for function URLs only, or for another account, admits no invoke.
        owner.addPermission(b -> b.functionName(name)
                .statementId("url")
                .action("lambda:InvokeFunctionUrl")
                .principal("*")
                .functionUrlAuthType("NONE"));
        owner.addPermission(b -> b.functionName(name)
                .statementId("someone-else")
                .action("lambda:InvokeFunction")
                .principal("555555555555"));
        assertThatThrownBy(() -> other.invoke(b -> b.functionName(arn))).isInstanceOf(ResourceNotFoundException.class);

        owner.addPermission(b -> b.functionName(name)
                .statementId("other")
                .action("lambda:InvokeFunction")
                .principal("arn:aws:iam::444444444444:root"));
        assertThat(other.invoke(b -> b.functionName(arn).payload(SdkBytes.fromUtf8String("{}")))
                        .statusCode())
                .isEqualTo(200);
        // Still not the function's owner: reading or changing it stays the owner's.
        assertThatThrownBy(() -> other.getFunction(b -> b.functionName(arn)))
                .isInstanceOf(ResourceNotFoundException.class);

        owner.removePermission(b -> b.functionName(name).statementId("other"));
        assertThatThrownBy(() -> other.invoke(b -> b.functionName(arn))).isInstanceOf(ResourceNotFoundException.class);
    }
}
