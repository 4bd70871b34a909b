package dev.spur.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Spur's parent cgroup and the one cgroup per environment beneath it, on cgroup v1 or v2.
 *
 * <p>Where: found from {@code /proc/self/mountinfo} and {@code /proc/self/cgroup}. On v1 (or a hybrid
 * host whose controllers are on v1) the parent is {@code <own cgroup>/<name>} in each of the memory,
 * cpu, cpuacct, pids and freezer hierarchies, so environments stay inside whatever cgroup Spur itself
 * was given. On v2 a cgroup with processes may not enable controllers for its children, so the
 * parent is a sibling of Spur's own cgroup ({@code <own cgroup>/../<name>}), or {@code /<name>} when
 * Spur runs in the root; with systemd, give Spur a delegated subtree ({@code Delegate=yes}).
 *
 * <p>Getting a process in before it runs anything is the launcher's job: it writes its own pid to
 * every {@link Group#procsFiles()} before exec'ing bwrap, and everything forked after inherits.
 */
final class Cgroups {
    static final List<String> V1_CONTROLLERS = List.of("memory", "cpu", "cpuacct", "pids", "freezer");

    final boolean v2;
    /** v1: controller → Spur's parent directory in that controller's hierarchy; v2: "" → the parent. */
    private final Map<String, Path> parents;

    private Cgroups(boolean v2, Map<String, Path> parents) {
        this.v2 = v2;
        this.parents = parents;
    }

    /** For the start-up banner: the version and where Spur's parent cgroup is. */
    String describe() {
        return v2
                ? "cgroup v2 at " + parents.get("")
                : "cgroup v1 at " + parents.get("memory") + " (and cpu, pids, freezer)";
    }

    /** @throws IOException if the host has no usable memory cgroup (neither v1 nor v2) */
    static Cgroups detect(String name) throws IOException {
        Map<String, String> own = new LinkedHashMap<>(); // controller (or "" for v2) → own path
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] f = line.split(":", 3);
            for (String controller : f[1].split(",")) {
                own.put(controller, f[2]);
            }
        }
        Map<String, Path> v1 = new LinkedHashMap<>();
        Path v2Mount = null;
        String v2Root = "/";
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] halves = line.split(" - ", 2);
            String[] f = halves[0].split(" ");
            String[] g = halves[1].split(" ");
            String root = f[3];
            Path mount = Path.of(unescape(f[4]));
            if (g[0].equals("cgroup")) {
                for (String option : g[2].split(",")) {
                    if (V1_CONTROLLERS.contains(option) && own.containsKey(option)) {
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
            for (String c : V1_CONTROLLERS) {
                if (!v1.containsKey(c)) {
                    throw new IOException("cgroup v1 controller '" + c + "' is not mounted");
                }
            }
            return new Cgroups(false, v1);
        }
        if (v2Mount != null && Files.exists(v2Mount.resolve("cgroup.controllers"))) {
            String self = relative(own.getOrDefault("", "/"), v2Root);
            Path parent = self.isEmpty() ? v2Mount : v2Mount.resolve(self).getParent();
            return new Cgroups(true, Map.of("", parent.resolve(name)));
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

    /** Creates Spur's parent (and on v2 enables the controllers for it and its children). */
    void createParents() throws IOException {
        for (Path parent : new LinkedHashSet<>(parents.values())) {
            Files.createDirectories(parent);
        }
        if (v2) {
            Path parent = parents.get("");
            enable(parent.getParent());
            enable(parent);
        }
    }

    private static void enable(Path cgroup) throws IOException {
        String available = Files.readString(cgroup.resolve("cgroup.controllers"));
        for (String c : List.of("memory", "cpu", "pids")) {
            if (!(" " + available.strip() + " ").contains(" " + c + " ")) {
                throw new IOException("cgroup v2 controller '" + c + "' is not available in " + cgroup);
            }
            Files.writeString(cgroup.resolve("cgroup.subtree_control"), "+" + c);
        }
    }

    /**
     * The limits an environment's cgroup is created with. A {@code cpuQuotaMicros} of -1 is no quota
     * (the weight still applies); {@link Group#limitCpu(Limits)} sets the quota later.
     */
    record Limits(long memoryBytes, long cpuQuotaMicros, long cpuPeriodMicros, int cpuWeight, int pidsMax) {
        Limits withoutCpuQuota() {
            return new Limits(memoryBytes, -1, cpuPeriodMicros, cpuWeight, pidsMax);
        }
    }

    /** Creates {@code id}'s cgroup with its limits set; nothing runs in it yet. */
    Group create(String id, Limits limits) throws IOException {
        createParents();
        Group group = new Group(this, id);
        try {
            for (Path dir : group.dirs()) {
                Files.createDirectory(dir);
            }
            group.limit(limits);
        } catch (IOException | RuntimeException e) {
            group.remove();
            throw e;
        }
        return group;
    }

    /** Creates {@code id}'s cgroup with no limits yet (a parked launcher's; see {@link Group#limit}). */
    Group createUnlimited(String id) throws IOException {
        createParents();
        Group group = new Group(this, id);
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
    int removeLeftovers() throws IOException {
        Map<String, Group> found = new LinkedHashMap<>();
        for (Path parent : parents.values()) {
            if (Files.isDirectory(parent)) {
                try (Stream<Path> children = Files.list(parent)) {
                    children.filter(Files::isDirectory)
                            .map(d -> d.getFileName().toString())
                            .filter(id -> !ownedByALiveSpur(id))
                            .forEach(id -> found.putIfAbsent(id, new Group(this, id)));
                }
            }
        }
        for (Group g : found.values()) {
            g.killAll();
            g.remove();
        }
        return found.size();
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
     * On cgroup v1 a frozen process ignores even SIGKILL until it is thawed, so an idle (frozen)
     * environment would outlive a SIGKILLed Spur despite {@code --die-with-parent}. This starts a
     * small shell that waits for Spur's end (EOF on its stdin, which only Spur holds) and then kills
     * and thaws every environment of {@code spurPid}. Nothing to do on v2, where SIGKILL reaches
     * frozen processes.
     *
     * @return the watchdog, or null on v2
     */
    Process startV1Watchdog(long spurPid) throws IOException {
        if (v2) {
            return null;
        }
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
        return builder.start();
    }

    /** Removes Spur's parent where it is empty (tests; a running Spur keeps it). */
    void removeEmptyParents() {
        for (Path parent : new LinkedHashSet<>(parents.values())) {
            try {
                Files.deleteIfExists(parent);
            } catch (IOException e) {
                // not empty, or busy: leave it
            }
        }
    }

    Path dir(String controller, String id) {
        return parents.get(v2 ? "" : controller).resolve(id);
    }

    /** One environment's cgroup: a directory per v1 controller, or one v2 directory. */
    static final class Group {
        private final Cgroups tree;
        private final String id;

        private Group(Cgroups tree, String id) {
            this.tree = tree;
            this.id = id;
        }

        String id() {
            return id;
        }

        private Path at(String controller) {
            return tree.dir(controller, id);
        }

        List<Path> dirs() {
            List<Path> out = new ArrayList<>();
            for (String c : tree.v2 ? List.of("") : V1_CONTROLLERS) {
                if (!out.contains(at(c))) {
                    out.add(at(c));
                }
            }
            return out;
        }

        /** The files a process writes its pid to, to join this cgroup. */
        List<Path> procsFiles() {
            return dirs().stream().map(d -> d.resolve("cgroup.procs")).toList();
        }

        /** Sets every limit; a process may already be inside. */
        void limit(Limits l) throws IOException {
            if (tree.v2) {
                Path d = at("");
                write(d.resolve("memory.max"), l.memoryBytes());
                optional(d.resolve("memory.swap.max"), "0");
                limitCpu(l);
                write(d.resolve("cpu.weight"), Math.clamp(l.cpuWeight() * 100L / 1024, 1, 10_000));
                write(d.resolve("pids.max"), l.pidsMax());
                return;
            }
            Path memory = at("memory");
            write(memory.resolve("memory.limit_in_bytes"), l.memoryBytes());
            // No swap: memsw (only with swap accounting) caps memory+swap at the same figure.
            optional(memory.resolve("memory.memsw.limit_in_bytes"), Long.toString(l.memoryBytes()));
            optional(memory.resolve("memory.swappiness"), "0");
            limitCpu(l);
            write(at("cpu").resolve("cpu.shares"), Math.max(2, l.cpuWeight()));
            write(at("pids").resolve("pids.max"), l.pidsMax());
        }

        /** Sets (or, with a quota of -1, lifts) the CPU quota of a live cgroup. */
        void limitCpu(Limits l) throws IOException {
            if (tree.v2) {
                write(
                        at("").resolve("cpu.max"),
                        (l.cpuQuotaMicros() < 0 ? "max" : l.cpuQuotaMicros()) + " " + l.cpuPeriodMicros());
                return;
            }
            Path cpu = at("cpu");
            write(cpu.resolve("cpu.cfs_period_us"), l.cpuPeriodMicros());
            write(cpu.resolve("cpu.cfs_quota_us"), l.cpuQuotaMicros());
        }

        long peakMemoryBytes() {
            return tree.v2
                    ? readLong(at("").resolve("memory.peak"), at("").resolve("memory.current"))
                    : readLong(at("memory").resolve("memory.max_usage_in_bytes"));
        }

        long oomKills() {
            Path file = tree.v2 ? at("").resolve("memory.events") : at("memory").resolve("memory.oom_control");
            try {
                for (String line : Files.readAllLines(file)) {
                    if (line.startsWith("oom_kill ")) {
                        return Long.parseLong(line.substring(9).strip());
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // gone
            }
            return 0;
        }

        long cpuNanos() {
            if (!tree.v2) {
                return readLong(at("cpuacct").resolve("cpuacct.usage"));
            }
            try {
                for (String line : Files.readAllLines(at("").resolve("cpu.stat"))) {
                    if (line.startsWith("usage_usec ")) {
                        return Long.parseLong(line.substring(11).strip()) * 1000;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // gone
            }
            return 0;
        }

        /** Freezes every process in the cgroup and waits until the kernel reports them all frozen. */
        void freeze() throws IOException {
            requestFreeze();
            awaitFrozen();
        }

        /**
         * Asks the kernel to freeze every process and returns at once (a single write): the kernel
         * stops them within moments. A {@link #thaw()} meanwhile cancels it.
         */
        void requestFreeze() throws IOException {
            if (tree.v2) {
                Files.writeString(at("").resolve("cgroup.freeze"), "1");
            } else {
                Files.writeString(at("freezer").resolve("freezer.state"), "FROZEN");
            }
        }

        void awaitFrozen() throws IOException {
            if (tree.v2) {
                await(at("").resolve("cgroup.events"), "frozen 1");
            } else {
                await(at("freezer").resolve("freezer.state"), "FROZEN");
            }
        }

        void thaw() throws IOException {
            if (tree.v2) {
                Files.writeString(at("").resolve("cgroup.freeze"), "0");
            } else {
                Files.writeString(at("freezer").resolve("freezer.state"), "THAWED");
            }
        }

        private static void await(Path file, String state) throws IOException {
            long deadline = System.nanoTime() + 5_000_000_000L;
            int spins = 0;
            while (!Files.readString(file).contains(state)) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("cgroup did not reach '" + state + "' within 5 s: " + file);
                }
                if (++spins > 100) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while freezing", e);
                    }
                } else {
                    Thread.onSpinWait();
                }
            }
        }

        /**
         * SIGKILLs every process in the cgroup, including any forked meanwhile: v2's
         * {@code cgroup.kill}, or on v1 freeze, kill each, thaw (a frozen process cannot fork, and
         * the kills land when it thaws). Does not wait for them to die.
         */
        void killAll() {
            try {
                if (tree.v2 && Files.exists(at("").resolve("cgroup.kill"))) {
                    Files.writeString(at("").resolve("cgroup.kill"), "1");
                    return;
                }
                Path procs = (tree.v2 ? at("") : at("freezer")).resolve("cgroup.procs");
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
                throw new UncheckedIOException("could not kill cgroup " + id, e);
            }
        }

        /**
         * Removes the cgroup's directories, killing and waiting up to 2 s for what is still in them.
         *
         * @throws IOException if a directory is still busy after that
         */
        void remove() throws IOException {
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

        private static void write(Path file, Object value) throws IOException {
            Files.writeString(file, value.toString());
        }

        private static void optional(Path file, String value) {
            try {
                Files.writeString(file, value);
            } catch (IOException e) {
                // the kernel lacks it (no swap accounting, or a v1 knob removed): nothing to limit
            }
        }

        private static long readLong(Path... candidates) {
            for (Path file : candidates) {
                try {
                    return Long.parseLong(Files.readString(file).strip());
                } catch (IOException | NumberFormatException e) {
                    // next candidate
                }
            }
            return 0;
        }
    }
}
