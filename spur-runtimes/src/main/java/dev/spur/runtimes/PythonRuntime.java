package dev.spur.runtimes;

import dev.spur.common.FunctionConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code python3.X}: Spur's {@code bootstrap.py} (standard library only) on the machine's CPython.
 * {@code -S} keeps the host's {@code site} hooks ({@code .pth} files, {@code sitecustomize}) out of
 * every cold start; the client puts the site-packages directories on {@code sys.path} itself.
 * Output is unbuffered so logs interleave as written; no bytecode is written because code
 * directories are read-only.
 */
record PythonRuntime(String id, Path python, Path runtimeDir) implements LambdaRuntime {

    @Override
    public LaunchPlan plan(FunctionConfig function, Path taskRoot) {
        return plan(function, taskRoot, runtimeDir);
    }

    @Override
    public LaunchPlan plan(FunctionConfig function, Path taskRoot, Path clientDir) {
        return new LaunchPlan(
                List.of(
                        python.toString(),
                        "-S",
                        clientDir.resolve("bootstrap.py").toString()),
                Map.of(
                        "AWS_EXECUTION_ENV",
                        "AWS_Lambda_" + id,
                        "LAMBDA_RUNTIME_DIR",
                        clientDir.toString(),
                        "PYTHONUNBUFFERED",
                        "1",
                        "PYTHONDONTWRITEBYTECODE",
                        "1"));
    }

    /** {@code PYTHONPATH} as Lambda's: the layers' {@code python/lib/pythonX.Y/site-packages}, then {@code python}. */
    @Override
    public Map<String, String> layerVariables(Path opt, Path taskRoot) {
        return Map.of("PYTHONPATH", opt.resolve("python/lib/" + id + "/site-packages") + ":" + opt.resolve("python"));
    }

    @Override
    public Optional<Path> clientDirectory() {
        return Optional.of(runtimeDir);
    }
}
