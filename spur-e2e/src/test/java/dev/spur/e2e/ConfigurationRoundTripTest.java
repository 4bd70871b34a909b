package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Zips;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.lambda.model.CreateFunctionResponse;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.LogFormat;
import software.amazon.awssdk.services.lambda.model.PublishVersionResponse;
import software.amazon.awssdk.services.lambda.model.SnapStartApplyOn;
import software.amazon.awssdk.services.lambda.model.SnapStartOptimizationStatus;
import software.amazon.awssdk.services.lambda.model.TracingMode;

/**
 * What Terraform does on every plan: create a function with every member set, read it back with
 * GetFunction and GetFunctionConfiguration, and compare member by member. Any member not echoed
 * exactly would show as drift.
 */
@SpurTest
class ConfigurationRoundTripTest {
    static Spur spur;

    @Test
    void everyMemberSentIsReadBackUnchangedOnLatestAndOnAPublishedVersion() {
        String layer = spur.lambda()
                .publishLayerVersion(b -> b.layerName(Spur.uniqueName("rt"))
                        .content(c -> c.zipFile(SdkBytes.fromByteArray(Zips.of(Map.of("python/x.py", "X = 1\n"))))))
                .layerVersionArn();
        String name = Spur.uniqueName("terraform");
        byte[] zip =
                FunctionPackage.python("def handler(e, c):\n    return 1\n").zip();

        CreateFunctionResponse created = spur.lambda()
                .createFunction(b -> b.functionName(name)
                        .runtime("python3.12")
                        .handler("app.handler")
                        .role(Spur.ROLE)
                        .description("every member")
                        .timeout(30)
                        .memorySize(256)
                        .environment(e -> e.variables(Map.of("STAGE", "prod")))
                        .tracingConfig(t -> t.mode(TracingMode.ACTIVE))
                        .kmsKeyArn("arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab")
                        .vpcConfig(v -> v.subnetIds("subnet-0a1b2c3d").securityGroupIds("sg-0a1b2c3d"))
                        .snapStart(s -> s.applyOn(SnapStartApplyOn.PUBLISHED_VERSIONS))
                        .ephemeralStorage(e -> e.size(1024))
                        .loggingConfig(l -> l.logFormat(LogFormat.JSON))
                        .architecturesWithStrings("x86_64")
                        .layers(layer)
                        .code(c -> c.zipFile(SdkBytes.fromByteArray(zip))));

        assertThat(created.tracingConfig().mode()).isEqualTo(TracingMode.ACTIVE);
        assertThat(created.kmsKeyArn()).startsWith("arn:aws:kms:");
        assertThat(created.vpcConfig().subnetIds()).containsExactly("subnet-0a1b2c3d");
        assertThat(created.vpcConfig().securityGroupIds()).containsExactly("sg-0a1b2c3d");
        assertThat(created.vpcConfig().vpcId()).isEmpty();
        assertThat(created.snapStart().applyOn()).isEqualTo(SnapStartApplyOn.PUBLISHED_VERSIONS);
        assertThat(created.snapStart().optimizationStatus()).isEqualTo(SnapStartOptimizationStatus.OFF);
        assertThat(created.layers())
                .singleElement()
                .satisfies(l -> assertThat(l.arn()).isEqualTo(layer));
        assertThat(created.imageConfigResponse()).isNull();

        GetFunctionConfigurationResponse read = spur.lambda().getFunctionConfiguration(b -> b.functionName(name));
        FunctionConfiguration viaGetFunction =
                spur.lambda().getFunction(b -> b.functionName(name)).configuration();
        assertThat(members(read)).isEqualTo(members(created));
        assertThat(members(viaGetFunction)).isEqualTo(members(created));

        PublishVersionResponse published = spur.lambda().publishVersion(b -> b.functionName(name));
        assertThat(published.snapStart().optimizationStatus()).isEqualTo(SnapStartOptimizationStatus.ON);
        GetFunctionConfigurationResponse version =
                spur.lambda().getFunctionConfiguration(b -> b.functionName(name).qualifier(published.version()));
        assertThat(members(version)).isEqualTo(members(published));
        Map<String, Object> latest = members(read);
        Map<String, Object> one = members(version);
        for (String unchanged : List.of(
                "TracingConfig",
                "KMSKeyArn",
                "VpcConfig",
                "Layers",
                "Environment",
                "EphemeralStorage",
                "LoggingConfig")) {
            assertThat(one.get(unchanged)).as(unchanged).isEqualTo(latest.get(unchanged));
        }

        // An update that sends some members keeps the others as they were.
        spur.lambda()
                .updateFunctionConfiguration(
                        b -> b.functionName(name).tracingConfig(t -> t.mode(TracingMode.PASS_THROUGH)));
        GetFunctionConfigurationResponse updated = spur.lambda().getFunctionConfiguration(b -> b.functionName(name));
        assertThat(updated.tracingConfig().mode()).isEqualTo(TracingMode.PASS_THROUGH);
        assertThat(updated.vpcConfig()).isEqualTo(read.vpcConfig());
        assertThat(updated.kmsKeyArn()).isEqualTo(read.kmsKeyArn());

        assertThatThrownBy(() -> spur.lambda()
                        .updateFunctionConfiguration(b -> b.functionName(name).tracingConfig(t -> t.mode("Sometimes"))))
                .isInstanceOf(InvalidParameterValueException.class);
        assertThatThrownBy(() -> spur.lambda()
                        .updateFunctionConfiguration(b -> b.functionName(name)
                                .deadLetterConfig(d -> d.targetArn("arn:aws:sqs:us-east-1:000000000000:dlq"))))
                .isInstanceOf(InvalidParameterValueException.class)
                .hasMessageContaining("DeadLetterConfig");
    }

    /** Every member of a response by its wire name, as the SDK parsed it. */
    private static Map<String, Object> members(SdkPojo response) {
        Map<String, Object> out = new TreeMap<>();
        for (SdkField<?> field : response.sdkFields()) {
            out.put(field.locationName(), field.getValueOrDefault(response));
        }
        return out;
    }
}
