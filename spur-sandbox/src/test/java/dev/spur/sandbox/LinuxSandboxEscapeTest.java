package dev.spur.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.sandbox.Sandbox.LaunchSpec;
import dev.spur.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each test is one way out of the sandbox, tried from inside it; each must fail. */
class LinuxSandboxEscapeTest {
    @TempDir
    Path root;

    Jail jail;

    @AfterAll
    static void removeTheTestsParentCgroups() throws Exception {
        Jail.removeParentCgroups();
    }

    @BeforeEach
    void setUp() throws Exception {
        jail = new Jail(root);
    }

    @Test
    void cannotReadAnotherFunctionsCodeOrTheDataDirectory() throws Exception {
        Files.writeString(jail.code.resolve("handler.py"), "mine");
        Path other = Files.createDirectories(root.resolve("other-function"));
        Files.writeString(other.resolve("secret.py"), "theirs");
        Path data = Files.createDirectories(root.resolve("data"));
        Files.writeString(data.resolve("spur.db"), "everything");
        for (Path p : List.of(other, data, other.resolve("secret.py"), data.resolve("spur.db"))) {
            Files.setPosixFilePermissions(
                    p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
        }
        Jail.Result r = jail.python("""
                import os
                print('own', open('/var/task/handler.py').read())
                for p in ['%s', '%s', '/root', '/home', '/var/lib', '/run', '/sys/fs/cgroup', '/etc/shadow']:
                    try:
                        os.listdir(p) if os.path.isdir(p) else open(p).read()
                        print('READ', p)
                    except OSError as e:
                        print('denied', p, e.strerror)
                print('root', sorted(os.listdir('/')))
                print('etc', sorted(os.listdir('/etc')))
                """.formatted(other.resolve("secret.py"), data.resolve("spur.db")));
        assertThat(r.status().code()).as(r.output()).isZero();
        assertThat(r.output()).contains("own mine").doesNotContain("READ").doesNotContain("theirs", "everything");
        assertThat(r.output())
                .contains("root ['bin', 'dev', 'etc', 'lib', 'lib64', 'proc', 'sbin', 'tmp', 'usr', 'var']");
        assertThat(r.output()).doesNotContain("'shadow'", "'sudoers'", "'ssh'");
    }

    @Test
    void cannotWriteOutsideTmp() throws Exception {
        Jail.Result r = jail.python("""
                for p in ['/var/task/x', '/usr/x', '/usr/bin/python3', '/etc/hosts', '/x', '/var/x', '/dev/x', '/tmp/x',
                          '/dev/shm/x', '/dev/null']:
                    try:
                        open(p, 'a').write('x')
                        print('wrote', p)
                    except OSError as e:
                        print('denied', p, e.strerror)
                """);
        assertThat(r.output())
                .contains("wrote /tmp/x")
                .contains(
                        "denied /var/task/x Read-only file system",
                        "denied /usr/x Read-only file system",
                        "denied /usr/bin/python3",
                        "denied /etc/hosts",
                        "denied /x Read-only file system",
                        "denied /var/x Read-only file system",
                        "denied /dev/x Read-only file system");
        assertThat(r.output().lines().filter(l -> l.startsWith("wrote")))
                .containsExactly("wrote /tmp/x", "wrote /dev/shm/x", "wrote /dev/null");
        assertThat(jail.code).isEmptyDirectory();
    }

    @Test
    void seesOnlyItsOwnProcesses() throws Exception {
        Process host = new ProcessBuilder("sleep", "60").start();
        try {
            Jail.Result r = jail.python("""
                    import os
                    print('pids', sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))
                    print('host', os.path.exists('/proc/%d'))
                    """.formatted(host.pid()));
            // bwrap's reaper as pid 1, python as 2: nothing of the host
            assertThat(r.output()).contains("pids [1, 2]").contains("host False");
            if (Files.isExecutable(Path.of("/usr/bin/ps"))) { // procps: not in every base image
                Jail.Result ps = jail.run(jail.spec(128, "/usr/bin/ps", "-e", "-o", "pid=,comm="));
                assertThat(ps.output().lines().map(String::strip)).containsExactly("1 bwrap", "2 ps");
            }
        } finally {
            host.destroyForcibly();
        }
    }

    @Test
    void eachLiveEnvironmentRunsAsAHostUidOfItsOwnAndGivesItBackWhenItEnds() throws Exception {
        Assumptions.assumeTrue(LinuxSandbox.isRoot(), "host uids are per environment only when Spur is root");
        SandboxedProcess a = jail.sandbox.start(jail.spec(128, "/bin/sleep", "60"));
        SandboxedProcess b = jail.sandbox.start(jail.spec(128, "/bin/sleep", "60"));
        try {
            LinuxSandbox.Settings defaults = LinuxSandbox.Settings.defaults();
            for (SandboxedProcess p : List.of(a, b)) {
                assertThat(p.hostUid())
                        .isBetween(defaults.firstHostUid(), defaults.firstHostUid() + defaults.hostUidCount() - 1);
                // the kernel's view: once sh has exec'd setpriv and bwrap, the process runs as that uid
                String uids = Await.await(
                        "process " + p.pid() + " to run as host uid " + p.hostUid(),
                        Duration.ofSeconds(5),
                        () -> uidLine(p.pid()),
                        l -> l.contains("\t" + p.hostUid() + "\t"));
                assertThat(uids.split("\\s+"))
                        .containsExactly(
                                "Uid:", "" + p.hostUid(), "" + p.hostUid(), "" + p.hostUid(), "" + p.hostUid());
            }
            assertThat(a.hostUid()).isNotEqualTo(b.hostUid());
        } finally {
            a.kill();
            b.kill();
        }
        a.onExit().get(10, TimeUnit.SECONDS);
        Path lock = defaultsLock(a.hostUid());
        try (FileChannel c = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            // another process could take it now; this JVM can too once its own lease is gone
            assertThat(c.tryLock()).as("the uid's lock is free").isNotNull();
        }
    }

    /** The {@code Uid:} line of {@code /proc/<pid>/status}: real, effective, saved and file-system uid. */
    private static String uidLine(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("Uid:"))
                    .findFirst()
                    .orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path defaultsLock(int uid) {
        return LinuxSandbox.Settings.defaults().stateDirectory().resolve("uids").resolve(uid + ".lock");
    }

    @Test
    void theKernelsRiskiestCallsAreRefusedBySeccomp() throws Exception {
        Assumptions.assumeTrue(Seccomp.program().isPresent(), "the filter is built for x86-64");
        Jail.Result r = jail.python("""
                import ctypes, os
                libc = ctypes.CDLL(None, use_errno=True)
                for name, nr in [('bpf', 321), ('userfaultfd', 323), ('perf_event_open', 298), ('keyctl', 250),
                                 ('io_uring_setup', 425), ('open_by_handle_at', 304), ('x32 getpid', 0x40000027),
                                 ('getpid', 39)]:
                    ctypes.set_errno(0)
                    rc = libc.syscall(nr, 0, 0, 0, 0, 0)
                    print(name, 'ok' if rc >= 0 else os.strerror(ctypes.get_errno()))
                print([l.split()[1] for l in open('/proc/self/status') if l.startswith('Seccomp:')])
                print('fds', sorted(os.listdir('/proc/self/fd')))
                """);
        assertThat(r.output())
                .contains(
                        "bpf Operation not permitted",
                        "userfaultfd Operation not permitted",
                        "perf_event_open Operation not permitted",
                        "keyctl Operation not permitted",
                        "io_uring_setup Function not implemented",
                        "open_by_handle_at Operation not permitted",
                        "x32 getpid Operation not permitted",
                        "getpid ok",
                        "['2']");
        assertThat(r.output()).contains("fds ['0', '1', '2', '3']"); // the filter's fd 4 is closed
    }

    @Test
    void cannotSignalOrPtraceAHostProcess() throws Exception {
        Process host = new ProcessBuilder("sleep", "60").start();
        try {
            Jail.Result r = jail.python("""
                    import ctypes, os, signal
                    pid = %d
                    try:
                        os.kill(pid, signal.SIGKILL)
                        print('KILLED')
                    except OSError as e:
                        print('kill denied', e.strerror)
                    libc = ctypes.CDLL(None, use_errno=True)
                    rc = libc.ptrace(16, pid, None, None)  # PTRACE_ATTACH
                    print('ptrace', rc, os.strerror(ctypes.get_errno()))
                    try:
                        os.kill(-1, signal.SIGKILL)  # everything it may signal: only its own namespace
                    except OSError as e:
                        print('kill -1', e.strerror)
                    print('alive')
                    """.formatted(host.pid()));
            assertThat(r.output()).doesNotContain("KILLED").contains("kill denied", "ptrace -1", "alive");
            assertThat(host.isAlive()).isTrue();
        } finally {
            host.destroyForcibly();
        }
    }

    @Test
    void aSetuidBinaryGivesNoRoot() throws Exception {
        Path suid = jail.code.resolve("suid-id");
        Files.copy(Path.of("/usr/bin/id"), suid);
        Files.setAttribute(suid, "unix:mode", 04755); // owned by whoever runs the test: root in CI
        Jail.Result r = jail.run(
                jail.spec(
                        128,
                        "/bin/sh",
                        "-c",
                        "/var/task/suid-id -u; /var/task/suid-id -ru; /usr/bin/su -c id root </dev/null; echo su=$?; "
                                + "/usr/bin/python3 -c 'import os; os.setuid(0); print(\"SETUID OK\")' 2>&1 | tail -1; grep -E '^(NoNewPrivs|CapEff)' /proc/self/status"));
        assertThat(r.output().lines()).startsWith("993", "993");
        assertThat(r.output())
                .doesNotContain("uid=0", "SETUID OK")
                .contains("Invalid argument") // uid 0 is not even mapped
                .containsPattern("NoNewPrivs:\\s+1")
                .containsPattern("CapEff:\\s+0000000000000000");
        assertThat(r.output()).doesNotContain("su=0");
    }

    @Test
    void seesOnlyTheEnvironmentItWasGiven() throws Exception {
        LaunchSpec spec = jail.spec(128, "/usr/bin/env");
        spec = new LaunchSpec(
                spec.command(),
                spec.workingDirectory(),
                Map.of("A", "1", "B", "two words"),
                spec.output(),
                128,
                512,
                spec.mounts());
        Jail.Result r = jail.run(spec);
        // PWD is bwrap's, from --chdir (Lambda's runtimes see PWD=/var/task too)
        assertThat(r.output().lines()).containsExactlyInAnyOrder("A=1", "B=two words", "PWD=/var/task");
    }

    @Test
    void theEnvironmentIsNotOnTheHostsCommandLines() throws Exception {
        LaunchSpec spec = jail.spec(128, "/usr/bin/sleep", "30");
        spec = new LaunchSpec(
                spec.command(),
                spec.workingDirectory(),
                Map.of("SECRET", "hunter2"),
                spec.output(),
                128,
                512,
                spec.mounts());
        Jailed p = jail.start(spec);
        try {
            Thread.sleep(300);
            List<ProcessHandle> tree =
                    ProcessHandle.of(p.pid()).orElseThrow().descendants().toList();
            assertThat(tree).isNotEmpty();
            for (ProcessHandle h : tree) {
                assertThat(Files.readString(Path.of("/proc/" + h.pid() + "/cmdline")))
                        .doesNotContain("hunter2");
            }
            assertThat(Files.readString(Path.of("/proc/" + p.pid() + "/cmdline")))
                    .doesNotContain("hunter2");
        } finally {
            p.kill();
        }
    }
}
