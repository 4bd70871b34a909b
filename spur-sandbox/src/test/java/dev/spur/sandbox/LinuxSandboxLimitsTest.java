package dev.spur.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.testing.Await;
import dev.spur.testing.HostProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cgroup side: memory, CPU, pids, /tmp size, freezing, killing and cleaning up. */
class LinuxSandboxLimitsTest {
    private static final String BUSY_LOOP = "while True: pass";

    @TempDir
    Path root;

    Jail jail;

    @AfterAll
    static void removeTheTestsParentCgroups() throws Exception {
        Jail.removeParentCgroups();
    }

    @BeforeEach
    void setUp() throws Exception {
        jail = new Jail(root, LinuxSandbox.Settings.defaults().withPidsMax(64));
    }

    @Test
    void fillingTmpPastItsSizeIsEnospcInsideOnly() throws Exception {
        Jail.Result r = jail.run(jail.spec(256, "/usr/bin/python3", "-c", """
                import errno
                n = 0
                try:
                    with open('/tmp/fill', 'wb') as f:
                        while True:
                            f.write(b'x' * (1 << 20)); f.flush(); n += 1
                except OSError as e:
                    print('stopped', errno.errorcode[e.errno], n)
                """).withEphemeralMb(8));
        assertThat(r.output()).containsPattern("stopped ENOSPC [78]\\b");
        assertThat(r.status().code()).isZero();
        Path hostFile = Files.writeString(root.resolve("host-still-fine"), "x".repeat(1 << 20));
        assertThat(Files.size(hostFile)).isEqualTo(1 << 20);
    }

    @Test
    void aForkBombIsBoundedByPidsMaxAndLeavesNothing() throws Exception {
        Jail.Result r = jail.python("""
                import os, time, errno
                n = 0
                try:
                    while n < 10000:
                        if os.fork() == 0:
                            time.sleep(600); os._exit(0)
                        n += 1
                except OSError as e:
                    print('fork failed', errno.errorcode[e.errno], 'after', n)
                """);
        assertThat(r.output()).containsPattern("fork failed EAGAIN after (\\d+)");
        int forked = Integer.parseInt(r.output().replaceAll("(?s).*after (\\d+).*", "$1"));
        assertThat(forked).isLessThan(64);
        assertThat(r.process().cgroupDirs()).allSatisfy(d -> assertThat(d).doesNotExist());
        assertThat(new ProcessBuilder("true").start().waitFor()).isZero(); // the host still forks
    }

    @Test
    void allocatingPastTheMemoryLimitIsOomKilledAndReported() throws Exception {
        Jail.Result r = jail.python("""
                chunks = []
                for i in range(100):
                    chunks.append(bytearray(b'\\x01') * (10 << 20))
                print('ALLOCATED 1000 MB')
                """);
        assertThat(r.output()).doesNotContain("ALLOCATED");
        assertThat(r.status().signal()).isEqualTo(9);
        assertThat(r.process().oomKilled()).isTrue();
        assertThat(r.process().peakMemoryBytes()).isBetween(100L << 20, 128L << 20);
    }

    @Test
    void withinTheLimitIsNotOomAndPeakMemoryIsMeasured() throws Exception {
        Jail.Result r = jail.python("x = bytearray(b'\\x01') * (40 << 20); print('ok')");
        assertThat(r.output()).contains("ok");
        assertThat(r.process().oomKilled()).isFalse();
        assertThat(r.process().peakMemoryBytes()).isBetween(40L << 20, 128L << 20);
    }

    @Test
    void aFrozenEnvironmentUsesNoCpuAndThawResumesIt() throws Exception {
        Jailed p = jail.start(jail.spec(1769, "/usr/bin/python3", "-c", BUSY_LOOP));
        try {
            Thread.sleep(300);
            p.freeze();
            p.awaitFrozen();
            long frozenAt = p.cpuNanos();
            Thread.sleep(300);
            long whileFrozen = p.cpuNanos() - frozenAt;
            p.thaw();
            long thawedAt = p.cpuNanos();
            Thread.sleep(300);
            long afterThaw = p.cpuNanos() - thawedAt;
            assertThat(whileFrozen).isLessThan(TimeUnit.MILLISECONDS.toNanos(10)); // running, it would use ~300 ms
            assertThat(afterThaw).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(20));
            assertThat(p.isAlive()).isTrue();
        } finally {
            p.kill();
        }
    }

    @Test
    void cpuIsProportionalToMemory() throws Exception {
        Jailed small = jail.start(jail.spec(128, "/usr/bin/python3", "-c", BUSY_LOOP));
        Jailed large = jail.start(jail.spec(1769, "/usr/bin/python3", "-c", BUSY_LOOP));
        try {
            small.limitCpu(); // as the pools do when init ends
            large.limitCpu();
            Thread.sleep(200);
            long s0 = small.cpuNanos();
            long l0 = large.cpuNanos();
            Thread.sleep(1000);
            long s = small.cpuNanos() - s0;
            long l = large.cpuNanos() - l0;
            // 128/1769 of a core (72 ms/s) against a full core, loosely: others share this machine.
            assertThat(s).isLessThan(TimeUnit.MILLISECONDS.toNanos(150));
            assertThat((double) l / s).as("large %d ns, small %d ns", l, s).isGreaterThan(2);
        } finally {
            small.kill();
            large.kill();
        }
    }

    /**
     * The quota holds a busy environment to its share, in short stalls: the kernel's own counters
     * ({@code cpu.stat}) say how often and how long it was held, whatever else runs on the machine.
     */
    @Test
    void aSpentQuotaHoldsTheEnvironmentForLessThanOnePeriod() throws Exception {
        Jailed busy = jail.start(jail.spec(512, "/usr/bin/python3", "-c", BUSY_LOOP));
        CpuLimit share = CpuLimit.forMemory(512, Runtime.getRuntime().availableProcessors());
        try {
            busy.limitCpu();
            Thread.sleep(200);
            long cpu0 = busy.cpuNanos();
            CpuThrottling before = busy.cpuThrottling();
            long wall0 = System.nanoTime();
            Thread.sleep(1000);
            long cpu = busy.cpuNanos() - cpu0;
            CpuThrottling held = busy.cpuThrottling().minus(before);
            long wall = System.nanoTime() - wall0;

            // 512/1769 of a core is 289 ms a second; one period's burst at most on top.
            assertThat((double) cpu / wall)
                    .as("vCPU used by a busy loop at 512 MB")
                    .isLessThan(share.vcpus() * 1.15);
            assertThat(held.throttledPeriods())
                    .as("periods in which the quota ran out")
                    .isPositive();
            assertThat(held.periods())
                    .as("%s periods of %d µs in %d ms", held.periods(), share.periodMicros(), wall / 1_000_000)
                    .isGreaterThan(wall / 1000 / share.periodMicros() / 2);
            assertThat(held.throttledNanos() / held.throttledPeriods())
                    .as("the mean stall, ns (one thread busy)")
                    .isLessThanOrEqualTo(share.periodMicros() * 1000);
        } finally {
            busy.kill();
        }
    }

    @Test
    void killKillsEverythingAndRemovesTheCgroup() throws Exception {
        Jailed p = jail.start(jail.spec(128, "/bin/sh", "-c", "sleep 600 & sleep 600 & wait"));
        Thread.sleep(300);
        assertThat(p.cgroupDirs()).allSatisfy(d -> assertThat(d).isDirectory());
        List<HostProcess> inside = new ArrayList<>(); // by pid and start time: a pid may be reused meanwhile
        for (String pid : Files.readAllLines(p.cgroupDirs().get(0).resolve("cgroup.procs"))) {
            HostProcess.of(Long.parseLong(pid)).ifPresent(inside::add);
        }
        assertThat(inside).hasSizeGreaterThanOrEqualTo(4); // bwrap, its reaper, sh, two sleeps
        p.kill();
        SandboxedProcess.ExitStatus status = p.onExit().get(10, TimeUnit.SECONDS);
        assertThat(status.signal()).isEqualTo(9);
        assertThat(p.cgroupDirs()).allSatisfy(d -> assertThat(d).doesNotExist());
        assertThat(inside).as("still running (alive, not a zombie)").noneMatch(HostProcess::running);
    }

    @Test
    void cgroupsAreRemovedAfterExit() throws Exception {
        Jail.Result r = jail.run(jail.spec(128, "/usr/bin/true"));
        assertThat(r.status().code()).isZero();
        assertThat(r.process().cgroupDirs())
                .isNotEmpty()
                .allSatisfy(d -> assertThat(d).doesNotExist());
    }

    @Test
    void cleanUpLeftoversRemovesAStaleCgroupAndKillsWhatIsInIt() throws Exception {
        LinuxSandbox.Settings settings = LinuxSandbox.Settings.defaults().withCgroupName("spur-test-leftovers");
        Cgroups cgroups = Cgroups.detect(settings.cgroupName());
        Cgroups.Group stale = cgroups.create("crashed-1", LinuxSandbox.limits(128, 16));
        Process orphan = new ProcessBuilder("sleep", "600").start();
        for (Path procs : stale.procsFiles()) {
            Files.writeString(procs, Long.toString(orphan.pid()));
        }
        // an environment of a Spur that still runs (this JVM): a second Spur on the same parent keeps it
        Cgroups.Group live = cgroups.create(ProcessHandle.current().pid() + "-999999", LinuxSandbox.limits(128, 16));
        int removed = Sandbox.linux(settings).cleanUpLeftovers();
        assertThat(removed).isEqualTo(1);
        assertThat(live.dirs()).allSatisfy(d -> assertThat(d).exists());
        live.remove();
        assertThat(stale.dirs()).allSatisfy(d -> assertThat(d).doesNotExist());
        assertThat(orphan.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(Sandbox.linux(settings).cleanUpLeftovers()).isZero();
    }

    @Test
    void aParkedLauncherServesTheNextStartAndCloseRemovesWhatIsParked() throws Exception {
        LinuxSandbox sandbox = Sandbox.linux(LinuxSandbox.Settings.defaults().withSpares(1));
        try {
            Jail.Result first = jail.run(sandbox, jail.spec(128, "/usr/bin/python3", "-c", "print('first')"));
            assertThat(first.output()).contains("first");
            Launchers.Parked parked = awaitParked(sandbox);
            assertThat(parked.process().isAlive()).isTrue();
            assertThat(parked.group().dirs()).allSatisfy(d -> assertThat(d).exists());
            // the parked shell is already in its cgroup: the next start only sets the limits
            Jail.Result second = jail.run(sandbox, jail.spec(128, "/usr/bin/python3", "-c", "print('second')"));
            assertThat(second.output()).contains("second");
            assertThat(second.process().cgroupId()).isEqualTo(parked.group().id());
            awaitParked(sandbox);
        } finally {
            sandbox.close();
        }
        assertThat(sandbox.spares()).isEmpty();
    }

    private static Launchers.Parked awaitParked(LinuxSandbox sandbox) {
        Await.await(
                "a parked launcher",
                Duration.ofSeconds(5),
                () -> !sandbox.spares().isEmpty());
        assertThat(sandbox.spares()).hasSize(1);
        return sandbox.spares().getFirst();
    }

    @Test
    void aMissingCommandExitsWithBwrapsMessageAndLeavesNothing() throws Exception {
        Jail.Result r = jail.run(jail.spec(128, "/var/task/bootstrap"));
        assertThat(r.status().code()).isNotZero();
        assertThat(r.output()).contains("bootstrap");
        assertThat(r.process().cgroupDirs()).allSatisfy(d -> assertThat(d).doesNotExist());
    }
}
