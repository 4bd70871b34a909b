package dev.spur.s3;

import dev.spur.common.FunctionKey;
import java.util.Optional;

/**
 * How S3 finds the function a notification names by ARN ({@code arn:aws:lambda:<region>:<account>:
 * function:<name>[:<qualifier>]}), given by the server (spur-s3 does not depend on the control plane).
 * Spur models no resource policies: a function of the bucket owner's account may be notified, any
 * other is refused as S3 refuses a destination it may not invoke.
 */
@FunctionalInterface
public interface FunctionLookup {
    /** The function and qualifier ("" for none), if {@code account} has it. */
    Optional<Target> find(String account, String region, String functionArn);

    record Target(FunctionKey function, String qualifier) {}
}
