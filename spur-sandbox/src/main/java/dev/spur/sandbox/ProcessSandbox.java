package dev.spur.sandbox;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
        /** The main process's two files, kept open: each reading is one {@code pread}. */
        private final ProcFs.Reader status;

        private final ProcFs.Reader children;

        Child(Process process) {
            this.process = process;
            this.status = ProcFs.Reader.open("/proc/" + process.pid() + "/status");
            this.children = ProcFs.Reader.open("/proc/" + process.pid() + "/task/" + process.pid() + "/children");
            this.exit = process.onExit().thenApply(p -> {
                status.close();
                children.close();
                return status(p.exitValue());
            });
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

        /**
         * Read after every invocation, so cheaply: the main process's {@code VmHWM} and its list of
         * children, one {@code pread} each on files kept open; only a child, if there is one (most
         * runtimes have none), costs a file opened and read.
         */
        @Override
        public long peakMemoryBytes() {
            long total = ProcFs.vmHwmBytes(status.read());
            List<Long> direct = ProcFs.pids(children.read());
            if (direct.isEmpty()) {
                return total;
            }
            List<Long> more = new ArrayList<>(direct);
            for (int i = 0; i < more.size(); i++) {
                long pid = more.get(i);
                total += ProcFs.peakRssBytes(pid);
                more.addAll(ProcFs.children(pid));
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
    }

    /**
     * The few {@code /proc} reads the process sandbox needs, kept cheap because memory is read after
     * every invocation: one small read per process, no line splitting. Children are those of each
     * process's main thread ({@code task/<pid>/children}); a child forked by another thread is not
     * counted (the Linux sandbox reads its cgroup instead, which sees everything).
     */
    static final class ProcFs {
        private static final byte[] VM_HWM = "VmHWM:".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] NOTHING = new byte[0];

        private ProcFs() {}

        static List<Long> children(long pid) {
            try {
                return pids(Files.readAllBytes(Path.of("/proc/" + pid + "/task/" + pid + "/children")));
            } catch (IOException | RuntimeException e) {
                return List.of(); // the process is gone, or the kernel lacks /proc/*/children
            }
        }

        static long peakRssBytes(long pid) {
            try {
                return vmHwmBytes(Files.readAllBytes(Path.of("/proc/" + pid + "/status")));
            } catch (IOException | RuntimeException e) {
                return 0; // gone
            }
        }

        /** The numbers in a space-separated list ({@code children}). */
        static List<Long> pids(byte[] text) {
            List<Long> out = new ArrayList<>(2);
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
            return out;
        }

        /** {@code VmHWM} of a {@code status} file's text, in bytes (0 if absent). */
        static long vmHwmBytes(byte[] status) {
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

        /**
         * One {@code /proc} file kept open and read again from its start with one {@code pread}: the
         * kernel generates its text anew at offset 0. Empty once the process is gone or closed. A
         * reader interrupted mid-read closes the channel (NIO's rule): the next read opens it again.
         */
        static final class Reader {
            private final Path path;
            private FileChannel channel;
            private ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
            private boolean closed;

            private Reader(Path path) {
                this.path = path;
            }

            static Reader open(String path) {
                Reader reader = new Reader(Path.of(path));
                synchronized (reader) {
                    reader.channel();
                }
                return reader;
            }

            private FileChannel channel() {
                if (closed) {
                    return null;
                }
                if (channel == null || !channel.isOpen()) {
                    try {
                        channel = FileChannel.open(path, StandardOpenOption.READ);
                    } catch (IOException | RuntimeException e) {
                        return null; // the process is gone, or the kernel has no such file
                    }
                }
                return channel;
            }

            synchronized byte[] read() {
                FileChannel c = channel();
                if (c == null) {
                    return NOTHING;
                }
                try {
                    while (true) {
                        buffer.clear();
                        int n = c.read(buffer, 0);
                        if (n < buffer.capacity()) {
                            byte[] text = new byte[Math.max(0, n)];
                            buffer.flip();
                            buffer.get(text);
                            return text;
                        }
                        buffer = ByteBuffer.allocateDirect(buffer.capacity() * 2); // did not fit: larger
                    }
                } catch (IOException | RuntimeException e) {
                    return NOTHING; // gone, or interrupted (then reopened next time)
                }
            }

            synchronized void close() {
                closed = true;
                if (channel != null) {
                    try {
                        channel.close();
                    } catch (IOException e) {
                        // nothing to do
                    }
                }
            }
        }
    }
}
