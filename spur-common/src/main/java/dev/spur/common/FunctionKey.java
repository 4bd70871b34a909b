package dev.spur.common;

import java.util.Objects;

/** The identity of a function: the account and region it lives in and its name. */
public record FunctionKey(String account, String region, String name) {
    public FunctionKey {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(name, "name");
    }

    /** {@code arn:aws:lambda:<region>:<account>:function:<name>}. */
    public String arn() {
        return Arns.function(this);
    }

    public String qualifiedArn(String qualifier) {
        return arn() + ":" + qualifier;
    }

    @Override
    public String toString() {
        return account + "/" + region + "/" + name;
    }
}
