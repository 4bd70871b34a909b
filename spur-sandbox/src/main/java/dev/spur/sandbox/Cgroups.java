package dev.spur.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Spur's parent cgroup and the one cgroup per environment beneath it: {@link CgroupsV1} or
 * {@link CgroupsV2}, whichever the host mounts, found once by {@link #detect}.
 *
 * <p><b>Where.</b> From {@code /proc/self/mountinfo} and {@code /proc/self/cgroup}. On v1 (or a hybrid
 * host whose controllers are on v1) the parent is {@code <own cgroup>/<name>} in each of the memory,
 * cpu, cpuacct, pids and freezer hierarchies, so environments stay inside whatever cgroup Spur itself
 * was given. On v2 a cgroup with processes may not enable controllers for its children, so the
 * parent is a sibling of Spur's own cgroup ({@code <own cgroup>/../<name>}), or {@code /<name>} when
 * Spur runs in the root; with systemd, give Spur a delegated subtree ({@code Delegate=yes}).
 *
 * <p><b>What differs.</b> Everything about a version — its file names, controllers, how it freezes,
 * how it reports an OOM kill, CPU quota, pids and memory peak, whether SIGKILL reaches a frozen
 * process — is in its own class; this interface holds what both share: finding the version,
 * creating and removing environment cgroups, the clean-up of what a dead Spur left, and killing
 * everything in a cgroup ({@link Group#killAll()}: freeze, kill each, thaw, unless the version can
 * kill a cgroup at once).
 *
 * <p><b>Joining.</b> Getting a process in before it runs anything is the launcher's job: it writes its
 * own pid to every {@link Group#procsFiles()} before exec'ing bwrap, and everything forked after
 * inherits. Nothing here moves a process once it runs.
 *
 * <p><b>Threads.</b> No state but paths: a {@code Cgroups} and its groups may be used from any
 * thread; the kernel serialises the writes.
 */
sealed interface Cgroups permits CgroupsV1, CgroupsV2 {

    /**
     * Finds the cgroup version in force and Spur's parent {@code name} in it (not created yet).
     *
     * @throws IOException if the host has no usable memory cgroup (neither v1 nor v2)
     */
    static Cgroups detect(String name) throws IOException {
        return detect(
                name,
                Files.readAllLines(Path.of("/proc/self/cgroup")),
                Files.readAllLines(Path.of("/proc/self/mountinfo")));
    }

    /** As {@link #detect(String)}, from the lines of {@code /proc/self/cgroup} and {@code /proc/self/mountinfo}. */
    static Cgroups detect(String name, List<String> selfCgroup, List<String> mountinfo) throws IOException {
        Map<String, String> own = new LinkedHashMap<>(); // controller (or "" for v2) → own path
        for (String line : selfCgroup) {
            String[] f = line.split(":", 3);
            for (String controller : f[1].split(",")) {
                own.put(controller, f[2]);
            }
        }
        Map<String, Path> v1 = new LinkedHashMap<>();
        Path v2Mount = null;
        String v2Root = "/";
        for (String line : mountinfo) {
            String[] halves = line.split(" - ", 2);
            String[] f = halves[0].split(" ");
            String[] g = halves[1].split(" ");
            String root = f[3];
            Path mount = Path.of(unescape(f[4]));
            if (g[0].equals("cgroup")) {
                for (String option : g[2].split(",")) {
                    if (CgroupsV1.CONTROLLERS.contains(option) && own.containsKey(option)) {
                        v1.put(
                                option,
                                mount.resolve(relative(own.get(option), root)).resolve(name));
                    }
                }
            } else if (g[0].equals("cgroup2") && v2Mount == null) {
                v2Mount = mount;
                v2Root = root;
            }
        }
        if (v1.containsKey("memory")) {
            return CgroupsV1.of(v1);
        }
        if (v2Mount != null && Files.exists(v2Mount.resolve("cgroup.controllers"))) {
            String self = relative(own.getOrDefault("", "/"), v2Root);
            Path parent = self.isEmpty() ? v2Mount : v2Mount.resolve(self).getParent();
            return new CgroupsV2(parent.resolve(name));
        }
        throw new IOException("no memory cgroup controller is mounted (neither cgroup v1 nor v2)");
    }

    private static String relative(String path, String mountRoot) {
        String p = path.startsWith(mountRoot) ? path.substring(mountRoot.length()) : path;
        return p.startsWith("/") ? p.substring(1) : p;
    }

    private static String unescape(String mountinfoPath) {
        return mountinfoPath.replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\");
    }

    /** For the start-up banner: the version and where Spur's parent cgroup is. */
    String describe();

    /** Spur's parent directories: one per v1 hierarchy, or v2's one. */
    List<Path> parents();

    /** Creates Spur's parent (on v2 also enabling the controllers for it and its children). */
    void createParents() throws IOException;

    /** Caps what everything under Spur's parent may use together (creating the parent if needed). */
    void limitParentMemory(long bytes) throws IOException;

    /** What everything under Spur's parent uses now, less its inactive file cache (0 if it cannot be read). */
    long parentWorkingSetBytes();

    /** The directory whose subdirectories are the environments' cpu cgroups. */
    Path cpuParent();

    /** Environment {@code id}'s cgroup, whether or not it exists. */
    Group group(String id);

    /**
     * Starts whatever must outlive a SIGKILLed Spur to end its environments: on v1, where a frozen
     * process ignores even SIGKILL until thawed, a watchdog ({@link CgroupsV1#startWatchdog}); on
     * v2 nothing, as SIGKILL reaches frozen processes and {@code --die-with-parent} suffices.
     */
    Optional<Process> startWatchdog(long spurPid) throws IOException;

    /** Creates {@code id}'s cgroup with its limits set; nothing runs in it yet. */
    default Group create(String id, Limits limits) throws IOException {
        Group group = createUnlimited(id);
        try {
            group.limit(limits);
        } catch (IOException | RuntimeException e) {
            group.remove();
            throw e;
        }
        return group;
    }

    /** Creates {@code id}'s cgroup with no limits yet (a parked launcher's; see {@link Group#limit}). */
    default Group createUnlimited(String id) throws IOException {
        createParents();
        Group group = group(id);
        try {
            for (Path dir : group.dirs()) {
                Files.createDirectory(dir);
            }
        } catch (IOException | RuntimeException e) {
            group.remove();
            throw e;
        }
        return group;
    }

    /** Kills and removes every environment cgroup under Spur's parent; returns how many it removed. */
    default int removeLeftovers() throws IOException {
        Map<String, Group> found = new LinkedHashMap<>();
        for (Path parent : parents()) {
            if (Files.isDirectory(parent)) {
                try (Stream<Path> children = Files.list(parent)) {
                    children.filter(Files::isDirectory)
                            .map(d -> d.getFileName().toString())
                            .filter(id -> !ownedByALiveSpur(id))
                            .forEach(id -> found.putIfAbsent(id, group(id)));
                }
            }
        }
        for (Group g : found.values()) {
            g.killAll();
            g.remove();
        }
        return found.size();
    }

    /** Removes Spur's parent where it is empty (tests; a running Spur keeps it). */
    default void removeEmptyParents() {
        for (Path parent : new LinkedHashSet<>(parents())) {
            try {
                Files.deleteIfExists(parent);
            } catch (IOException e) {
                // not empty, or busy: leave it
            }
        }
    }

    /**
     * Whether {@code id} is an environment of a Spur that still runs: environment cgroups are named
     * {@code <Spur's pid>-<sequence>}, so a second Spur sharing the parent leaves the first's alone.
     */
    static boolean ownedByALiveSpur(String id) {
        int dash = id.indexOf('-');
        if (dash <= 0) {
            return false;
        }
        try {
            return ProcessHandle.of(Long.parseLong(id.substring(0, dash)))
                    .map(ProcessHandle::isAlive)
                    .orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * The limits an environment's cgroup is created with. A CPU limit without a quota still sets the
     * weight; {@link Group#limitCpu(CpuLimit)} sets the quota later.
     */
    record Limits(long memoryBytes, CpuLimit cpu, int pidsMax) {
        Limits withoutCpuQuota() {
            return new Limits(memoryBytes, cpu.withoutQuota(), pidsMax);
        }
    }

    /** One environment's cgroup: a directory per v1 hierarchy, or one v2 directory. */
    sealed interface Group permits CgroupsV1.V1Group, CgroupsV2.V2Group {
        String id();

        /** Its directories, which exist from {@link #createUnlimited} until {@link #remove()}. */
        List<Path> dirs();

        /** The files a process writes its pid to, to join this cgroup. */
        default List<Path> procsFiles() {
            return dirs().stream().map(d -> d.resolve("cgroup.procs")).toList();
        }

        /** Sets every limit (memory without swap, CPU weight and quota, pids); a process may already be inside. */
        void limit(Limits limits) throws IOException;

        /** Sets (or, without a quota, lifts) the CPU quota of a live cgroup. */
        void limitCpu(CpuLimit cpu) throws IOException;

        /** The most memory the cgroup has used (0 if it cannot be read). */
        long peakMemoryBytes();

        /** How many processes the kernel's OOM killer killed in it (0 if it cannot be read). */
        long oomKills();

        /** CPU time used by everything in it so far (0 if it cannot be read). */
        long cpuNanos();

        /** What the CPU quota has held it back so far ({@code cpu.stat}; {@link CpuThrottling#NONE} if gone). */
        CpuThrottling cpuThrottling();

        /**
         * Asks the kernel to freeze every process and returns at once (a single write): the kernel
         * stops them within moments. A {@link #thaw()} meanwhile cancels it.
         */
        void requestFreeze() throws IOException;

        /** Returns once the kernel reports every process frozen (at most 5 s). */
        void awaitFrozen() throws IOException;

        void thaw() throws IOException;

        /** Freezes every process in the cgroup and waits until the kernel reports them all frozen. */
        default void freeze() throws IOException {
            requestFreeze();
            awaitFrozen();
        }

        /** The {@code cgroup.procs} that lists every process in the cgroup. */
        Path processList();

        /**
         * SIGKILLs everything in the cgroup in one step where the kernel can ({@code cgroup.kill}).
         *
         * @return false where it cannot: {@link #killAll()} then kills process by process
         */
        boolean killAtOnce() throws IOException;

        /**
         * SIGKILLs every process in the cgroup, including any forked meanwhile: at once where the
         * version can, else freeze, kill each, thaw (a frozen process cannot fork, and the kills land
         * when it thaws). Does not wait for them to die.
         */
        default void killAll() {
            try {
                if (killAtOnce()) {
                    return;
                }
                Path procs = processList();
                if (Files.readString(procs).isBlank()) {
                    return; // the common case at exit: nothing left, nothing to freeze
                }
                boolean frozen = true;
                try {
                    freeze();
                } catch (IOException e) {
                    frozen = false; // kill what is there anyway
                }
                for (String pid : Files.readAllLines(procs)) {
                    if (!pid.isBlank()) {
                        ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                if (frozen) {
                    thaw();
                }
            } catch (NoSuchFileException e) {
                // already removed: nothing left to kill
            } catch (IOException e) {
                throw new UncheckedIOException("could not kill cgroup " + id(), e);
            }
        }

        /**
         * Removes the cgroup's directories, killing and waiting up to 2 s for what is still in them.
         *
         * @throws IOException if a directory is still busy after that
         */
        default void remove() throws IOException {
            long deadline = System.nanoTime() + 2_000_000_000L;
            for (Path dir : dirs()) {
                while (true) {
                    try {
                        Files.deleteIfExists(dir);
                        break;
                    } catch (IOException busy) {
                        if (System.nanoTime() > deadline) {
                            throw new IOException("cgroup " + dir + " is still busy", busy);
                        }
                        killAll();
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted while removing " + dir, e);
                        }
                    }
                }
            }
        }
    }
}
