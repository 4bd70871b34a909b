package dev.spur.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs each environment as a plain child process: no namespaces, no limits. Memory is measured from
 * {@code /proc} (the sum of every process's {@code VmHWM} in the tree); killing walks the tree.
 */
final class ProcessSandbox implements Sandbox {

    @Override
    public String name() {
        return "process";
    }

    @Override
    public SandboxedProcess start(LaunchSpec spec) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(spec.command()).directory(spec.workingDirectory().toFile());
        builder.environment().clear();
        builder.environment().putAll(spec.environment());
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(spec.output().toFile()));
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return new Child(builder.start());
    }

    private static final class Child implements SandboxedProcess {
        private final Process process;
        private final CompletableFuture<ExitStatus> exit;

        Child(Process process) {
            this.process = process;
            this.exit = process.onExit().thenApply(p -> status(p.exitValue()));
        }

        private static ExitStatus status(int value) {
            // The JDK reports death by signal N as 128 + N.
            return value > 128 && value < 160 ? new ExitStatus(value, value - 128) : new ExitStatus(value, 0);
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public CompletableFuture<ExitStatus> onExit() {
            return exit;
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public long peakMemoryBytes() {
            long total = 0;
            for (long pid : tree(process.pid())) {
                total += ProcFs.peakRssBytes(pid);
            }
            return total;
        }

        @Override
        public void kill() {
            // Children first, so none is re-parented away before it is found.
            List<Long> pids = tree(process.pid());
            for (int i = pids.size() - 1; i >= 0; i--) {
                ProcessHandle.of(pids.get(i)).ifPresent(ProcessHandle::destroyForcibly);
            }
            process.destroyForcibly();
        }

        private static List<Long> tree(long root) {
            List<Long> out = new ArrayList<>();
            out.add(root);
            for (int i = 0; i < out.size(); i++) {
                out.addAll(ProcFs.children(out.get(i)));
            }
            return out;
        }
    }

    /** The few {@code /proc} reads the process sandbox needs. */
    static final class ProcFs {
        private ProcFs() {
        }

        static List<Long> children(long pid) {
            List<Long> out = new ArrayList<>();
            Path tasks = Path.of("/proc", Long.toString(pid), "task");
            try (var dirs = Files.newDirectoryStream(tasks)) {
                for (Path task : dirs) {
                    String text = Files.readString(task.resolve("children")).trim();
                    if (!text.isEmpty()) {
                        for (String child : text.split(" ")) {
                            out.add(Long.parseLong(child));
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the process is gone, or the kernel lacks /proc/*/children: report what was found
            }
            return out;
        }

        static long peakRssBytes(long pid) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmHWM:")) {
                        String kb = line.substring(6).trim();
                        return Long.parseLong(kb.substring(0, kb.indexOf(' '))) * 1024;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // gone
            }
            return 0;
        }
    }
}
