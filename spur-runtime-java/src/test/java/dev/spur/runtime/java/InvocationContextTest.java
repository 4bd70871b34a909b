package dev.spur.runtime.java;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.ClientContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InvocationContextTest {

    private static InvocationContext context(long deadline, String clientContext, String identity) {
        return new InvocationContext(
                TestInvocations.FUNCTION,
                new Invocation(
                        "req-1",
                        deadline,
                        "arn:aws:lambda:us-east-1:123456789012:function:my-function",
                        "Root=1-abc",
                        clientContext,
                        identity,
                        new byte[0]));
    }

    @Test
    void functionIdentityComesFromTheEnvironmentAndTheRestFromTheInvocation() {
        InvocationContext context = context(Long.MAX_VALUE, null, null);
        assertThat(context.getAwsRequestId()).isEqualTo("req-1");
        assertThat(context.getFunctionName()).isEqualTo("my-function");
        assertThat(context.getFunctionVersion()).isEqualTo("$LATEST");
        assertThat(context.getMemoryLimitInMB()).isEqualTo(512);
        assertThat(context.getLogGroupName()).isEqualTo("/aws/lambda/my-function");
        assertThat(context.getLogStreamName()).isEqualTo("2024/01/01/[$LATEST]0123");
        assertThat(context.getInvokedFunctionArn()).endsWith(":function:my-function");
        assertThat(context.getXrayTraceId()).isEqualTo("Root=1-abc");
        assertThat(context.getClientContext()).isNull();
        assertThat(context.getIdentity()).isNull();
        assertThat(context.getLogger()).isInstanceOf(StdoutLogger.class);
    }

    @Test
    void remainingTimeCountsDownToTheDeadlineAndStopsAtZero() {
        assertThat(context(System.currentTimeMillis() + 2_000, null, null).getRemainingTimeInMillis())
                .isBetween(1_000, 2_000);
        assertThat(context(System.currentTimeMillis() - 5_000, null, null).getRemainingTimeInMillis())
                .isZero();
    }

    @Test
    void clientContextHasAwsMobileShape() {
        ClientContext cc = context(
                        0,
                        "{\"client\":{\"installation_id\":\"i\",\"app_title\":\"t\",\"app_version_name\":\"1.0\","
                                + "\"app_version_code\":10,\"app_package_name\":\"p\"},\"custom\":{\"k\":\"v\"},\"env\":{\"platform\":\"Android\"}}",
                        null)
                .getClientContext();
        assertThat(cc.getClient().getInstallationId()).isEqualTo("i");
        assertThat(cc.getClient().getAppTitle()).isEqualTo("t");
        assertThat(cc.getClient().getAppVersionName()).isEqualTo("1.0");
        assertThat(cc.getClient().getAppVersionCode()).isEqualTo("10");
        assertThat(cc.getClient().getAppPackageName()).isEqualTo("p");
        assertThat(cc.getCustom()).isEqualTo(Map.of("k", "v"));
        assertThat(cc.getEnvironment()).isEqualTo(Map.of("platform", "Android"));
    }

    @Test
    void cognitoIdentityIsRead() {
        var identity = context(
                        0,
                        null,
                        "{\"cognitoIdentityId\":\"us-east-1:abc\",\"cognitoIdentityPoolId\":\"us-east-1:pool\"}")
                .getIdentity();
        assertThat(identity.getIdentityId()).isEqualTo("us-east-1:abc");
        assertThat(identity.getIdentityPoolId()).isEqualTo("us-east-1:pool");
    }

    @Test
    void malformedClientContextFailsWhenAskedFor() {
        assertThatThrownBy(() -> context(0, "{not json", null).getClientContext())
                .isInstanceOf(IllegalArgumentException.class);
    }
}
