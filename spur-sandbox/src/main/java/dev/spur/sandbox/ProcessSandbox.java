package dev.spur.sandbox;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs each environment as a plain child process: no namespaces, no limits. Memory is measured from
 * {@code /proc} (the sum of every process's {@code VmHWM} in the tree); killing walks the tree. It
 * cannot take a process off the network, so it refuses {@link Network#none(Path)} rather than run
 * the function with the host's network it was asked not to have.
 */
final class ProcessSandbox implements Sandbox {

    @Override
    public String name() {
        return "process";
    }

    /** @throws IOException also if the spec asks for {@link Network#none(Path)} */
    @Override
    public SandboxedProcess start(LaunchSpec spec) throws IOException {
        if (!(spec.network() instanceof Network.Host)) {
            throw new IOException("the process sandbox cannot run a function without network (network none); "
                    + "use the linux sandbox");
        }
        ProcessBuilder builder = new ProcessBuilder(spec.command())
                .directory(spec.workingDirectory().toFile());
        builder.environment().clear();
        builder.environment().putAll(spec.environment());
        builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.output().toFile()));
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
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
            // Every descendant (a full /proc scan: kill is rare, unlike the memory reads), children first.
            List<ProcessHandle> all = process.toHandle().descendants().toList();
            for (int i = all.size() - 1; i >= 0; i--) {
                all.get(i).destroyForcibly();
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

    /**
     * The few {@code /proc} reads the process sandbox needs, kept cheap because memory is read after
     * every invocation: one small read per process, no line splitting. Children are those of each
     * process's main thread ({@code task/<pid>/children}); a child forked by another thread is not
     * counted (the Linux sandbox reads its cgroup instead, which sees everything).
     */
    static final class ProcFs {
        private static final byte[] VM_HWM = "VmHWM:".getBytes(StandardCharsets.US_ASCII);

        private ProcFs() {}

        static List<Long> children(long pid) {
            List<Long> out = new ArrayList<>(2);
            try {
                byte[] text = Files.readAllBytes(Path.of("/proc/" + pid + "/task/" + pid + "/children"));
                long value = -1;
                for (byte b : text) {
                    if (b >= '0' && b <= '9') {
                        value = (value < 0 ? 0 : value * 10) + (b - '0');
                    } else if (value >= 0) {
                        out.add(value);
                        value = -1;
                    }
                }
                if (value >= 0) {
                    out.add(value);
                }
            } catch (IOException | RuntimeException e) {
                // the process is gone, or the kernel lacks /proc/*/children: report what was found
            }
            return out;
        }

        static long peakRssBytes(long pid) {
            try {
                byte[] status = Files.readAllBytes(Path.of("/proc/" + pid + "/status"));
                int at = indexOf(status, VM_HWM);
                if (at < 0) {
                    return 0;
                }
                long kb = 0;
                for (int i = at + VM_HWM.length; i < status.length && status[i] != '\n'; i++) {
                    if (status[i] >= '0' && status[i] <= '9') {
                        kb = kb * 10 + (status[i] - '0');
                    }
                }
                return kb * 1024;
            } catch (IOException | RuntimeException e) {
                return 0; // gone
            }
        }

        private static int indexOf(byte[] haystack, byte[] needle) {
            outer:
            for (int i = 0; i <= haystack.length - needle.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (haystack[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
