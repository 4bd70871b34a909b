package dev.spur.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which version {@link Cgroups#detect} picks from a host's mount table, and cgroup v1's file
 * protocol against temporary directories laid out as its hierarchies. The kernel's side of v1 is
 * tried for real by the {@code LinuxSandbox*Test}s, on this machine's v1.
 */
class CgroupsV1Test {
    @TempDir
    Path root;

    /** A hybrid host: every controller on v1, systemd's unified hierarchy beside them. */
    private List<String> hybridMountinfo(List<String> controllers) throws IOException {
        List<String> lines = new ArrayList<>();
        int id = 30;
        for (String hierarchy : controllers) {
            Path mount = Files.createDirectories(root.resolve(hierarchy));
            lines.add(id++ + " 24 0:" + id + " / " + mount + " rw,nosuid - cgroup cgroup rw," + hierarchy);
        }
        Path unified = Files.createDirectories(root.resolve("unified"));
        Files.writeString(unified.resolve("cgroup.controllers"), "");
        lines.add(id + " 24 0:99 / " + unified + " rw,nosuid - cgroup2 cgroup2 rw");
        return lines;
    }

    private static final List<String> SELF =
            List.of("12:freezer:/build", "11:pids:/build", "10:memory:/build", "9:cpu,cpuacct:/build", "0::/build");

    @Test
    void aHostWithMemoryOnV1IsV1AndTheParentIsUnderSpursOwnCgroupInEachHierarchy() throws Exception {
        Cgroups cgroups =
                Cgroups.detect("spur", SELF, hybridMountinfo(List.of("freezer", "pids", "memory", "cpu,cpuacct")));
        assertThat(cgroups).isInstanceOf(CgroupsV1.class);
        assertThat(cgroups.parents())
                .containsExactly(
                        root.resolve("memory/build/spur"),
                        root.resolve("cpu,cpuacct/build/spur"),
                        root.resolve("pids/build/spur"),
                        root.resolve("freezer/build/spur"));
        assertThat(cgroups.describe())
                .isEqualTo("cgroup v1 at " + root.resolve("memory/build/spur") + " (and cpu, pids, freezer)");
    }

    @Test
    void aV1ControllerThatIsNotMountedIsNamed() throws Exception {
        List<String> mountinfo = hybridMountinfo(List.of("pids", "memory", "cpu,cpuacct"));
        assertThatThrownBy(() -> Cgroups.detect("spur", SELF, mountinfo))
                .isInstanceOf(IOException.class)
                .hasMessage("cgroup v1 controller 'freezer' is not mounted");
    }

    @Test
    void aHostWithoutAnyMemoryCgroupIsRefused() {
        assertThatThrownBy(() -> Cgroups.detect("spur", List.of("0::/"), List.of()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("neither cgroup v1 nor v2");
    }

    @Test
    void anEnvironmentsLimitsFreezerAndFiguresAreV1sFilesInEachHierarchy() throws Exception {
        Cgroups cgroups =
                Cgroups.detect("spur", SELF, hybridMountinfo(List.of("freezer", "pids", "memory", "cpu,cpuacct")));
        Cgroups.Group group =
                cgroups.create("1-1", LinuxSandbox.limits(128, 1024).withoutCpuQuota());
        Path memory = root.resolve("memory/build/spur/1-1");
        Path cpu = root.resolve("cpu,cpuacct/build/spur/1-1");
        Path freezer = root.resolve("freezer/build/spur/1-1");
        assertThat(group.dirs()).containsExactly(memory, cpu, root.resolve("pids/build/spur/1-1"), freezer);
        assertThat(memory.resolve("memory.limit_in_bytes")).hasContent(Long.toString(128L << 20));
        assertThat(cpu.resolve("cpu.shares")).hasContent("74");
        assertThat(cpu.resolve("cpu.cfs_quota_us")).hasContent("-1");
        assertThat(cpu.resolve("cpu.cfs_period_us")).hasContent("13821");
        assertThat(cpu.resolve("cpu.cfs_burst_us")).hasContent("0");
        assertThat(root.resolve("pids/build/spur/1-1/pids.max")).hasContent("1024");
        group.limitCpu(CpuLimit.forMemory(128, 2));
        assertThat(cpu.resolve("cpu.cfs_quota_us")).hasContent("1000");
        assertThat(cpu.resolve("cpu.cfs_burst_us")).hasContent("1000");

        group.requestFreeze();
        assertThat(freezer.resolve("freezer.state")).hasContent("FROZEN");
        group.awaitFrozen();
        group.thaw();
        assertThat(freezer.resolve("freezer.state")).hasContent("THAWED");
        assertThat(group.killAtOnce()).as("v1 has no cgroup.kill").isFalse();
        assertThat(group.processList()).isEqualTo(freezer.resolve("cgroup.procs"));

        Files.writeString(memory.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        Files.writeString(memory.resolve("memory.max_usage_in_bytes"), "8192\n");
        Files.writeString(cpu.resolve("cpuacct.usage"), "123456789\n");
        Files.writeString(
                cpu.resolve("cpu.stat"),
                "nr_periods 200\nnr_throttled 12\nthrottled_time 34000000\nnr_bursts 2\nburst_time 1500000\n");
        assertThat(group.oomKills()).isEqualTo(2);
        assertThat(group.peakMemoryBytes()).isEqualTo(8192);
        assertThat(group.cpuNanos()).isEqualTo(123_456_789);
        assertThat(group.cpuThrottling()).isEqualTo(new CpuThrottling(200, 12, 34_000_000));
    }

    @Test
    void theParentsMemoryLimitCapsEveryEnvironmentAndItsWorkingSetLeavesOutInactiveFiles() throws Exception {
        Cgroups cgroups =
                Cgroups.detect("spur", SELF, hybridMountinfo(List.of("freezer", "pids", "memory", "cpu,cpuacct")));
        cgroups.limitParentMemory(3L << 30);
        Path memory = root.resolve("memory/build/spur");
        assertThat(memory.resolve("memory.limit_in_bytes")).hasContent(Long.toString(3L << 30));
        Files.writeString(memory.resolve("memory.usage_in_bytes"), "1000000\n");
        Files.writeString(memory.resolve("memory.stat"), "cache 400000\nrss 600000\ntotal_inactive_file 250000\n");
        assertThat(cgroups.parentWorkingSetBytes()).isEqualTo(750_000);
        assertThat(cgroups.cpuParent()).isEqualTo(root.resolve("cpu,cpuacct/build/spur"));
    }
}
