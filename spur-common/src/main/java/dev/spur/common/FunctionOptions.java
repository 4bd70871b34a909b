package dev.spur.common;

import java.util.List;

/**
 * Configuration members IaC tools send and read back that Spur stores and echoes exactly, without
 * acting on them (a template that sets them deploys unchanged and shows no drift): X-Ray tracing
 * mode, the KMS key of the environment variables, the VPC attachment (Spur functions reach the
 * network as the host does; there is no VPC) and SnapStart (environments start as usual).
 *
 * @param tracingMode      {@code PassThrough} (the default) or {@code Active}
 * @param kmsKeyArn        empty when none
 * @param subnetIds        {@code VpcConfig.SubnetIds}, empty when none
 * @param securityGroupIds {@code VpcConfig.SecurityGroupIds}
 * @param ipv6DualStack    {@code VpcConfig.Ipv6AllowedForDualStack}
 * @param snapStartApplyOn {@code None} (the default) or {@code PublishedVersions}
 */
public record FunctionOptions(
        String tracingMode,
        String kmsKeyArn,
        List<String> subnetIds,
        List<String> securityGroupIds,
        boolean ipv6DualStack,
        String snapStartApplyOn) {

    public static final FunctionOptions DEFAULT =
            new FunctionOptions("PassThrough", "", List.of(), List.of(), false, "None");

    public FunctionOptions {
        tracingMode = tracingMode == null ? "PassThrough" : tracingMode;
        kmsKeyArn = kmsKeyArn == null ? "" : kmsKeyArn;
        subnetIds = subnetIds == null ? List.of() : List.copyOf(subnetIds);
        securityGroupIds = securityGroupIds == null ? List.of() : List.copyOf(securityGroupIds);
        snapStartApplyOn = snapStartApplyOn == null ? "None" : snapStartApplyOn;
    }

    /** Whether a VpcConfig was given (and is echoed). */
    public boolean hasVpc() {
        return !subnetIds.isEmpty() || !securityGroupIds.isEmpty();
    }
}
