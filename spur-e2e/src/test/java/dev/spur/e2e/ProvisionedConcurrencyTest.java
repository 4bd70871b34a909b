package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.FunctionKey;
import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.GetProvisionedConcurrencyConfigResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyConfigNotFoundException;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyStatusEnum;

/** Provisioned concurrency through the Lambda API: environments exist before the first invoke and serve it warm. */
@SpurTest
class ProvisionedConcurrencyTest {
    static Spur spur;

    @Test
    void provisionedEnvironmentsAreReadyBeforeTheFirstInvokeAndServeItWithoutInit() throws Exception {
        String name = Spur.uniqueName("pc");
        spur.create(name, FunctionPackage.testRuntime());
        assertThat(spur.lambda().publishVersion(b -> b.functionName(name)).version())
                .isEqualTo("1");
        spur.lambda().createAlias(b -> b.functionName(name).name("prod").functionVersion("1"));

        var put = spur.lambda()
                .putProvisionedConcurrencyConfig(
                        b -> b.functionName(name).qualifier("prod").provisionedConcurrentExecutions(2));
        assertThat(put.requestedProvisionedConcurrentExecutions()).isEqualTo(2);

        GetProvisionedConcurrencyConfigResponse ready = awaitReady(name, "prod");
        assertThat(ready.allocatedProvisionedConcurrentExecutions()).isEqualTo(2);
        assertThat(ready.availableProvisionedConcurrentExecutions()).isEqualTo(2);
        FunctionKey key = new FunctionKey("000000000000", "us-east-1", name);
        assertThat(spur.server().pools().liveEnvironments(key, "1")).isEqualTo(2);

        for (int i = 0; i < 3; i++) {
            InvokeResponse r = spur.lambda()
                    .invoke(b -> b.functionName(name)
                            .qualifier("prod")
                            .logType(LogType.TAIL)
                            .payload(SdkBytes.fromUtf8String("{}")));
            String log = Spur.tail(r);
            assertThat(log).contains("REPORT RequestId").doesNotContain("Init Duration");
            assertThat(r.payload().asUtf8String())
                    .contains("\"AWS_LAMBDA_INITIALIZATION_TYPE\": \"provisioned-concurrency\"");
        }
        assertThat(spur.server().pools().liveEnvironments(key, "1")).isEqualTo(2);

        assertThat(spur.lambda()
                        .listProvisionedConcurrencyConfigs(b -> b.functionName(name))
                        .provisionedConcurrencyConfigs())
                .singleElement()
                .satisfies(c -> assertThat(c.functionArn()).endsWith(":function:" + name + ":prod"));

        spur.lambda()
                .deleteProvisionedConcurrencyConfig(b -> b.functionName(name).qualifier("prod"));
        assertThatThrownBy(() -> spur.lambda()
                        .getProvisionedConcurrencyConfig(
                                b -> b.functionName(name).qualifier("prod")))
                .isInstanceOf(ProvisionedConcurrencyConfigNotFoundException.class);
        spur.server().pools().reapIdle(); // no longer exempt; they stop at the keep-alive like any other
        spur.lambda().deleteFunction(b -> b.functionName(name));
        assertThat(spur.server().pools().liveEnvironments(key)).isZero();
    }

    @Test
    void latestCannotBeProvisionedAndReservedConcurrencyCapsProvisioned() {
        String name = Spur.uniqueName("pc-rules");
        spur.create(name, FunctionPackage.testRuntime());
        assertThatThrownBy(() -> spur.lambda()
                        .putProvisionedConcurrencyConfig(
                                b -> b.functionName(name).qualifier("$LATEST").provisionedConcurrentExecutions(1)))
                .isInstanceOf(InvalidParameterValueException.class);
        spur.lambda().publishVersion(b -> b.functionName(name));
        spur.lambda().putFunctionConcurrency(b -> b.functionName(name).reservedConcurrentExecutions(1));
        assertThatThrownBy(() -> spur.lambda()
                        .putProvisionedConcurrencyConfig(
                                b -> b.functionName(name).qualifier("1").provisionedConcurrentExecutions(2)))
                .isInstanceOf(InvalidParameterValueException.class);
        assertThatThrownBy(() -> spur.lambda()
                        .getProvisionedConcurrencyConfig(
                                b -> b.functionName(name).qualifier("1")))
                .isInstanceOf(ProvisionedConcurrencyConfigNotFoundException.class);
        spur.lambda().deleteFunction(b -> b.functionName(name));
    }

    @Test
    void aFunctionWhoseInitFailsReportsFailed() throws Exception {
        String name = spur.deploy(
                "pc-fail",
                FunctionPackage.testRuntime(),
                b -> b.environment(e -> e.variables(Map.of("INIT_FAIL", "1"))));
        spur.lambda().publishVersion(b -> b.functionName(name));
        spur.lambda()
                .putProvisionedConcurrencyConfig(
                        b -> b.functionName(name).qualifier("1").provisionedConcurrentExecutions(1));
        GetProvisionedConcurrencyConfigResponse status = Await.await(
                "the provisioned concurrency of " + name + " to leave IN_PROGRESS",
                Duration.ofSeconds(30),
                () -> spur.lambda()
                        .getProvisionedConcurrencyConfig(
                                b -> b.functionName(name).qualifier("1")),
                s -> s.status() != ProvisionedConcurrencyStatusEnum.IN_PROGRESS);
        assertThat(status.status()).isEqualTo(ProvisionedConcurrencyStatusEnum.FAILED);
        assertThat(status.statusReason()).contains("init failed on purpose");
        spur.lambda().deleteFunction(b -> b.functionName(name));
    }

    private static GetProvisionedConcurrencyConfigResponse awaitReady(String name, String qualifier) {
        return Await.await(
                "the provisioned concurrency of " + name + ":" + qualifier + " to be READY",
                Duration.ofSeconds(30),
                () -> spur.lambda()
                        .getProvisionedConcurrencyConfig(
                                b -> b.functionName(name).qualifier(qualifier)),
                s -> s.status() == ProvisionedConcurrencyStatusEnum.READY);
    }
}
