package dev.spur.store;

import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Test configurations: a complete {@code $LATEST} with every field set to something non-default. */
final class Functions {
    static final String ACCOUNT = "123456789012";
    static final String REGION = "us-east-1";

    private Functions() {}

    static FunctionKey key(String name) {
        return new FunctionKey(ACCOUNT, REGION, name);
    }

    static FunctionConfig config(FunctionKey key, String revisionId) {
        return new FunctionConfig(
                key,
                "$LATEST",
                "python3.13",
                "app.handler",
                "arn:aws:iam::123456789012:role/x",
                "a description",
                256,
                30,
                Map.of("GREETING", "hello", "EMPTY", ""),
                new FunctionConfig.Code("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 1234),
                1024,
                List.of("x86_64"),
                Instant.parse("2025-01-02T03:04:05.123456789Z"),
                revisionId,
                FunctionConfig.State.Active,
                FunctionConfig.LastUpdateStatus.Successful,
                null,
                null,
                null,
                null);
    }

    static FunctionConfig config(String name) {
        return config(key(name), "rev-1");
    }
}
