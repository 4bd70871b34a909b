package dev.spur.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cgroup v2's file protocol, against a temporary directory laid out as a cgroup2 mount (this machine
 * runs cgroup v1): which files Spur writes and reads, and what it makes of their contents. What the
 * kernel does with them — enforcing the limits, freezing, {@code cgroup.kill}, refusing controllers
 * to a cgroup with processes — cannot be tried here; SPECIFICATION.md says so.
 */
class CgroupsV2Test {
    private static final String ALL_CONTROLLERS = "cpuset cpu io memory hugetlb pids rdma misc\n";

    @TempDir
    Path mount;

    /** Spur's own cgroup, as systemd would give it. */
    Path service;

    @BeforeEach
    void layOutAMount() throws IOException {
        Files.writeString(mount.resolve("cgroup.controllers"), ALL_CONTROLLERS);
        Path slice = Files.createDirectories(mount.resolve("system.slice"));
        Files.writeString(slice.resolve("cgroup.controllers"), ALL_CONTROLLERS);
        service = Files.createDirectories(slice.resolve("spur.service"));
        Files.writeString(service.resolve("cgroup.controllers"), ALL_CONTROLLERS);
    }

    private Cgroups detect() throws IOException {
        return Cgroups.detect("spur", List.of("0::/system.slice/spur.service"), List.of(cgroup2MountLine(mount)));
    }

    static String cgroup2MountLine(Path mount) {
        return "35 24 0:30 / " + mount + " rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate";
    }

    /** As the kernel does when the parent is created: its own interface files. */
    private Path parentWithItsKernelFiles() throws IOException {
        Path parent = Files.createDirectories(mount.resolve("system.slice/spur"));
        Files.writeString(parent.resolve("cgroup.controllers"), "cpu memory pids\n");
        return parent;
    }

    @Test
    void theParentIsASiblingOfSpursOwnCgroupAndNeedsNoWatchdog() throws Exception {
        Cgroups cgroups = detect();
        assertThat(cgroups).isInstanceOf(CgroupsV2.class);
        assertThat(cgroups.parents()).containsExactly(mount.resolve("system.slice/spur"));
        assertThat(cgroups.describe()).isEqualTo("cgroup v2 at " + mount.resolve("system.slice/spur"));
        assertThat(cgroups.startWatchdog(ProcessHandle.current().pid())).isEmpty();
        Cgroups inTheRoot = Cgroups.detect("spur", List.of("0::/"), List.of(cgroup2MountLine(mount)));
        assertThat(inTheRoot.parents()).containsExactly(mount.resolve("spur"));
    }

    @Test
    void creatingTheParentEnablesTheControllersAboveAndInIt() throws Exception {
        Path parent = parentWithItsKernelFiles();
        detect().createParents();
        // a regular file keeps the last of the writes (+memory, +cpu, +pids); the kernel keeps them all
        assertThat(mount.resolve("system.slice/cgroup.subtree_control")).hasContent("+pids");
        assertThat(parent.resolve("cgroup.subtree_control")).hasContent("+pids");
    }

    @Test
    void aMissingControllerIsNamed() throws Exception {
        Path parent = parentWithItsKernelFiles();
        Files.writeString(parent.resolve("cgroup.controllers"), "cpu pids\n");
        assertThatThrownBy(() -> detect().createParents())
                .isInstanceOf(IOException.class)
                .hasMessage("cgroup v2 controller 'memory' is not available in " + parent);
    }

    @Test
    void anEnvironmentsLimitsAreWrittenInV2sFiles() throws Exception {
        parentWithItsKernelFiles();
        Cgroups.Group group =
                detect().create("1-1", LinuxSandbox.limits(128, 1024).withoutCpuQuota());
        Path dir = mount.resolve("system.slice/spur/1-1");
        assertThat(group.dirs()).containsExactly(dir);
        assertThat(group.procsFiles()).containsExactly(dir.resolve("cgroup.procs"));
        assertThat(dir.resolve("memory.max")).hasContent(Long.toString(128L << 20));
        assertThat(dir.resolve("memory.swap.max")).hasContent("0");
        assertThat(dir.resolve("cpu.max")).hasContent("max 13821");
        assertThat(dir.resolve("cpu.weight")).hasContent("7"); // 74 shares of 1,024 per vCPU
        assertThat(dir.resolve("pids.max")).hasContent("1024");
    }

    @Test
    void theCpuQuotaIsSetAndLiftedInCpuMax() throws Exception {
        parentWithItsKernelFiles();
        Cgroups.Group group = detect().createUnlimited("1-2");
        CpuLimit cpu = CpuLimit.forMemory(128, 2);
        Path dir = group.dirs().getFirst();
        group.limitCpu(cpu);
        assertThat(dir.resolve("cpu.max")).hasContent("1000 13821");
        assertThat(dir.resolve("cpu.max.burst")).hasContent("1000");
        group.limitCpu(cpu.withoutQuota());
        assertThat(dir.resolve("cpu.max")).hasContent("max 13821");
        assertThat(dir.resolve("cpu.max.burst")).hasContent("0");
    }

    @Test
    void v1SharesBecomeV2Weights() {
        assertThat(CgroupsV2.weight(1024)).isEqualTo(100);
        assertThat(CgroupsV2.weight(2)).isEqualTo(1);
        assertThat(CgroupsV2.weight(262_144)).isEqualTo(10_000);
    }

    @Test
    void freezingWritesCgroupFreezeAndWaitsForCgroupEventsToSayFrozen() throws Exception {
        parentWithItsKernelFiles();
        Cgroups.Group group = detect().createUnlimited("1-3");
        Path dir = group.dirs().getFirst();
        group.requestFreeze();
        assertThat(dir.resolve("cgroup.freeze")).hasContent("1");
        Files.writeString(dir.resolve("cgroup.events"), "populated 1\nfrozen 1\n"); // as the kernel, once frozen
        group.awaitFrozen();
        group.thaw();
        assertThat(dir.resolve("cgroup.freeze")).hasContent("0");
    }

    @Test
    void oomKillsPeakMemoryAndCpuTimeAreReadFromV2sTables() throws Exception {
        parentWithItsKernelFiles();
        Cgroups.Group group = detect().createUnlimited("1-4");
        Path dir = group.dirs().getFirst();
        assertThat(group.oomKills()).isZero();
        assertThat(group.peakMemoryBytes()).isZero();
        assertThat(group.cpuNanos()).isZero();
        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n");
        Files.writeString(dir.resolve("memory.current"), "4096\n");
        assertThat(group.cpuThrottling()).isEqualTo(CpuThrottling.NONE);
        Files.writeString(
                dir.resolve("cpu.stat"),
                "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 40\nnr_throttled 3\n"
                        + "throttled_usec 7000\nnr_bursts 1\nburst_usec 900\n");
        assertThat(group.oomKills()).isEqualTo(1);
        assertThat(group.peakMemoryBytes())
                .as("before kernel 5.19: memory.current")
                .isEqualTo(4096);
        assertThat(group.cpuNanos()).isEqualTo(1_500_000);
        assertThat(group.cpuThrottling()).isEqualTo(new CpuThrottling(40, 3, 7_000_000));
        Files.writeString(dir.resolve("memory.peak"), "65536\n");
        assertThat(group.peakMemoryBytes()).isEqualTo(65536);
    }

    @Test
    void killAllIsOneWriteToCgroupKillWhereTheKernelHasIt() throws Exception {
        parentWithItsKernelFiles();
        Cgroups.Group group = detect().createUnlimited("1-5");
        Path kill = Files.createFile(group.dirs().getFirst().resolve("cgroup.kill"));
        group.killAll();
        assertThat(kill).hasContent("1");
        assertThat(group.dirs().getFirst().resolve("cgroup.freeze")).doesNotExist();
    }

    @Test
    void withoutCgroupKillKillAllFreezesKillsEachProcessAndThaws() throws Exception {
        parentWithItsKernelFiles();
        Cgroups.Group group = detect().createUnlimited("1-6");
        Path dir = group.dirs().getFirst();
        Process inside = new ProcessBuilder("sleep", "600").start();
        try {
            Files.writeString(dir.resolve("cgroup.procs"), inside.pid() + "\n");
            Files.writeString(dir.resolve("cgroup.events"), "populated 1\nfrozen 1\n");
            group.killAll();
            assertThat(inside.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(dir.resolve("cgroup.freeze")).hasContent("0");
        } finally {
            inside.destroyForcibly();
        }
    }

    @Test
    void theParentsMemoryMaxCapsEveryEnvironmentAndItsWorkingSetLeavesOutInactiveFiles() throws Exception {
        Path parent = parentWithItsKernelFiles();
        Cgroups cgroups = detect();
        cgroups.limitParentMemory(3L << 30);
        assertThat(parent.resolve("memory.max")).hasContent(Long.toString(3L << 30));
        assertThat(cgroups.parentWorkingSetBytes()).as("nothing to read yet").isZero();
        Files.writeString(parent.resolve("memory.current"), "1000000\n");
        Files.writeString(parent.resolve("memory.stat"), "anon 600000\nfile 400000\ninactive_file 300000\n");
        assertThat(cgroups.parentWorkingSetBytes()).isEqualTo(700_000);
    }
}
