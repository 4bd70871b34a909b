package dev.spur.e2e;

import dev.spur.testing.HostProcess;
import dev.spur.testing.server.HostCgroups;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The linux sandbox's environments as the host (root) sees them: which processes run which function,
 * on which Runtime API port, in which cgroup. For tests that check what a function could not reach
 * and what an environment left behind. Reads {@code /proc} and {@code /sys/fs/cgroup} only.
 */
final class HostView {
    private HostView() {}

    /**
     * One live environment.
     *
     * @param runtime    the function's processes (the runtime and what it forked), not bwrap's
     * @param cgroupDirs its cgroup: one directory per v1 controller, or the v2 one
     */
    record Environment(String function, int runtimeApiPort, List<HostProcess> runtime, List<Path> cgroupDirs) {
        /** Everything in its cgroup now: bwrap, its reaper, the runtime and whatever it forked. */
        List<HostProcess> cgroupProcesses() {
            List<HostProcess> all = new ArrayList<>();
            try {
                for (String pid : Files.readAllLines(cgroupDirs.getFirst().resolve("cgroup.procs"))) {
                    HostProcess.of(Long.parseLong(pid.strip())).ifPresent(all::add);
                }
            } catch (NoSuchFileException e) {
                return List.of();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return all;
        }
    }

    /** The environments of {@code function} among {@code server}'s descendants. */
    static List<Environment> environments(ProcessHandle server, String function) {
        return environments(server).stream()
                .filter(e -> e.function().equals(function))
                .toList();
    }

    /**
     * Every environment among {@code server}'s descendants, told apart by the variables of their
     * processes ({@code AWS_LAMBDA_RUNTIME_API} is one port per environment).
     */
    static List<Environment> environments(ProcessHandle server) {
        Map<String, List<HostProcess>> byEndpoint = new LinkedHashMap<>();
        Map<String, String> functions = new LinkedHashMap<>();
        Map<String, Long> firstPid = new LinkedHashMap<>();
        for (ProcessHandle p : server.descendants().toList()) {
            Map<String, String> env = environ(p.pid());
            String endpoint = env.get("AWS_LAMBDA_RUNTIME_API");
            if (endpoint == null) {
                continue; // bwrap and its reaper run with an empty environment
            }
            Optional<HostProcess> proc = HostProcess.of(p.pid());
            if (proc.isPresent()) {
                byEndpoint.computeIfAbsent(endpoint, k -> new ArrayList<>()).add(proc.get());
                functions.put(endpoint, env.get("AWS_LAMBDA_FUNCTION_NAME"));
                firstPid.putIfAbsent(endpoint, p.pid());
            }
        }
        List<Environment> out = new ArrayList<>();
        byEndpoint.forEach((endpoint, procs) -> out.add(new Environment(
                functions.get(endpoint),
                Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1)),
                List.copyOf(procs),
                HostCgroups.cgroupDirs(firstPid.get(endpoint)))));
        return out;
    }

    private static Map<String, String> environ(long pid) {
        Map<String, String> env = new LinkedHashMap<>();
        try {
            String all = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8);
            for (String entry : all.split("\0")) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    env.put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            // gone meanwhile
        }
        return env;
    }
}
