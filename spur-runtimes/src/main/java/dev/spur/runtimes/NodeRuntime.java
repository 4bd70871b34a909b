package dev.spur.runtimes;

import dev.spur.common.FunctionConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code nodejsNN.x}: Spur's {@code bootstrap.mjs} and {@code runtime-api.mjs} (Node's standard
 * library only) on the machine's {@code node}. {@code NODE_PATH} lets bare specifiers resolve from
 * the task root, as on Lambda.
 *
 * <p>Unlike Lambda, no V8 flags are passed (Lambda caps the old generation below the function's
 * memory and exposes {@code gc()}): any V8 flag makes Node recompile its built-in modules instead of
 * using their code cache, 10–25 ms more CPU per cold start. Nor any tuning flag: measured at 32
 * clients, {@code --v8-pool-size=1}, {@code --single-threaded}, {@code --max-semi-space-size},
 * {@code --always-sparkplug} and {@code --no-lazy-feedback-allocation} saved no CPU per invoke, and a
 * lower {@code --interrupt-budget} (earlier optimisation) was not a steady gain. Functions wanting
 * flags can set {@code NODE_OPTIONS}.
 */
record NodeRuntime(String id, Path node, Path runtimeDir) implements LambdaRuntime {

    @Override
    public LaunchPlan plan(FunctionConfig function, Path taskRoot) {
        return plan(function, taskRoot, runtimeDir);
    }

    @Override
    public LaunchPlan plan(FunctionConfig function, Path taskRoot, Path clientDir) {
        return new LaunchPlan(
                List.of(node.toString(), clientDir.resolve("bootstrap.mjs").toString()),
                Map.of(
                        "AWS_EXECUTION_ENV",
                        "AWS_Lambda_" + id,
                        "LAMBDA_RUNTIME_DIR",
                        clientDir.toString(),
                        "NODE_PATH",
                        taskRoot.toAbsolutePath().toString()));
    }

    /**
     * {@code NODE_PATH} as Lambda's: the layers' {@code nodejs/nodeNN/node_modules} (this runtime's major)
     * and {@code nodejs/node_modules}, then the task root. Node reads it for {@code require} (CommonJS);
     * ES modules' {@code import} of a bare name does not use it, on Lambda either.
     */
    @Override
    public Map<String, String> layerVariables(Path opt, Path taskRoot) {
        String major = id.replaceAll("[^0-9]", "");
        return Map.of(
                "NODE_PATH",
                opt.resolve("nodejs/node" + major + "/node_modules") + ":" + opt.resolve("nodejs/node_modules") + ":"
                        + taskRoot.toAbsolutePath());
    }

    @Override
    public Optional<Path> clientDirectory() {
        return Optional.of(runtimeDir);
    }
}
