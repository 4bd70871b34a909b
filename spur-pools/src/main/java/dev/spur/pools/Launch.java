package dev.spur.pools;

import dev.spur.common.FunctionConfig;
import dev.spur.runtimes.LambdaRuntime;
import dev.spur.runtimes.LambdaRuntime.LaunchPlan;
import dev.spur.sandbox.Sandbox;
import dev.spur.sandbox.Sandbox.LaunchSpec;
import dev.spur.sandbox.Sandbox.Mount;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds what an environment's process is started with: the runtime's command and Lambda's environment
 * (but {@code AWS_LAMBDA_RUNTIME_API}, which the sandbox sets: it chooses how the runtime reaches
 * the Runtime API, {@link Sandbox#launch}).
 * In a sandbox that {@linkplain Sandbox#isolatesFiles() isolates files}, the function sees its code
 * read-only at {@code /var/task} and the runtime client at {@code /var/runtime}, as on Lambda, and
 * every path in the command and environment names those; elsewhere they are the host's paths.
 * Its layers' merged tree is at {@code /opt} in such a sandbox; elsewhere the variables and the
 * bundled clients' search paths name the tree's host path ({@code PATH}, {@code LD_LIBRARY_PATH},
 * {@link LambdaRuntime#layerVariables}, {@value #OPT_VARIABLE}), and code that names {@code /opt}
 * literally does not find it.
 */
final class Launch {
    static final Path TASK_ROOT = Path.of("/var/task");
    static final Path RUNTIME_DIR = Path.of("/var/runtime");
    /** Where a function's layers are, as on Lambda (the linux sandbox binds the merged tree there). */
    static final Path OPT = Path.of("/opt");
    /**
     * Spur's variable naming the layers' directory as the process sees it: {@code /opt} in the linux
     * sandbox; the merged tree's host path in the process sandbox, which cannot show it at {@code /opt}
     * (the bundled clients read it, so their search paths point there either way).
     */
    static final String OPT_VARIABLE = "SPUR_OPT";

    private Launch() {}

    /**
     * The process environment: Lambda's defaults (a function may override {@code PATH}, {@code LANG},
     * {@code TZ}, {@code LD_LIBRARY_PATH}), the function's own variables, then Lambda's reserved ones
     * (which the control plane never lets a function set), then the runtime's own. Nothing is
     * inherited from Spur's own environment.
     */
    static LaunchSpec spec(
            Deployment deployment,
            boolean isolated,
            String logStream,
            Path output,
            String initializationType,
            Map<String, String> platform) {
        FunctionConfig fn = deployment.config();
        LambdaRuntime runtime = deployment.runtime();
        Path taskRoot = isolated ? TASK_ROOT : deployment.taskRoot();
        LaunchPlan plan = isolated ? runtime.plan(fn, TASK_ROOT, RUNTIME_DIR) : runtime.plan(fn, taskRoot);
        Optional<Path> opt = deployment.layers().map(dir -> isolated ? OPT : dir);
        Map<String, String> env = new HashMap<>();
        env.put("LANG", "en_US.UTF-8");
        env.put("TZ", ":UTC");
        env.put(
                "PATH",
                "/usr/local/bin:/usr/bin:/bin" + opt.map(o -> ":" + o + "/bin").orElse(""));
        env.put(
                "LD_LIBRARY_PATH",
                "/usr/local/lib:/usr/lib:/lib:" + taskRoot + ":" + taskRoot + "/lib"
                        + opt.map(o -> ":" + o + "/lib").orElse(""));
        env.putAll(platform);
        env.putAll(fn.environment());
        env.put("_HANDLER", fn.handler());
        env.put("AWS_REGION", fn.key().region());
        env.put("AWS_DEFAULT_REGION", fn.key().region());
        env.put("AWS_LAMBDA_FUNCTION_NAME", fn.key().name());
        env.put("AWS_LAMBDA_FUNCTION_VERSION", fn.version());
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(fn.memorySize()));
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", initializationType);
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", fn.logging().logGroup(fn.key()));
        env.put("AWS_LAMBDA_LOG_FORMAT", fn.logging().logFormat());
        if (!fn.logging().applicationLogLevel().isEmpty()) {
            env.put("AWS_LAMBDA_LOG_LEVEL", fn.logging().applicationLogLevel());
        }
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", logStream);
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        env.putAll(plan.environment());
        if (opt.isPresent()) {
            env.put(OPT_VARIABLE, opt.get().toString());
            env.putAll(runtime.layerVariables(opt.get(), taskRoot));
        }
        LaunchSpec spec = new LaunchSpec(plan.command(), taskRoot, env, output, fn.memorySize());
        if (fn.ephemeralStorage() > 0) {
            spec = spec.withEphemeralMb(fn.ephemeralStorage());
        }
        return isolated ? spec.withMounts(mounts(deployment)) : spec;
    }

    /**
     * The code at {@code /var/task}, the layers at {@code /opt}, the client at {@code /var/runtime}, an
     * interpreter outside /usr where it is.
     */
    private static List<Mount> mounts(Deployment deployment) {
        List<Mount> mounts = new ArrayList<>();
        mounts.add(Mount.readOnly(deployment.taskRoot().toAbsolutePath(), TASK_ROOT.toString()));
        deployment.layers().ifPresent(dir -> mounts.add(Mount.readOnly(dir.toAbsolutePath(), OPT.toString())));
        deployment
                .runtime()
                .clientDirectory()
                .ifPresent(dir -> mounts.add(Mount.readOnly(dir.toAbsolutePath(), RUNTIME_DIR.toString())));
        for (Path dir : deployment.runtime().interpreterDirectories()) {
            mounts.add(Mount.readOnly(dir.toAbsolutePath(), dir.toAbsolutePath().toString()));
        }
        return mounts;
    }

    /** Lambda's wording for a runtime that cannot be executed. */
    static String describeStartFailure(IOException e) {
        String message = String.valueOf(e.getMessage());
        int quote = message.indexOf('"');
        int end = quote >= 0 ? message.indexOf('"', quote + 1) : -1;
        String program = end > quote ? message.substring(quote + 1, end) : "bootstrap";
        Matcher errno = Pattern.compile("error[=:] ?(\\d+)").matcher(message);
        String code = errno.find() ? errno.group(1) : "";
        return switch (code) {
            case "2" -> "Couldn't find valid bootstrap(s): [" + program + "]";
            case "13" -> "fork/exec " + program + ": permission denied";
            case "8" -> "fork/exec " + program + ": exec format error";
            default -> "fork/exec " + program + ": " + message;
        };
    }
}
