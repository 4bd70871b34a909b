package dev.spur.sandbox;

import dev.spur.sandbox.Sandbox.LaunchSpec;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Not a test: prints start-to-exit latency of {@code /usr/bin/true} in the process and linux
 * sandboxes (the latter also with network none, when socat is installed), and freeze+thaw latency
 * of a running environment (medians and p99).
 * Run: {@code java -cp spur-sandbox/target/classes:spur-sandbox/target/test-classes dev.spur.sandbox.SandboxLatency}
 */
public final class SandboxLatency {
    private SandboxLatency() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path dir = Files.createTempDirectory("spur-latency");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path out = Files.createFile(dir.resolve("out"));
        LaunchSpec trueSpec = new LaunchSpec(List.of("/usr/bin/true"), Path.of("/"), Map.of(), out, 128);
        LinuxSandbox linux = Sandbox.linux(LinuxSandbox.Settings.defaults());
        report(
                "process: start → exit of true",
                n,
                () -> Sandbox.process().start(trueSpec).onExit().get());
        // bwrap's own setup runs in the environment's cgroup, under its CPU quota: at 128 MB that is
        // 7.2 ms per 100 ms period, so the small size pays for the sandbox's setup in throttling.
        report(
                "linux:   start → exit of true, 128 MB",
                n,
                () -> linux.start(trueSpec).onExit().get());
        LaunchSpec fullCore = new LaunchSpec(List.of("/usr/bin/true"), Path.of("/"), Map.of(), out, 1769);
        report(
                "linux:   start → exit of true, 1769 MB",
                n,
                () -> linux.start(fullCore).onExit().get());
        if (LinuxSandbox.checkNetworkNone().available()) {
            Path socket = dir.resolve("runtime-api.sock");
            try (var api = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                api.bind(UnixDomainSocketAddress.of(socket));
                Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
                Sandbox.Network none = Sandbox.Network.none(socket);
                report(
                        "linux:   start → exit of true, 128 MB, none",
                        n,
                        () -> linux.start(trueSpec.withNetwork(none)).onExit().get());
                report(
                        "linux:   start → exit of true, 1769 MB, none",
                        n,
                        () -> linux.start(fullCore.withNetwork(none)).onExit().get());
            } finally {
                Files.deleteIfExists(socket);
            }
        }
        SandboxedProcess busy = linux.start(new LaunchSpec(
                List.of("/usr/bin/python3", "-c", "while True: pass"), Path.of("/"), Map.of(), out, 1769));
        Thread.sleep(300);
        report("linux:   freeze + thaw (busy loop)", n, () -> {
            busy.freeze();
            busy.awaitFrozen();
            busy.thaw();
            return null;
        });
        long[] f = new long[n];
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            long a = System.nanoTime();
            busy.freeze();
            busy.awaitFrozen();
            long b = System.nanoTime();
            busy.thaw();
            f[i] = b - a;
            t[i] = System.nanoTime() - b;
        }
        print("linux:   freeze alone", f);
        print("linux:   thaw alone", t);
        busy.kill();
        busy.onExit().get();
        Files.delete(out);
        Files.delete(dir);
    }

    private interface Step {
        Object run() throws Exception;
    }

    private static void report(String what, int n, Step step) throws Exception {
        for (int i = 0; i < 10; i++) {
            step.run(); // warm up
        }
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            step.run();
            nanos[i] = System.nanoTime() - t0;
        }
        print(what, nanos);
    }

    private static void print(String what, long[] nanos) {
        Arrays.sort(nanos);
        System.out.printf(
                "%-42s n=%d  median %.2f ms  p99 %.2f ms%n",
                what,
                nanos.length,
                nanos[nanos.length / 2] / 1e6,
                nanos[(int) Math.ceil(nanos.length * 0.99) - 1] / 1e6);
    }
}
