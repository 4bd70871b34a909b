package dev.spur.scheduler;

import dev.spur.common.FunctionConfig;
import dev.spur.runtimes.LambdaRuntime.LaunchPlan;
import dev.spur.sandbox.Sandbox.LaunchSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Builds what an environment's process is started with: the runtime's command and Lambda's environment. */
final class Launch {
    private Launch() {
    }

    /**
     * The process environment: Lambda's defaults (a function may override {@code PATH}, {@code LANG},
     * {@code TZ}, {@code LD_LIBRARY_PATH}), the function's own variables, then Lambda's reserved ones
     * (which the control plane never lets a function set), then the runtime's own. Nothing is
     * inherited from Spur's own environment.
     */
    static LaunchSpec spec(Deployment deployment, String runtimeApi, String logStream, Path output,
                           String initializationType) {
        FunctionConfig fn = deployment.config();
        Path taskRoot = deployment.taskRoot();
        LaunchPlan plan = deployment.runtime().plan(fn, taskRoot);
        Map<String, String> env = new HashMap<>();
        env.put("LANG", "en_US.UTF-8");
        env.put("TZ", ":UTC");
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("LD_LIBRARY_PATH", "/usr/local/lib:/usr/lib:/lib:" + taskRoot + ":" + taskRoot + "/lib");
        env.putAll(fn.environment());
        env.put("_HANDLER", fn.handler());
        env.put("AWS_REGION", fn.key().region());
        env.put("AWS_DEFAULT_REGION", fn.key().region());
        env.put("AWS_LAMBDA_FUNCTION_NAME", fn.key().name());
        env.put("AWS_LAMBDA_FUNCTION_VERSION", fn.version());
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(fn.memorySize()));
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", initializationType);
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + fn.key().name());
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", logStream);
        env.put("AWS_LAMBDA_RUNTIME_API", runtimeApi);
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        env.putAll(plan.environment());
        return new LaunchSpec(plan.command(), taskRoot, env, output, fn.memorySize());
    }

    /** Lambda's wording for a runtime that cannot be executed. */
    static String describeStartFailure(IOException e) {
        String message = String.valueOf(e.getMessage());
        int quote = message.indexOf('"');
        int end = quote >= 0 ? message.indexOf('"', quote + 1) : -1;
        String program = end > quote ? message.substring(quote + 1, end) : "bootstrap";
        java.util.regex.Matcher errno = java.util.regex.Pattern.compile("error[=:] ?(\\d+)").matcher(message);
        String code = errno.find() ? errno.group(1) : "";
        return switch (code) {
            case "2" -> "Couldn't find valid bootstrap(s): [" + program + "]";
            case "13" -> "fork/exec " + program + ": permission denied";
            case "8" -> "fork/exec " + program + ": exec format error";
            default -> "fork/exec " + program + ": " + message;
        };
    }
}
