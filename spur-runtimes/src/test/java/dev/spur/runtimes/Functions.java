package dev.spur.runtimes;

import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Function configurations for tests. */
final class Functions {
    private Functions() {}

    static FunctionConfig function(String runtime, String handler, int memoryMb) {
        return new FunctionConfig(
                new FunctionKey("123456789012", "us-east-1", "my-function"),
                "$LATEST",
                runtime,
                handler,
                "arn:aws:iam::123456789012:role/r",
                "",
                memoryMb,
                3,
                Map.of(),
                new FunctionConfig.Code("00", 0),
                512,
                List.of("x86_64"),
                Instant.EPOCH,
                "rev-1",
                FunctionConfig.State.Active,
                FunctionConfig.LastUpdateStatus.Successful,
                null,
                null,
                null,
                null);
    }
}
