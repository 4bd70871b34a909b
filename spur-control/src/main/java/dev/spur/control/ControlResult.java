package dev.spur.control;

import dev.spur.common.FunctionConfig;
import java.util.List;
import java.util.Optional;

/** What a {@link FunctionCommand} produced; the edge renders each in Lambda's wire shape. */
public sealed interface ControlResult {

    /** A function's configuration (create, get configuration, updates). */
    record Configuration(FunctionConfig config) implements ControlResult {
    }

    /** GetFunction: the configuration plus where its code package can be downloaded. */
    record FunctionWithCode(FunctionConfig config) implements ControlResult {
    }

    record FunctionList(List<FunctionConfig> functions, Optional<String> nextMarker) implements ControlResult {
    }

    record Deleted() implements ControlResult {
    }
}
