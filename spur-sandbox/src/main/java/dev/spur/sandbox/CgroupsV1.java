package dev.spur.sandbox;

import static dev.spur.sandbox.CgroupFiles.readKeyed;
import static dev.spur.sandbox.CgroupFiles.readLong;
import static dev.spur.sandbox.CgroupFiles.write;
import static dev.spur.sandbox.CgroupFiles.writeIfPresent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Cgroup v1: one hierarchy per controller, so an environment's cgroup is a directory in each of
 * {@link #CONTROLLERS}, and a process joins it by writing its pid to each one's {@code cgroup.procs}.
 *
 * <ul>
 *   <li>memory: {@code memory.limit_in_bytes}; no swap through {@code memory.memsw.limit_in_bytes}
 *       (only with swap accounting) and {@code memory.swappiness}; peak
 *       {@code memory.max_usage_in_bytes}; OOM kills counted as {@code oom_kill} in
 *       {@code memory.oom_control}.
 *   <li>cpu: {@code cpu.shares} for the weight, {@code cpu.cfs_period_us} and
 *       {@code cpu.cfs_quota_us} (-1: none) for the quota, {@code cpu.cfs_burst_us} (5.14 on) for the
 *       burst, {@code nr_periods}/{@code nr_throttled}/{@code throttled_time} (ns) in {@code cpu.stat}; cpuacct: {@code cpuacct.usage} (ns).
 *   <li>pids: {@code pids.max}.
 *   <li>freezer: {@code freezer.state} is written {@code FROZEN} / {@code THAWED} and reads
 *       {@code FREEZING} until every task has stopped. A frozen task ignores even SIGKILL until it
 *       is thawed, so a killed environment must be thawed ({@link Cgroups.Group#killAll()}), and
 *       a SIGKILLed Spur needs a watchdog to do it ({@link #startWatchdog}). No {@code cgroup.kill}.
 * </ul>
 *
 * <p>Joining a v1 cgroup costs the joining process an RCU grace period (about 7 ms here): why the
 * linux sandbox parks its launchers in their cgroups ahead of the start ({@link Launchers}).
 */
final class CgroupsV1 implements Cgroups {
    static final List<String> CONTROLLERS = List.of("memory", "cpu", "cpuacct", "pids", "freezer");

    /** Controller → Spur's parent directory in that controller's hierarchy. */
    private final Map<String, Path> parents;

    private CgroupsV1(Map<String, Path> parents) {
        this.parents = Map.copyOf(parents);
    }

    /**
     * @param parents Spur's parent in each hierarchy mounted, by controller
     * @throws IOException if one of {@link #CONTROLLERS} is not mounted
     */
    static CgroupsV1 of(Map<String, Path> parents) throws IOException {
        for (String c : CONTROLLERS) {
            if (!parents.containsKey(c)) {
                throw new IOException("cgroup v1 controller '" + c + "' is not mounted");
            }
        }
        return new CgroupsV1(parents);
    }

    @Override
    public String describe() {
        return "cgroup v1 at " + parents.get("memory") + " (and cpu, pids, freezer)";
    }

    @Override
    public List<Path> parents() {
        return CONTROLLERS.stream().map(parents::get).distinct().toList();
    }

    @Override
    public void createParents() throws IOException {
        for (Path parent : parents()) {
            Files.createDirectories(parent);
        }
    }

    /** {@code memory.limit_in_bytes} of the parent: with v1's (now always) hierarchical accounting, it bounds the children. */
    @Override
    public void limitParentMemory(long bytes) throws IOException {
        createParents();
        write(parents.get("memory").resolve("memory.limit_in_bytes"), bytes);
    }

    /** {@code memory.usage_in_bytes} less {@code total_inactive_file} of {@code memory.stat}. */
    @Override
    public long parentWorkingSetBytes() {
        Path memory = parents.get("memory");
        long usage = readLong(memory.resolve("memory.usage_in_bytes"));
        return Math.max(0, usage - readKeyed(memory.resolve("memory.stat"), "total_inactive_file"));
    }

    @Override
    public Path cpuParent() {
        return parents.get("cpu");
    }

    @Override
    public V1Group group(String id) {
        return new V1Group(this, id);
    }

    /**
     * A small shell that waits for Spur's end (EOF on its stdin, which only Spur holds) and then
     * kills and thaws every environment of {@code spurPid}: an idle (frozen) environment would
     * otherwise outlive a SIGKILLed Spur despite {@code --die-with-parent}.
     */
    @Override
    public Optional<Process> startWatchdog(long spurPid) throws IOException {
        String script = "read _; for d in \"$1\"/" + spurPid + "-*; do "
                + "[ -d \"$d\" ] || continue; "
                + "for p in $(cat \"$d/cgroup.procs\" 2>/dev/null); do kill -9 \"$p\" 2>/dev/null; done; "
                + "echo THAWED > \"$d/freezer.state\" 2>/dev/null; done";
        ProcessBuilder builder = new ProcessBuilder(
                        "/bin/sh",
                        "-c",
                        script,
                        "spur-watchdog",
                        parents.get("freezer").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        return Optional.of(builder.start());
    }

    /** One environment's cgroup: a directory per controller's hierarchy. */
    static final class V1Group implements Cgroups.Group {
        private final CgroupsV1 tree;
        private final String id;

        private V1Group(CgroupsV1 tree, String id) {
            this.tree = tree;
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        private Path at(String controller) {
            return tree.parents.get(controller).resolve(id);
        }

        @Override
        public List<Path> dirs() {
            return CONTROLLERS.stream().map(this::at).distinct().toList();
        }

        @Override
        public void limit(Limits l) throws IOException {
            Path memory = at("memory");
            write(memory.resolve("memory.limit_in_bytes"), l.memoryBytes());
            // No swap: memsw (only with swap accounting) caps memory+swap at the same figure.
            writeIfPresent(memory.resolve("memory.memsw.limit_in_bytes"), Long.toString(l.memoryBytes()));
            writeIfPresent(memory.resolve("memory.swappiness"), "0");
            limitCpu(l.cpu());
            write(at("cpu").resolve("cpu.shares"), Math.max(2, l.cpu().weight()));
            write(at("pids").resolve("pids.max"), l.pidsMax());
        }

        /**
         * Burst first to 0, as the kernel refuses a quota below the burst in force, then period,
         * quota and the new burst (kernel 5.14 on; before, there is no burst to set).
         */
        @Override
        public void limitCpu(CpuLimit cpu) throws IOException {
            Path dir = at("cpu");
            Path burst = dir.resolve("cpu.cfs_burst_us");
            writeIfPresent(burst, "0");
            write(dir.resolve("cpu.cfs_period_us"), cpu.periodMicros());
            write(dir.resolve("cpu.cfs_quota_us"), cpu.hasQuota() ? cpu.quotaMicros() : -1);
            if (cpu.burstMicros() > 0) {
                writeIfPresent(burst, Long.toString(cpu.burstMicros()));
            }
        }

        @Override
        public long peakMemoryBytes() {
            return readLong(at("memory").resolve("memory.max_usage_in_bytes"));
        }

        @Override
        public long oomKills() {
            return readKeyed(at("memory").resolve("memory.oom_control"), "oom_kill");
        }

        @Override
        public long cpuNanos() {
            return readLong(at("cpuacct").resolve("cpuacct.usage"));
        }

        @Override
        public CpuThrottling cpuThrottling() {
            long[] v = CgroupFiles.readTable(
                    at("cpu").resolve("cpu.stat"), "nr_periods", "nr_throttled", "throttled_time");
            return new CpuThrottling(v[0], v[1], v[2]);
        }

        @Override
        public void requestFreeze() throws IOException {
            Files.writeString(at("freezer").resolve("freezer.state"), "FROZEN");
        }

        @Override
        public void awaitFrozen() throws IOException {
            CgroupFiles.await(at("freezer").resolve("freezer.state"), "FROZEN");
        }

        @Override
        public void thaw() throws IOException {
            Files.writeString(at("freezer").resolve("freezer.state"), "THAWED");
        }

        @Override
        public Path processList() {
            return at("freezer").resolve("cgroup.procs");
        }

        /** v1 has no {@code cgroup.kill}. */
        @Override
        public boolean killAtOnce() {
            return false;
        }
    }
}
