package dev.spur.control;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The closed set of control-plane operations on functions. The edge parses a request into one of
 * these (no state touched while parsing); {@link ControlPlane#handle} executes it. Fields that a
 * request may omit are {@link Optional}; create and update are different types.
 */
public sealed interface FunctionCommand {

    Caller caller();

    record CreateFunction(
            Caller caller,
            String functionName,
            Optional<String> runtime,
            Optional<String> handler,
            Optional<String> role,
            Optional<String> description,
            Optional<Integer> memorySize,
            Optional<Integer> timeout,
            Optional<Map<String, String>> environment,
            Optional<byte[]> zipFile,
            Unsupported unsupported,
            Optional<List<String>> architectures,
            Optional<Integer> ephemeralStorage) implements FunctionCommand {
    }

    record GetFunction(Caller caller, String functionName, Optional<String> qualifier) implements FunctionCommand {
    }

    record GetFunctionConfiguration(Caller caller, String functionName, Optional<String> qualifier)
            implements FunctionCommand {
    }

    record ListFunctions(Caller caller, Optional<String> marker, Optional<Integer> maxItems,
                         Optional<String> functionVersion) implements FunctionCommand {
    }

    record UpdateFunctionCode(
            Caller caller,
            String functionName,
            Optional<byte[]> zipFile,
            boolean dryRun,
            Optional<String> revisionId,
            Unsupported unsupported,
            Optional<List<String>> architectures) implements FunctionCommand {
    }

    record UpdateFunctionConfiguration(
            Caller caller,
            String functionName,
            Optional<String> runtime,
            Optional<String> handler,
            Optional<String> role,
            Optional<String> description,
            Optional<Integer> memorySize,
            Optional<Integer> timeout,
            Optional<Map<String, String>> environment,
            Optional<String> revisionId,
            Unsupported unsupported,
            Optional<Integer> ephemeralStorage) implements FunctionCommand {
    }

    record DeleteFunction(Caller caller, String functionName, Optional<String> qualifier) implements FunctionCommand {
    }

    /**
     * Parameters Lambda accepts that this server does not implement yet, by wire name. A command with
     * any of them set is refused with a message naming them, rather than silently ignored.
     */
    record Unsupported(List<String> names) {
        public static final Unsupported NONE = new Unsupported(List.of());

        public Unsupported {
            names = List.copyOf(names);
        }
    }
}
