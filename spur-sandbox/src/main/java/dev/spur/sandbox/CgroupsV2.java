package dev.spur.sandbox;

import static dev.spur.sandbox.CgroupFiles.readKeyed;
import static dev.spur.sandbox.CgroupFiles.readLong;
import static dev.spur.sandbox.CgroupFiles.write;
import static dev.spur.sandbox.CgroupFiles.writeIfPresent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Cgroup v2: one unified hierarchy, so an environment's cgroup is one directory and a process joins
 * it with one write to its {@code cgroup.procs}.
 *
 * <ul>
 *   <li>controllers: a cgroup's children get {@link #CONTROLLERS} only once it lists them in its
 *       {@code cgroup.subtree_control}, which it may do only for controllers its own
 *       {@code cgroup.controllers} offers, and only while no process is in it (the "no internal
 *       processes" rule): hence the parent beside Spur's own cgroup, not under it ({@link Cgroups}).
 *   <li>memory: {@code memory.max}, no swap through {@code memory.swap.max}; peak
 *       {@code memory.peak} (kernel 5.19 on; {@code memory.current} before); OOM kills counted as
 *       {@code oom_kill} in {@code memory.events}.
 *   <li>cpu: {@code cpu.weight} (1–10,000, 100 the default; converted from v1's shares),
 *       {@code cpu.max} as {@code "<quota> <period>"} or {@code "max <period>"}, {@code cpu.max.burst} (5.14 on); usage as
 *       {@code usage_usec}, throttling as {@code nr_periods}/{@code nr_throttled}/{@code throttled_usec}
 *       in {@code cpu.stat}.
 *   <li>pids: {@code pids.max}.
 *   <li>freezer: {@code cgroup.freeze} written 1 / 0; {@code cgroup.events} says {@code frozen 1}
 *       once every task has stopped. SIGKILL reaches frozen tasks, so no watchdog is needed.
 *       {@code cgroup.kill} (kernel 5.14 on) kills everything in one write.
 * </ul>
 */
final class CgroupsV2 implements Cgroups {
    static final List<String> CONTROLLERS = List.of("memory", "cpu", "pids");

    private final Path parent;

    CgroupsV2(Path parent) {
        this.parent = parent;
    }

    @Override
    public String describe() {
        return "cgroup v2 at " + parent;
    }

    @Override
    public List<Path> parents() {
        return List.of(parent);
    }

    /** Creates the parent, then enables the controllers in its own parent (for it) and in it (for the environments). */
    @Override
    public void createParents() throws IOException {
        Files.createDirectories(parent);
        enable(parent.getParent());
        enable(parent);
    }

    private static void enable(Path cgroup) throws IOException {
        String available =
                " " + Files.readString(cgroup.resolve("cgroup.controllers")).strip() + " ";
        for (String c : CONTROLLERS) {
            if (!available.contains(" " + c + " ")) {
                throw new IOException("cgroup v2 controller '" + c + "' is not available in " + cgroup);
            }
            Files.writeString(cgroup.resolve("cgroup.subtree_control"), "+" + c);
        }
    }

    /** {@code memory.max} of the parent, which bounds everything beneath it. */
    @Override
    public void limitParentMemory(long bytes) throws IOException {
        createParents();
        write(parent.resolve("memory.max"), bytes);
    }

    /** {@code memory.current} less {@code inactive_file} of {@code memory.stat}. */
    @Override
    public long parentWorkingSetBytes() {
        long usage = readLong(parent.resolve("memory.current"));
        return Math.max(0, usage - readKeyed(parent.resolve("memory.stat"), "inactive_file"));
    }

    @Override
    public Path cpuParent() {
        return parent;
    }

    @Override
    public V2Group group(String id) {
        return new V2Group(parent.resolve(id));
    }

    /** None needed: SIGKILL reaches frozen processes on v2. */
    @Override
    public Optional<Process> startWatchdog(long spurPid) {
        return Optional.empty();
    }

    /** v1's {@code cpu.shares} (2–262,144, 1,024 a vCPU) as v2's {@code cpu.weight} (1–10,000). */
    static long weight(int shares) {
        return Math.clamp(shares * 100L / 1024, 1, 10_000);
    }

    /** One environment's cgroup: one directory. */
    static final class V2Group implements Cgroups.Group {
        private final Path dir;

        private V2Group(Path dir) {
            this.dir = dir;
        }

        @Override
        public String id() {
            return dir.getFileName().toString();
        }

        @Override
        public List<Path> dirs() {
            return List.of(dir);
        }

        @Override
        public void limit(Limits l) throws IOException {
            write(dir.resolve("memory.max"), l.memoryBytes());
            writeIfPresent(dir.resolve("memory.swap.max"), "0");
            limitCpu(l.cpu());
            write(dir.resolve("cpu.weight"), weight(l.cpu().weight()));
            write(dir.resolve("pids.max"), l.pidsMax());
        }

        /** As on v1: burst to 0 (the kernel refuses a quota below it), {@code cpu.max}, then the burst. */
        @Override
        public void limitCpu(CpuLimit cpu) throws IOException {
            Path burst = dir.resolve("cpu.max.burst");
            writeIfPresent(burst, "0");
            write(
                    dir.resolve("cpu.max"),
                    (cpu.hasQuota() ? Long.toString(cpu.quotaMicros()) : "max") + " " + cpu.periodMicros());
            if (cpu.burstMicros() > 0) {
                writeIfPresent(burst, Long.toString(cpu.burstMicros()));
            }
        }

        @Override
        public long peakMemoryBytes() {
            return readLong(dir.resolve("memory.peak"), dir.resolve("memory.current"));
        }

        @Override
        public long oomKills() {
            return readKeyed(dir.resolve("memory.events"), "oom_kill");
        }

        @Override
        public long cpuNanos() {
            return readKeyed(dir.resolve("cpu.stat"), "usage_usec") * 1000;
        }

        @Override
        public CpuThrottling cpuThrottling() {
            long[] v = CgroupFiles.readTable(dir.resolve("cpu.stat"), "nr_periods", "nr_throttled", "throttled_usec");
            return new CpuThrottling(v[0], v[1], v[2] * 1000);
        }

        @Override
        public void requestFreeze() throws IOException {
            Files.writeString(dir.resolve("cgroup.freeze"), "1");
        }

        @Override
        public void awaitFrozen() throws IOException {
            CgroupFiles.await(dir.resolve("cgroup.events"), "frozen 1");
        }

        @Override
        public void thaw() throws IOException {
            Files.writeString(dir.resolve("cgroup.freeze"), "0");
        }

        @Override
        public Path processList() {
            return dir.resolve("cgroup.procs");
        }

        @Override
        public boolean killAtOnce() throws IOException {
            Path kill = dir.resolve("cgroup.kill");
            if (!Files.exists(kill)) {
                return false; // before kernel 5.14
            }
            Files.writeString(kill, "1");
            return true;
        }
    }
}
