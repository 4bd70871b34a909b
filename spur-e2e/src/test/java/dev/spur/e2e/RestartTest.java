package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.common.FunctionKey;
import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.FunctionUrlAuthType;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyStatusEnum;

/** Everything a release sets up survives a restart; provisioned environments are started again. */
@SpurTest(shared = false)
class RestartTest {
    static Spur spur;

    @Test
    void versionsAliasesConcurrencyUrlsAndTagsSurviveARestart() throws Exception {
        String name = Spur.uniqueName("durable");
        spur.create(name, FunctionPackage.testRuntime());
        spur.lambda().publishVersion(b -> b.functionName(name));
        spur.lambda()
                .updateFunctionConfiguration(
                        b -> b.functionName(name).environment(e -> e.variables(Map.of("RELEASE", "two"))));
        spur.lambda().publishVersion(b -> b.functionName(name));
        spur.lambda()
                .createAlias(b -> b.functionName(name)
                        .name("live")
                        .functionVersion("1")
                        .routingConfig(r -> r.additionalVersionWeights(Map.of("2", 0.25))));
        spur.lambda().putFunctionConcurrency(b -> b.functionName(name).reservedConcurrentExecutions(5));
        spur.lambda()
                .putProvisionedConcurrencyConfig(
                        b -> b.functionName(name).qualifier("2").provisionedConcurrentExecutions(1));
        String url = spur.lambda()
                .createFunctionUrlConfig(
                        b -> b.functionName(name).qualifier("live").authType(FunctionUrlAuthType.NONE))
                .functionUrl();
        String arn = spur.lambda()
                .getFunction(b -> b.functionName(name))
                .configuration()
                .functionArn();
        spur.lambda().tagResource(b -> b.resource(arn).tags(Map.of("team", "core")));

        spur.restart();

        assertThat(spur.lambda()
                        .listVersionsByFunction(b -> b.functionName(name))
                        .versions())
                .extracting(v -> v.version())
                .containsExactly("$LATEST", "1", "2");
        assertThat(spur.lambda()
                        .getAlias(b -> b.functionName(name).name("live"))
                        .routingConfig()
                        .additionalVersionWeights())
                .containsEntry("2", 0.25);
        var fn = spur.lambda().getFunction(b -> b.functionName(name));
        assertThat(fn.concurrency().reservedConcurrentExecutions()).isEqualTo(5);
        assertThat(fn.tags()).containsEntry("team", "core");
        assertThat(spur.lambda()
                        .getFunctionUrlConfig(b -> b.functionName(name).qualifier("live"))
                        .functionUrl()
                        .replaceAll(":\\d+/$", ""))
                .isEqualTo(url.replaceAll(":\\d+/$", ""));

        Await.await(
                "the restored provisioned concurrency to be READY",
                Duration.ofSeconds(30),
                () -> spur.lambda()
                        .getProvisionedConcurrencyConfig(
                                b -> b.functionName(name).qualifier("2"))
                        .status(),
                status -> status == ProvisionedConcurrencyStatusEnum.READY);
        FunctionKey key = new FunctionKey("000000000000", "us-east-1", name);
        assertThat(spur.server().pools().liveEnvironments(key, "2")).isEqualTo(1);

        // Version numbers are never reused, even after the newest version is deleted.
        spur.lambda()
                .updateAlias(b -> b.functionName(name)
                        .name("live")
                        .functionVersion("1")
                        .routingConfig(r -> r.additionalVersionWeights(Map.of())));
        spur.lambda()
                .deleteProvisionedConcurrencyConfig(b -> b.functionName(name).qualifier("2"));
        spur.lambda().deleteFunction(b -> b.functionName(name).qualifier("2"));
        spur.lambda()
                .updateFunctionConfiguration(
                        b -> b.functionName(name).environment(e -> e.variables(Map.of("RELEASE", "three"))));
        assertThat(spur.lambda().publishVersion(b -> b.functionName(name)).version())
                .isEqualTo("3");
        spur.lambda().invoke(b -> b.functionName(name).qualifier("live").payload(SdkBytes.fromUtf8String("{}")));
        spur.lambda().deleteFunction(b -> b.functionName(name));
    }
}
